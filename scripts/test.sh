#!/usr/bin/env bash
# Set up and run the whole test suite (pytest-django on PostgreSQL, Celery on Redis, browser
# tests in Debian's Chromium). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh embedded,test
# The CJK fonts too: without them LibreOffice wraps the forms' Chinese differently (the print
# test fails on a machine that has the programs but not the fonts).
if { [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/soffice ] || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; } \
    && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo ">> 安装 chromium、fonts-noto-cjk 与 LibreOffice Calc（浏览器测试与表格打印测试所需）"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libreoffice-calc poppler-utils >/dev/null
fi
exec python -m pytest "$@"

#!/usr/bin/env bash
# Set up and run the whole test suite (pytest-django on PostgreSQL, Celery on Redis, browser
# tests in Debian's Chromium). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh embedded,test
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo ">> 安装 chromium 与 fonts-noto-cjk（浏览器测试所需）"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
fi
exec python -m pytest "$@"

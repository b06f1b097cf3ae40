#!/usr/bin/env bash
# The demo's two processes: the reminder worker beside the web server. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python manage.py run_worker --idle-seconds 5 --plan-every-seconds 30 &
worker=$!
trap 'kill -TERM "$worker" 2>/dev/null || true; wait "$worker" 2>/dev/null || true' EXIT
# The access log leaves out paths: invitation and calendar links carry secrets.
.venv/bin/gunicorn bridgework.wsgi --bind "127.0.0.1:${PORT:-8000}" --workers 2 \
  --access-logfile - --access-logformat '%(h)s %(m)s %(s)s %(L)ss'

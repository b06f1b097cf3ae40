#!/usr/bin/env bash
# The demo's two processes: the reminder worker beside the web server. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python manage.py run_worker --idle-seconds 5 --plan-every-seconds 30 &
worker=$!
trap 'kill -TERM "$worker" 2>/dev/null || true; wait "$worker" 2>/dev/null || true' EXIT
# Invitation and calendar links carry secrets in their paths: gunicorn's log goes through the
# app's filter (bridgework/lib/logs.py), which drops them. No query strings, no referrers.
.venv/bin/gunicorn bridgework.wsgi --bind "127.0.0.1:${PORT:-8000}" --workers 2 \
  --logger-class bridgework.lib.gunicorn_logging.Logger \
  --access-logfile - --access-logformat '%(h)s %(m)s %(U)s %(s)s %(L)ss'

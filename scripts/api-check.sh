#!/usr/bin/env bash
# Schemathesis against the running API (CI): a fresh SQLite database, seeded with a therapist
# and their token (manage.py seed_api_check), the app on 127.0.0.1, then every operation of
# /api/v1/openapi.json with generated input: no server error, every answer matching its schema.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
port=${API_CHECK_PORT:-8765}
export VAR_DIR="$work" DATABASE_URL="sqlite:///$work/api-check.sqlite3" DEBUG=0
export SECRET_KEY_FILE="$work/key"
export API_REQUESTS_A_MINUTE=100000 ALLOWED_HOSTS=127.0.0.1
.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))' >"$work/key"
.venv/bin/python manage.py migrate -v 0
.venv/bin/python manage.py collectstatic --no-input -v 0  # as in production: pages need it
secret=$(.venv/bin/python manage.py seed_api_check --admin-secret-file "$work/admin-secret")
# The FHIR import is a clinic admin's: scripts/api-check.toml sends their token to it.
API_CHECK_ADMIN_TOKEN=$(cat "$work/admin-secret")
export API_CHECK_ADMIN_TOKEN
.venv/bin/gunicorn bridgework.wsgi --bind "127.0.0.1:$port" --workers 2 --log-level warning &
server=$!
trap 'kill -TERM "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
.venv/bin/schemathesis --config-file scripts/api-check.toml run "http://127.0.0.1:$port/api/v1/openapi.json" \
  -H "Authorization: Bearer $secret" \
  --checks not_a_server_error,response_schema_conformance \
  --wait-for-schema 30 --max-examples "${API_CHECK_EXAMPLES:-25}" \
  --generation-deterministic

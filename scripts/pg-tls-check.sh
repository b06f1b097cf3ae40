#!/usr/bin/env bash
# Proves DATABASE_URL's TLS options end to end, on a throwaway PostgreSQL cluster of its own
# (127.0.0.1:5439 by default; the shared cluster on 5432 is never touched): a CA and a server
# certificate made with openssl, ssl=on, only hostssl connections allowed. Then migrate, ask
# the server whether the session is encrypted, back up and run the restore drill over
# sslmode=verify-full, and check that a wrong CA is refused. Needs root or the postgres user;
# the cluster and its files are removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PG_TLS_PORT:-5439}
VERSION=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
BIN=/usr/lib/postgresql/$VERSION/bin
DIR=$(mktemp -d /tmp/bridgework-tls.XXXXXX)
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
finish() {
  as_postgres "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap finish EXIT

mkdir "$DIR/certs" && cd "$DIR/certs"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=Bridgework TLS check CA" \
  -keyout ca.key -out ca.pem 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout server.key -out server.csr 2>/dev/null
printf 'subjectAltName=DNS:localhost\n' >san.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 1 \
  -extfile san.ext -out server.crt 2>/dev/null
chmod 600 server.key ca.key
cd - >/dev/null
chmod 755 "$DIR" && if [ "$(id -u)" = 0 ]; then chown -R postgres "$DIR"; fi

as_postgres "$BIN/initdb" -D "$DIR/data" -A trust -U postgres >/dev/null
cat >>"$DIR/data/postgresql.conf" <<CONF
port = $PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$DIR'
ssl = on
ssl_cert_file = '$DIR/certs/server.crt'
ssl_key_file = '$DIR/certs/server.key'
CONF
printf 'hostssl all all 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 reject\n' >"$DIR/data/pg_hba.conf"
as_postgres "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w start >/dev/null
psql "host=localhost port=$PORT user=postgres dbname=postgres sslmode=verify-full sslrootcert=$DIR/certs/ca.pem" \
  -Xqc 'create database bridgework_tls'

export DEBUG=1 VAR_DIR="$DIR/var"
export DATABASE_URL="postgres://postgres@localhost:$PORT/bridgework_tls?sslmode=verify-full&sslrootcert=$DIR/certs/ca.pem"
.venv/bin/python manage.py migrate --no-input -v 0
.venv/bin/python manage.py shell -v 0 -c "
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute('SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()')
    encrypted, version = cursor.fetchone()
assert encrypted, 'the session is not encrypted'
print(f'pg-tls-check: Django connects with {version}, the server verified (verify-full)')"
.venv/bin/python manage.py backup_database --out "$DIR/tls.backup"
.venv/bin/python manage.py restore_drill "$DIR/tls.backup"
if DATABASE_URL="${DATABASE_URL%%sslrootcert=*}sslrootcert=/etc/ssl/certs/ca-certificates.crt" \
  .venv/bin/python manage.py shell -v 0 -c "from django.db import connection; connection.ensure_connection()" 2>/dev/null; then
  echo "pg-tls-check: a server certificate from an unknown CA was accepted" >&2
  exit 1
fi
echo "pg-tls-check: a server certificate from another CA is refused. TLS works."

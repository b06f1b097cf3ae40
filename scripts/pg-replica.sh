#!/usr/bin/env bash
# A streaming replica of the local PostgreSQL cluster (127.0.0.1:5432) on 127.0.0.1:5433, for
# the tests that prove research exports read from a replica (`make test-replica`). .ci/run calls
# it; it needs root or the postgres user. Idempotent: it makes the replica when it is absent,
# starts it when it is stopped and rebuilds it when it no longer streams from the primary (a
# replica left stopped while the primary recycled its WAL cannot catch up on its own).
#
#   scripts/pg-replica.sh          # make or start it, then wait until it streams
#   scripts/pg-replica.sh stop     # stop it (the data directory stays for the next start)
set -euo pipefail

PRIMARY_PORT=${PG_PRIMARY_PORT:-5432}
REPLICA_PORT=${PG_REPLICA_PORT:-5433}
VERSION=$(ls /etc/postgresql | sort -V | tail -n 1)
BIN=/usr/lib/postgresql/$VERSION/bin
DATA=${PG_REPLICA_DIR:-/var/lib/postgresql/$VERSION/replica}

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
primary() { psql -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -X -Atqc "$1"; }
replica() { psql -h 127.0.0.1 -p "$REPLICA_PORT" -U postgres -X -Atqc "$1" 2>/dev/null; }
running() { as_postgres "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }
stop() { if running; then as_postgres "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null; fi; }

if [ "${1:-}" = stop ]; then stop; exit 0; fi

# The primary must let a local standby stream from it. wal_level "replica" and max_wal_senders
# 10 are PostgreSQL's defaults; changing either needs a restart, so this says so and stops.
# pg_hba.conf's "all" does not cover replication connections: they need a line of their own.
if [ "$(primary 'show wal_level')" = minimal ] || [ "$(primary 'show max_wal_senders')" = 0 ]; then
  echo "pg-replica: the primary on port $PRIMARY_PORT needs wal_level=replica and max_wal_senders>0 (restart it)" >&2
  exit 1
fi
HBA=$(primary 'show hba_file')
if ! grep -Eq '^host[[:space:]]+replication[[:space:]]+all[[:space:]]+127\.0\.0\.1/32[[:space:]]+trust' "$HBA"; then
  printf '%s\n' '# Local streaming replica for the research tests (scripts/pg-replica.sh).' \
    'host replication all 127.0.0.1/32 trust' >>"$HBA"
  primary 'select pg_reload_conf()' >/dev/null
fi

# The replica's tests wait for it the way PostgreSQL offers: a session on the primary that sets
# synchronous_commit = remote_apply returns from each commit only once the replica has applied
# it, so a test reads the replica with no polling. That needs the replica named as a
# synchronous standby; every other session keeps committing without waiting for it (the
# primary's default becomes "local", as durable as "on" is without one), so a stopped replica
# holds up nothing but those tests (which set a statement timeout).
STANDBY=bridgework_replica
if [ "$(primary 'show synchronous_standby_names')" != "$STANDBY" ] ||
  [ "$(primary 'show synchronous_commit')" != local ]; then
  primary "alter system set synchronous_standby_names = '$STANDBY'" >/dev/null
  primary "alter system set synchronous_commit = 'local'" >/dev/null
  primary 'select pg_reload_conf()' >/dev/null
fi

name_it() {
  # The standby's walreceiver connects under the replica's cluster_name (application_name).
  if ! grep -q "^cluster_name = '$STANDBY'" "$DATA/postgresql.conf"; then
    printf "cluster_name = '%s'\n" "$STANDBY" | as_postgres tee -a "$DATA/postgresql.conf" >/dev/null
    if running; then as_postgres "$BIN/pg_ctl" -D "$DATA" -m fast -w restart -l "$DATA/replica.log" >/dev/null; fi
  fi
}

build() {
  stop
  rm -rf "$DATA"
  # An empty directory of the postgres user's (its parent may belong to root, as on Debian).
  if [ "$(id -u)" = 0 ]; then install -d -o postgres -g postgres -m 700 "$DATA"; fi
  # -R writes standby.signal and primary_conninfo; -X stream takes the WAL written meanwhile.
  as_postgres "$BIN/pg_basebackup" -D "$DATA" -R -X stream -c fast \
    -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres
  # Debian keeps postgresql.conf and pg_hba.conf in /etc, outside the copied data directory.
  # hot_standby_feedback: a long export on the replica is not cancelled by the primary's vacuum.
  as_postgres tee "$DATA/postgresql.conf" >/dev/null <<EOF
port = $REPLICA_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '/var/run/postgresql'
hot_standby = on
hot_standby_feedback = on
EOF
  as_postgres tee "$DATA/pg_hba.conf" >/dev/null <<'EOF'
local all all trust
host all all 127.0.0.1/32 trust
EOF
  as_postgres touch "$DATA/pg_ident.conf"
}

start() {
  running || as_postgres "$BIN/pg_ctl" -D "$DATA" -l "$DATA/replica.log" -w -t 60 start >/dev/null
}

streaming() {
  for _ in $(seq 1 60); do
    if [ "$(replica 'select pg_is_in_recovery()')" = t ] &&
      [ "$(replica 'select status from pg_stat_wal_receiver')" = streaming ]; then
      return 0
    fi
    sleep 0.5
  done
  return 1
}

[ -f "$DATA/standby.signal" ] || build
name_it
start
if ! streaming; then
  echo "pg-replica: the replica on port $REPLICA_PORT does not stream; making it again" >&2
  build
  name_it
  start
  streaming || { echo "pg-replica: the replica does not stream (see $DATA/replica.log)" >&2; exit 1; }
fi
echo "pg-replica: streaming replica of 127.0.0.1:$PRIMARY_PORT on 127.0.0.1:$REPLICA_PORT ($DATA)"

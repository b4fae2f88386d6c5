#!/usr/bin/env bash
# PostgreSQL 15 (Debian's `postgresql` package) as FerretDB's backend, without Docker: a private
# cluster in $OMNI_DATA/postgres, trust auth on 127.0.0.1 only, never the distribution's own cluster.
#   deploy/local/postgres.sh install|start|stop|status|logs|createdb <name>|sql <database> < file.sql
# Env: POSTGRES_PORT (5432).
# PostgreSQL refuses to run as root: as root the server runs as the Debian `postgres` system user.
COMPONENT=postgres
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

POSTGRES_PORT="${POSTGRES_PORT:-5432}"
DIR="$OMNI_DATA/postgres"
DATA="$DIR/data"
LOG_FILE="$DIR/postgres.log"

bindir() { # the server binaries: Debian keeps them out of PATH
  local d
  for d in /usr/lib/postgresql/15/bin "$(pg_config --bindir 2>/dev/null || true)"; do
    [ -n "$d" ] && [ -x "$d/postgres" ] && [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  return 1
}

as_server_user() { # as_server_user <command...>: root runs it as `postgres`, anyone else as themselves
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

install() {
  if bindir >/dev/null; then return 0; fi
  install_lock postgres
  if bindir >/dev/null; then install_unlock; return 0; fi
  if [ "$(id -u)" != 0 ]; then
    die "PostgreSQL 15 server binaries not found. Install them once with 'sudo apt-get install -y postgresql' (Debian 12), or run FerretDB on SQLite with FERRETDB_HANDLER=sqlite."
  fi
  log "installing PostgreSQL from Debian (first time only)"
  apt-get update -qq || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null || die "apt-get install postgresql failed"
  # The package creates (and, where an init system runs, starts) its own cluster 'main' on 5432. The
  # project does not use it; stop it so it cannot hold the port of `npm run up`.
  if command -v pg_ctlcluster >/dev/null 2>&1 && pg_ctlcluster 15 main status >/dev/null 2>&1; then
    log "stopping Debian's default cluster 15/main (not used; the project runs its own in \$OMNI_DATA)"
    pg_ctlcluster 15 main stop || true
  fi
  install_unlock
  bindir >/dev/null || die "postgresql installed but no server binaries found (expected /usr/lib/postgresql/15/bin)"
  log "installed $("$(bindir)/postgres" --version)"
}

ready() { "$(bindir)/pg_isready" -q -h 127.0.0.1 -p "$POSTGRES_PORT" -U postgres -d postgres; }

running() { [ -d "$DATA" ] && as_server_user "$(bindir)/pg_ctl" status -D "$DATA" >/dev/null 2>&1; }

init_cluster() {
  # The server user must reach its data dir: every folder on the way needs o+x.
  mkdir -p "$DIR"
  chmod 755 "$OMNI_DATA" "$DIR"
  if [ "$(id -u)" = 0 ]; then
    chown postgres:postgres "$DIR"
    runuser -u postgres -- test -x "$DIR" \
      || die "the 'postgres' user cannot reach $DIR (a parent folder lacks o+x); chmod o+x the parents or set OMNI_DATA elsewhere"
  fi
  if [ -f "$DATA/PG_VERSION" ]; then return 0; fi
  log "initializing a cluster in $DATA"
  as_server_user "$(bindir)/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
    >"$DIR/initdb.log" 2>&1 || die "initdb failed: $(tail -n 10 "$DIR/initdb.log")"
  # Only the local TCP address and the socket in the data dir (reachable by its owner alone).
  as_server_user tee "$DATA/pg_hba.conf" >/dev/null <<'HBA'
local all all              trust
host  all all 127.0.0.1/32 trust
HBA
  echo "include_if_exists 'omni.conf'" | as_server_user tee -a "$DATA/postgresql.conf" >/dev/null
}

write_config() { # rewritten at every start, so that a changed port or setting applies
  as_server_user tee "$DATA/omni.conf" >/dev/null <<CONF
listen_addresses = '127.0.0.1'
port = $POSTGRES_PORT
unix_socket_directories = '$DATA'
# FerretDB's pool (FERRETDB_PG_POOL, 500: see ferretdb.sh) plus room for psql and maintenance. An
# idle connection costs a few hundred kB here; shared memory grows by about 2 MB.
max_connections = $(( ${FERRETDB_PG_POOL:-500} + 40 ))
shared_buffers = 128MB
work_mem = 8MB
maintenance_work_mem = 64MB
effective_cache_size = 1GB
# FerretDB's statements are short; JIT compilation only adds latency to them.
jit = off
# A disposable dev/test store: a crash may lose the last few hundred ms of commits (the database
# stays consistent; fsync stays on), and every commit stops waiting for its WAL flush, which is
# what an insert-heavy message path mostly waits for on a small disk. A local region that is killed
# on purpose (npm run up -- --regions 2, the drill) sets POSTGRES_SYNCHRONOUS_COMMIT=on: a send claim
# lost with those commits was sent again after the restart (the drill counted the duplicate).
synchronous_commit = ${POSTGRES_SYNCHRONOUS_COMMIT:-off}
wal_level = minimal
max_wal_senders = 0
max_wal_size = 1GB
checkpoint_timeout = 15min
logging_collector = off
log_min_messages = warning
log_min_duration_statement = -1
# FerretDB sends every filter with the field name as a bind parameter: only a plan made for the
# actual values can match an expression index (deploy/local/postgres/ferretdb-equality-indexes.sql).
plan_cache_mode = force_custom_plan
CONF
}

start() {
  install
  init_cluster
  if running; then log "already running ($DATA)"; return 0; fi
  if port_open 127.0.0.1 "$POSTGRES_PORT"; then die "port $POSTGRES_PORT is taken by another process; set POSTGRES_PORT (or MONGODB_URI for an external store)"; fi
  write_config
  log "starting on 127.0.0.1:$POSTGRES_PORT (data in $DATA)"
  # pg_ctl detaches the server into its own session; the log is opened by the server user.
  if [ "$(id -u)" = 0 ]; then touch "$LOG_FILE"; chown postgres:postgres "$LOG_FILE"; fi
  as_server_user "$(bindir)/pg_ctl" start -D "$DATA" -l "$LOG_FILE" -w -t 60 -s \
    || die "PostgreSQL did not start: $(tail -n 20 "$LOG_FILE")"
  wait_until 30 "PostgreSQL" ready || die "PostgreSQL not accepting connections after 30 s: $(tail -n 20 "$LOG_FILE")"
}

stop() {
  if ! bindir >/dev/null || ! running; then log "PostgreSQL is not running"; return 0; fi
  log "stopping PostgreSQL ($DATA)"
  as_server_user "$(bindir)/pg_ctl" stop -D "$DATA" -m fast -w -t 60 -s || die "pg_ctl stop failed: $(tail -n 20 "$LOG_FILE")"
}

createdb() { # createdb <name>: once; FerretDB keeps each MongoDB database as a schema inside it
  local name="${1:?database name}"
  ready || die "PostgreSQL is not running on 127.0.0.1:$POSTGRES_PORT (deploy/local/postgres.sh start)"
  local psql=("$(bindir)/psql" -h 127.0.0.1 -p "$POSTGRES_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qtA)
  if [ "$("${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname = '$name'")" != 1 ]; then
    log "creating database $name"
    "${psql[@]}" -c "CREATE DATABASE \"$name\"" >/dev/null 2>&1 \
      || [ "$("${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname = '$name'")" = 1 ] \
      || die "could not create database $name"
  fi
}

sql() { # sql <database>: runs the statements on stdin, stopping at the first error
  ready || die "PostgreSQL is not running on 127.0.0.1:$POSTGRES_PORT (deploy/local/postgres.sh start)"
  "$(bindir)/psql" -h 127.0.0.1 -p "$POSTGRES_PORT" -U postgres -d "${1:?database name}" -v ON_ERROR_STOP=1 -qtA >/dev/null \
    || die "SQL on database $1 failed"
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  status) if bindir >/dev/null && running && ready; then echo "postgres: running on 127.0.0.1:$POSTGRES_PORT"; else echo "postgres: stopped"; exit 1; fi ;;
  logs) tail -n 100 "$LOG_FILE" ;;
  createdb) createdb "${2:-}" ;;
  sql) sql "${2:-}" ;;
  *) echo "usage: $0 install|start|stop|status|logs|createdb <name>|sql <database> < file.sql" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# FerretDB v1.x (MongoDB wire protocol) without Docker: built from the Go module proxy with the
# pinned go.mod in deploy/local/ferretdb, cached in $OMNI_CACHE/bin. Its backend is the private
# PostgreSQL of deploy/local/postgres.sh (started first by infra.sh), or SQLite files (ADR 0010).
#   deploy/local/ferretdb.sh install|start|stop|status|logs
# Env: FERRETDB_PORT (27017), FERRETDB_HANDLER (postgresql | sqlite), POSTGRES_PORT (5432),
#      FERRETDB_GOGC (400).
COMPONENT=ferretdb
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MOD_DIR="$OMNI_ROOT/deploy/local/ferretdb"
FERRETDB_VERSION="$(sed -n 's:.*github.com/FerretDB/FerretDB \(v[0-9.]*\).*:\1:p' "$MOD_DIR/go.mod")"
# The build's own revision: bumped whenever the overlay below changes, so a cached binary is rebuilt.
BUILD_REV=omni1
BIN="$OMNI_CACHE/bin/ferretdb-$FERRETDB_VERSION-$BUILD_REV"
FERRETDB_PORT="${FERRETDB_PORT:-27017}"
FERRETDB_HANDLER="${FERRETDB_HANDLER:-postgresql}"
POSTGRES_PORT="${POSTGRES_PORT:-5432}"
# FerretDB's PostgreSQL pool (see start); postgres.sh sets max_connections above it.
FERRETDB_PG_POOL="${FERRETDB_PG_POOL:-500}"
DIR="$OMNI_DATA/ferretdb"
PID_FILE="$DIR/ferretdb.pid"
LOG_FILE="$DIR/ferretdb.log"

install() {
  if [ -x "$BIN" ]; then return 0; fi
  # Several checkouts (worktrees, parallel CI jobs) share the cache: one builds, the others wait.
  install_lock ferretdb
  if [ -x "$BIN" ]; then install_unlock; return 0; fi
  need go "Install Go 1.22+ (e.g. 'apt-get install -y golang')."
  log "building FerretDB $FERRETDB_VERSION from the Go module proxy (first time only, ~1-2 min)"
  mkdir -p "$OMNI_CACHE/bin" "$OMNI_CACHE/ferretdb-build"
  # The module zip lacks the generated build/version/version.txt that FerretDB's main requires, and
  # the module cache is read-only: vendor into a scratch copy, add the file, build from the vendor tree.
  local work="$OMNI_CACHE/ferretdb-build"
  cp "$MOD_DIR/go.mod" "$MOD_DIR/go.sum" "$work/"
  (cd "$work" && GOFLAGS=-mod=mod go mod vendor) || die "go mod vendor failed (is the Go module proxy reachable?)"
  echo "$FERRETDB_VERSION" > "$work/vendor/github.com/FerretDB/FerretDB/build/version/version.txt"
  # deploy/local/ferretdb/overlay replaces files of the vendor tree at build time (go build -overlay;
  # the vendored sources stay as downloaded): resource.go drops FerretDB's per-command leak tracking.
  local overlay="$work/overlay.json"
  printf '{"Replace":{"%s":"%s"}}\n' \
    "$work/vendor/github.com/FerretDB/FerretDB/internal/util/resource/resource.go" "$MOD_DIR/overlay/resource.go" > "$overlay"
  (cd "$work" && go build -mod=vendor -trimpath -overlay "$overlay" -o "$BIN.tmp" github.com/FerretDB/FerretDB/cmd/ferretdb) \
    || die "go build of FerretDB failed"
  mv "$BIN.tmp" "$BIN"
  install_unlock
  log "installed $("$BIN" --version | head -n1)"
}

ready() { port_open 127.0.0.1 "$FERRETDB_PORT"; }

start() {
  install
  if pid_alive "$(read_pid "$PID_FILE")"; then log "already running (pid $(read_pid "$PID_FILE"))"; return 0; fi
  if port_open 127.0.0.1 "$FERRETDB_PORT"; then die "port $FERRETDB_PORT is taken by another process; set FERRETDB_PORT or MONGODB_URI"; fi
  mkdir -p "$DIR/data" "$DIR/state"
  local backend=()
  case "$FERRETDB_HANDLER" in
    postgresql)
      # One PostgreSQL database holds every MongoDB database (each a schema in it); indexes that
      # FerretDB's equality filters can use (ADR 0010).
      "$OMNI_ROOT/deploy/local/postgres.sh" createdb ferretdb
      "$OMNI_ROOT/deploy/local/postgres.sh" sql ferretdb < "$OMNI_ROOT/deploy/local/postgres/ferretdb-equality-indexes.sql"
      # FerretDB 1.24 updates an existing document on two pooled connections at once (it holds its
      # read's while it asks for the write's): with its default pool of 50, 25 concurrent updates can
      # take every connection and wait for one another forever — FerretDB then answers nothing, not
      # even ping (found by the bench's floor, ADR 0010). The pool is sized for every client's pool
      # (8 apps × 20, plus tests and benches) twice over; PostgreSQL's max_connections follows it.
      backend=(--handler=postgresql --postgresql-url="postgres://postgres@127.0.0.1:$POSTGRES_PORT/ferretdb?pool_max_conns=$FERRETDB_PG_POOL")
      log "starting on 127.0.0.1:$FERRETDB_PORT (PostgreSQL 127.0.0.1:$POSTGRES_PORT/ferretdb)" ;;
    sqlite)
      backend=(--handler=sqlite --sqlite-url="file:$DIR/data/")
      log "starting on 127.0.0.1:$FERRETDB_PORT (SQLite data in $DIR/data)" ;;
    *) die "FERRETDB_HANDLER must be postgresql or sqlite, not '$FERRETDB_HANDLER'" ;;
  esac
  # GOGC 400: FerretDB allocates a decoded document per stored one it reads; collecting four times
  # less often halves its garbage collector's share for a few MB more heap (ADR 0011, sixth step).
  GOGC="${FERRETDB_GOGC:-400}" setsid "$BIN" "${backend[@]}" --state-dir="$DIR/state" \
    --listen-addr="127.0.0.1:$FERRETDB_PORT" --debug-addr=- --telemetry=disable \
    --log-level=warn --log-format=json >>"$LOG_FILE" 2>&1 < /dev/null &
  echo $! > "$PID_FILE"
  wait_until 30 "FerretDB" ready || die "FerretDB not ready after 30 s: $(tail -n 20 "$LOG_FILE")"
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop_pid_file "$PID_FILE" "FerretDB" ;;
  status) if pid_alive "$(read_pid "$PID_FILE")" && ready; then echo "ferretdb: running on 127.0.0.1:$FERRETDB_PORT"; else echo "ferretdb: stopped"; exit 1; fi ;;
  logs) tail -n 100 "$LOG_FILE" ;;
  *) echo "usage: $0 install|start|stop|status|logs" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# Local infrastructure for the gateway: Kafka + FerretDB (on PostgreSQL unless FERRETDB_HANDLER=sqlite),
# skipped where KAFKA_BROKERS / MONGODB_URI point elsewhere (the user runs their own).
#   deploy/local/infra.sh up|down|status
COMPONENT=infra
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
here="$(dirname "${BASH_SOURCE[0]}")"

external_kafka() { [ -n "${KAFKA_BROKERS:-}" ] && [ "${OMNI_LOCAL_KAFKA:-}" != 1 ]; }
external_mongo() { [ -n "${MONGODB_URI:-}" ] && [ "${OMNI_LOCAL_MONGO:-}" != 1 ]; }
on_postgres() { [ "${FERRETDB_HANDLER:-postgresql}" = postgresql ]; }
# FerretDB needs its backend first; Kafka starts meanwhile.
start_store() { if on_postgres; then "$here/postgres.sh" start || return 1; fi; "$here/ferretdb.sh" start; }

case "${1:-}" in
  up)
    if external_kafka; then log "KAFKA_BROKERS=$KAFKA_BROKERS set: not starting a local Kafka"; else "$here/kafka.sh" start & kpid=$!; fi
    if external_mongo; then log "MONGODB_URI set: not starting a local FerretDB"; else start_store & fpid=$!; fi
    rc=0
    [ -n "${kpid:-}" ] && { wait "$kpid" || rc=1; }
    [ -n "${fpid:-}" ] && { wait "$fpid" || rc=1; }
    exit $rc ;;
  down)
    external_kafka || "$here/kafka.sh" stop
    # PostgreSQL after FerretDB, and whatever the handler now says (a no-op when it is not running).
    external_mongo || { "$here/ferretdb.sh" stop; "$here/postgres.sh" stop; } ;;
  status)
    "$here/kafka.sh" status || true; "$here/ferretdb.sh" status || true; "$here/postgres.sh" status || true ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac

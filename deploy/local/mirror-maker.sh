#!/usr/bin/env bash
# Kafka's MirrorMaker 2 (dedicated mode, on Kafka Connect) between local regions, without Docker: jars
# resolved from Maven Central by Maven (deploy/local/mirror-maker/pom.xml, cached in ~/.m2 and
# $OMNI_CACHE like the broker's), run as org.apache.kafka.connect.mirror.MirrorMaker (ADR 0300).
#   deploy/local/mirror-maker.sh install|start|stop|status|logs
#   deploy/local/mirror-maker.sh config   (writes and prints mm2.properties only)
# Env: MM2_CLUSTERS ("local-a=127.0.0.1:9092,local-b=127.0.0.1:9192": alias=bootstrap, every pair mirrored
# both ways), MM2_TOPICS (the regex of mirrored topics; default: the shared topics under KAFKA_TOPIC_PREFIX),
# MM2_TARGETS (only the flows into these aliases, comma list; default all), MM2_HEAP (256m).
COMPONENT=mirror-maker
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

POM="$OMNI_ROOT/deploy/local/mirror-maker/pom.xml"
KAFKA_VERSION="$(pom_property "$POM" kafka.version)"
MM2_CLUSTERS="${MM2_CLUSTERS:-local-a=127.0.0.1:9092,local-b=127.0.0.1:9192}"
# What a region shares with its peers (ADR 0300): inbound events (the relay and the standby's warm
# copy), outbound send commands (what the active region has decided to send) and conversation events.
# Never the .retry/.dlq topics (each region's own), never a mirrored topic again. The apps' topics carry
# KAFKA_TOPIC_PREFIX (test suites share a cluster so): the mirrored ones are `<prefix>omni.…`, and their
# copies `<source alias>.<prefix>omni.…`, which is where the routers read them (libs/messaging resolveTopic).
PREFIX_RE="$(printf '%s' "${KAFKA_TOPIC_PREFIX:-}" | sed 's/[][\\.^$*+?(){}|]/\\&/g')"
MM2_TOPICS="${MM2_TOPICS:-${PREFIX_RE}(omni\\.inbound\\.v1|omni\\.outbound\\.[a-z]+\\.v1|omni\\.conversation\\.v1)}"
MM2_HEAP="${MM2_HEAP:-256m}"
CLASSPATH_FILE="$OMNI_CACHE/mirror-maker-$KAFKA_VERSION.classpath"
DIR="$OMNI_DATA/mirror-maker"
PID_FILE="$DIR/mirror-maker.pid"
LOG_FILE="$DIR/mirror-maker.log"

install() { resolve_classpath "$POM" "$CLASSPATH_FILE" mirror-maker "Kafka Connect MirrorMaker 2 (org.apache.kafka:connect-mirror:$KAFKA_VERSION)"; }

write_config() {
  mkdir -p "$DIR"
  local aliases=() pair alias
  {
    echo "# written by deploy/local/mirror-maker.sh from MM2_CLUSTERS; rewritten at every start"
    for pair in ${MM2_CLUSTERS//,/ }; do
      alias="${pair%%=*}"; aliases+=("$alias")
      echo "$alias.bootstrap.servers=${pair#*=}"
    done
    echo "clusters=$(IFS=,; echo "${aliases[*]}")"
    local a b
    for a in "${aliases[@]}"; do for b in "${aliases[@]}"; do
      [ "$a" = "$b" ] || echo "$a->$b.enabled=true"
    done; done
    # A .properties file reads a backslash as an escape: the regex's own backslashes are doubled.
    cat <<PROPS
topics=${MM2_TOPICS//\\/\\\\}
# Remote topics are named <source alias>.<topic> (DefaultReplicationPolicy): a region consumes its
# peer's records from e.g. local-a.omni.inbound.v1 and never mirrors them back (cycle detection).
groups.exclude=.*
sync.group.offsets.enabled=false
emit.checkpoints.enabled=false
sync.topic.acls.enabled=false
sync.topic.configs.enabled=true
refresh.topics.interval.seconds=5
emit.heartbeats.interval.seconds=1
# Single-broker local clusters; production values (deploy/helm) use 3.
replication.factor=1
checkpoints.topic.replication.factor=1
heartbeats.topic.replication.factor=1
offset-syncs.topic.replication.factor=1
offset.storage.replication.factor=1
status.storage.replication.factor=1
config.storage.replication.factor=1
# Mirror fast (the standby's copy lags by this much at most, plus the poll) and remember the position
# often (a restart re-mirrors at most a second of records; every consumer is idempotent on ce_id).
offset.flush.interval.ms=1000
consumer.fetch.max.wait.ms=100
producer.linger.ms=5
tasks.max=1
plugin.discovery=service_load
PROPS
  } > "$DIR/mm2.properties"
  cat > "$DIR/log4j.properties" <<'PROPS'
log4j.rootLogger=WARN, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File=${kafka.logs.dir}/mirror-maker.log
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.org.apache.kafka.connect.mirror=INFO
PROPS
}

ready() { grep -q 'Kafka MirrorMaker initialized\|MirrorMaker started\|Starting MirrorSourceConnector\|started MirrorMaker' "$LOG_FILE" 2>/dev/null; }

start() {
  install
  if pid_alive "$(read_pid "$PID_FILE")"; then log "already running (pid $(read_pid "$PID_FILE"))"; return 0; fi
  write_config
  : > "$LOG_FILE"
  local targets=()
  [ -n "${MM2_TARGETS:-}" ] && targets=(--clusters ${MM2_TARGETS//,/ })
  log "starting MirrorMaker 2 between ${MM2_CLUSTERS} (heap $MM2_HEAP, data $DIR)"
  start_java_daemon "MirrorMaker 2" "$PID_FILE" "$DIR/mirror-maker.out" "$LOG_FILE" ready -Xms64m -Xmx"$MM2_HEAP" -XX:+UseSerialGC -Djava.awt.headless=true \
       -Dlog4j.configuration="file:$DIR/log4j.properties" -Dkafka.logs.dir="$DIR" \
       -cp "$(cat "$CLASSPATH_FILE")" org.apache.kafka.connect.mirror.MirrorMaker "$DIR/mm2.properties" "${targets[@]}"
}

case "${1:-}" in
  install) install ;;
  config) write_config; cat "$DIR/mm2.properties" ;;
  start) start ;;
  stop) stop_pid_file "$PID_FILE" "MirrorMaker 2" ;;
  status) if pid_alive "$(read_pid "$PID_FILE")"; then echo "mirror-maker: running (${MM2_CLUSTERS})"; else echo "mirror-maker: stopped"; exit 1; fi ;;
  logs) tail -n 100 "$LOG_FILE" ;;
  *) echo "usage: $0 install|config|start|stop|status|logs" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# Apache Kafka, single-node KRaft, without Docker: jars resolved from Maven Central by Maven
# (deploy/local/kafka/pom.xml), storage formatted once, broker run with a bounded heap.
#   deploy/local/kafka.sh install|start|stop|status|logs
# Env: KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), KAFKA_HEAP (512m), KAFKA_PARTITIONS (3),
#      KAFKA_JVM_OPTS (extra JVM options, appended).
COMPONENT=kafka
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

POM="$OMNI_ROOT/deploy/local/kafka/pom.xml"
KAFKA_VERSION="$(pom_property "$POM" kafka.version)"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_HEAP="${KAFKA_HEAP:-512m}"
CLASSPATH_FILE="$OMNI_CACHE/kafka-$KAFKA_VERSION.classpath"
DIR="$OMNI_DATA/kafka"
PID_FILE="$DIR/kafka.pid"
LOG_FILE="$DIR/kafka.log"

install() { resolve_classpath "$POM" "$CLASSPATH_FILE" kafka "org.apache.kafka:kafka_2.13:$KAFKA_VERSION and its dependencies"; }

write_config() {
  mkdir -p "$DIR/data"
  cat > "$DIR/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$DIR/data
# Topics are provisioned by the apps (libs/messaging) with explicit partitions; a typo must not
# silently create a topic.
auto.create.topics.enable=false
num.partitions=${KAFKA_PARTITIONS:-3}
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
log.retention.hours=24
log.segment.bytes=67108864
PROPS
  cat > "$DIR/log4j.properties" <<'PROPS'
log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File=${kafka.logs.dir}/kafka.log
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka=INFO
log4j.logger.org.apache.kafka=WARN
log4j.logger.kafka.server.KafkaRaftServer=INFO
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.log=WARN
log4j.logger.kafka.coordinator=WARN
PROPS
}

# The JVM's options, for the broker and its tools alike. C1 only (TieredStopAtLevel=1): on a fresh
# embedded broker the C2 compiler threads were half of Kafka's CPU during a bench's first minutes,
# twice what the requests themselves cost (ADR 0011, sixth step); C1 compiles quickly and the
# broker's request path is a small share of a message's cost. KAFKA_JVM_OPTS comes last, so
# "-XX:TieredStopAtLevel=4" there brings C2 back.
JAVA_OPTS=(-Xms128m -Xmx"$KAFKA_HEAP" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:TieredStopAtLevel=1 -Djava.awt.headless=true
           -Dlog4j.configuration="file:$DIR/log4j.properties" -Dkafka.logs.dir="$DIR")
# shellcheck disable=SC2206 # split on purpose: a list of options
if [ -n "${KAFKA_JVM_OPTS:-}" ]; then JAVA_OPTS+=($KAFKA_JVM_OPTS); fi
java_run() { java "${JAVA_OPTS[@]}" -cp "$(cat "$CLASSPATH_FILE")" "$@"; } # java_run <main class> <args...>

ready() { port_open 127.0.0.1 "$KAFKA_PORT" && grep -q 'Kafka Server started' "$LOG_FILE" 2>/dev/null; }

start() {
  install
  if pid_alive "$(read_pid "$PID_FILE")"; then log "already running (pid $(read_pid "$PID_FILE"))"; return 0; fi
  if port_open 127.0.0.1 "$KAFKA_PORT"; then die "port $KAFKA_PORT is taken by another process; set KAFKA_PORT or KAFKA_BROKERS"; fi
  write_config
  if [ ! -f "$DIR/data/meta.properties" ]; then
    local cluster_id; cluster_id="$(java_run kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n1)"
    log "formatting KRaft storage (cluster $cluster_id)"
    java_run kafka.tools.StorageTool format -t "$cluster_id" -c "$DIR/server.properties" >"$DIR/format.log" 2>&1 \
      || die "storage format failed: $(tail -n 5 "$DIR/format.log")"
  fi
  : > "$LOG_FILE"
  log "starting broker on 127.0.0.1:$KAFKA_PORT (heap $KAFKA_HEAP, data $DIR)"
  start_java_daemon broker "$PID_FILE" "$DIR/kafka.out" "$LOG_FILE" ready "${JAVA_OPTS[@]}" -cp "$(cat "$CLASSPATH_FILE")" kafka.Kafka "$DIR/server.properties"
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop_pid_file "$PID_FILE" "broker" ;;
  status) if pid_alive "$(read_pid "$PID_FILE")" && ready; then echo "kafka: running on 127.0.0.1:$KAFKA_PORT"; else echo "kafka: stopped"; exit 1; fi ;;
  logs) tail -n 100 "$LOG_FILE" ;;
  *) echo "usage: $0 install|start|stop|status|logs" >&2; exit 2 ;;
esac

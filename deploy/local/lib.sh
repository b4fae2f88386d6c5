#!/usr/bin/env bash
# Shared helpers for the no-Docker local infrastructure (Kafka KRaft + FerretDB).
# Downloads are cached outside the work tree (~/.m2, the Go module cache, $OMNI_CACHE) so a second
# `up` starts in seconds; runtime data lives in the git-ignored $OMNI_DATA (default <repo>/.local/dev).
set -euo pipefail

OMNI_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OMNI_CACHE="${OMNI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/omni-gateway}"
OMNI_DATA="${OMNI_DATA:-$OMNI_ROOT/.local/dev}"
mkdir -p "$OMNI_CACHE" "$OMNI_DATA"

log() { printf '\033[36m[%s]\033[0m %s\n' "${COMPONENT:-local}" "$*" >&2; }
die() { printf '\033[31m[%s] error:\033[0m %s\n' "${COMPONENT:-local}" "$*" >&2; exit 1; }

need() { # need <command> <how to get it>
  command -v "$1" >/dev/null 2>&1 || die "'$1' is required but not found on PATH. $2"
}

port_open() { # port_open <host> <port>
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null && { exec 3>&- 3<&-; return 0; } || return 1
}

pid_alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

read_pid() { [ -f "$1" ] && cat "$1" || true; }

stop_pid_file() { # stop_pid_file <file> <name>: SIGTERM, wait up to 30 s, then SIGKILL
  local pid; pid="$(read_pid "$1")"
  if ! pid_alive "$pid"; then rm -f "$1"; log "$2 is not running"; return 0; fi
  log "stopping $2 (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do pid_alive "$pid" || break; sleep 0.5; done
  if pid_alive "$pid"; then log "$2 did not stop in 30 s, killing"; kill -KILL "$pid" 2>/dev/null || true; fi
  rm -f "$1"
}

install_lock() { # install_lock <name>: serialize first-time installs of several checkouts sharing $OMNI_CACHE
  exec 9>"$OMNI_CACHE/$1.install.lock"
  flock 9
}
# Close the lock before starting a daemon, which would otherwise inherit fd 9 and hold it.
install_unlock() { exec 9>&-; }

wait_until() { # wait_until <seconds> <description> <command...>
  local secs="$1" what="$2"; shift 2
  local start; start=$(date +%s)
  until "$@"; do
    if [ $(( $(date +%s) - start )) -ge "$secs" ]; then return 1; fi
    sleep 0.5
  done
  log "$what ready in $(( $(date +%s) - start )) s"
}

# --- Java components resolved from Maven Central (kafka.sh, mirror-maker.sh) ---

pom_property() { # pom_property <pom.xml> <property>: a <properties> value of the pom
  sed -n "s:.*<$2>\(.*\)</$2>.*:\1:p" "$1"
}

classpath_ok() { # classpath_ok <classpath file>: written, and every jar it names still in the cache
  [ -s "$1" ] || return 1
  local jar; for jar in $(tr ':' ' ' < "$1"); do [ -f "$jar" ] || return 1; done
}

resolve_classpath() { # resolve_classpath <pom.xml> <classpath file> <lock name> <what>: the runtime jars, once
  local pom="$1" file="$2" lock="$3" what="$4"
  need java "Install a Java 17+ runtime, e.g. 'apt-get install -y openjdk-17-jre-headless'."
  if classpath_ok "$file"; then return 0; fi
  install_lock "$lock"
  if classpath_ok "$file"; then install_unlock; return 0; fi
  need mvn "Install Maven, e.g. 'apt-get install -y maven'."
  log "resolving $what from Maven Central (first time only; cached in ~/.m2)"
  mvn -B -ntp -f "$pom" dependency:build-classpath -Dmdep.outputFile="$file.tmp" -Dmdep.includeScope=runtime \
      | sed -u 's/^/  mvn: /' | grep -E 'Download|BUILD|ERROR' >&2 || true
  [ -s "$file.tmp" ] || die "Maven could not resolve $what (is Maven Central reachable?)"
  mv "$file.tmp" "$file"
  install_unlock
  log "resolved $(tr ':' '\n' < "$file" | wc -l) jars"
}

start_java_daemon() { # start_java_daemon <name> <pid file> <out file> <log file> <ready command> <java args...>
  # In its own process group (setsid) so `stop` (or the caller's Ctrl-C handling) can reach it.
  local name="$1" pid_file="$2" out="$3" log_file="$4" ready_cmd="$5"; shift 5
  setsid java "$@" >>"$out" 2>&1 < /dev/null &
  echo $! > "$pid_file"
  if ! wait_until 90 "$name" "$ready_cmd"; then
    pid_alive "$(read_pid "$pid_file")" || die "$name exited; last lines:
$(tail -n 20 "$out" "$log_file" 2>/dev/null)"
    die "$name not ready after 90 s; see $log_file"
  fi
}

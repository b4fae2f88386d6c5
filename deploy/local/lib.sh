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

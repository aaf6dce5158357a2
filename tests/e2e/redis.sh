#!/usr/bin/env bash
# A throwaway Redis for the zmcp-store Redis tests: 127.0.0.1 only, no persistence, its
# pid file and log under .ci-cache/redis/.
#
#   export ZMCP_TEST_REDIS_URL="$(tests/e2e/redis.sh start)"   # the URL is the only stdout
#   tests/e2e/redis.sh stop                                    # only ever the one start started
#
# ZMCP_TEST_REDIS_PORT picks the port (default 6399). Installs Debian's redis-server
# (Redis 7; the store needs >= 6.2) when it is missing, which needs root as in CI. When a
# Redis already answers on the port, start reuses it and stop leaves it alone.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dir="$root/.ci-cache/redis"
port="${ZMCP_TEST_REDIS_PORT:-6399}"
pidfile="$dir/redis-$port.pid"
url="redis://127.0.0.1:$port/0"

say() { printf '[redis] %s\n' "$*" >&2; }
answers() { [[ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" == PONG ]]; }
# The pid in our pid file, if that process is still our redis-server (pids get reused).
our_pid() {
  local pid
  pid="$(cat "$pidfile" 2>/dev/null)" || return 1
  [[ -n "$pid" ]] && tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -q "redis-server.*:$port" &&
    echo "$pid"
}

start() {
  if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
    say "installing redis-server (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq redis-server >&2
  fi
  if answers; then
    if pid="$(our_pid)"; then
      say "already running on 127.0.0.1:$port (pid $pid)"
    else
      say "a Redis not started by this script answers on 127.0.0.1:$port; using it, stop will leave it"
    fi
    echo "$url"
    return
  fi
  mkdir -p "$dir"
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --pidfile "$pidfile" --dir "$dir" --logfile "$dir/redis-$port.log" >&2
  for _ in $(seq 100); do
    if answers; then
      say "started on 127.0.0.1:$port (pid $(cat "$pidfile" 2>/dev/null))"
      echo "$url"
      return
    fi
    sleep 0.1
  done
  say "redis-server did not answer on 127.0.0.1:$port within 10 s; its log:"
  tail -n 20 "$dir/redis-$port.log" >&2 || true
  exit 1
}

stop() {
  local pid
  if pid="$(our_pid)"; then
    kill "$pid"
    for _ in $(seq 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    say "stopped (pid $pid)"
  fi
  rm -f "$pidfile"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: tests/e2e/redis.sh start|stop" >&2; exit 2 ;;
esac

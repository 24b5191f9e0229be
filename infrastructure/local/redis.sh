#!/usr/bin/env bash
# A throwaway Redis on loopback for the cache conformance tests.
#
#   infrastructure/local/redis.sh start   # prints the URL; also written to $DIR/url
#   infrastructure/local/redis.sh stop    # stops the server and deletes $DIR
#   eval "$(infrastructure/local/redis.sh env)"   # exports MEDIAFLOW_TEST_REDIS_URL
#
# $MEDIAFLOW_REDIS_DIR (default: $TMPDIR/mediaflow-redis) holds the pid file, the log
# and the URL. The server listens on 127.0.0.1 on a free port, daemonized, with a
# password, no persistence (no RDB snapshots, no AOF) and no memory eviction (locks
# live there too). When redis-server is missing and we are root, it is installed
# with apt-get.
#
# $MEDIAFLOW_REDIS_PORT, when set, is the port to listen on instead of a free one (a test that
# stops the server restarts it where its clients reconnect).
set -euo pipefail

DIR=${MEDIAFLOW_REDIS_DIR:-${TMPDIR:-/tmp}/mediaflow-redis}
PASSWORD=mediaflow-local

SCRIPT=redis.sh
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_installed() {
  command -v redis-server >/dev/null 2>&1 && return
  [ "$(id -u)" = 0 ] || die "redis-server is not installed; run: sudo apt-get install -y redis-server"
  echo "redis.sh: installing redis-server" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >&2
  # The package may start a server of its own on 6379; it is not ours to use,
  # which is why we never rely on a fixed port.
}

running() {
  [ -f "$DIR/redis.pid" ] && kill -0 "$(cat "$DIR/redis.pid")" 2>/dev/null
}

start() {
  if [ -f "$DIR/url" ] && running; then
    cat "$DIR/url"
    return
  fi
  ensure_installed
  rm -rf "$DIR"
  mkdir -p "$DIR"
  local port
  port=$(pick_port "${MEDIAFLOW_REDIS_PORT:-}" 63790 63890)
  redis-server - >"$DIR/start.log" 2>&1 <<CONF || { cat "$DIR/start.log" "$DIR/server.log" >&2 2>/dev/null; die "the server did not start"; }
bind 127.0.0.1
port $port
protected-mode yes
requirepass $PASSWORD
daemonize yes
pidfile $DIR/redis.pid
logfile $DIR/server.log
dir $DIR
save ""
appendonly no
maxmemory-policy noeviction
databases 4
CONF
  local i
  for i in $(seq 1 100); do
    if redis-cli -h 127.0.0.1 -p "$port" -a "$PASSWORD" --no-auth-warning ping 2>/dev/null | grep -q PONG; then
      echo "redis://:$PASSWORD@127.0.0.1:$port/0" >"$DIR/url"
      cat "$DIR/url"
      return
    fi
    sleep 0.1
  done
  cat "$DIR/server.log" >&2 2>/dev/null || true
  die "the server did not answer on port $port"
}

stop() {
  stop_pid "$DIR/redis.pid"
  rm -rf "$DIR"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env) echo "export MEDIAFLOW_TEST_REDIS_URL=$(start)" ;;
  *) die "usage: $0 start|stop|env" ;;
esac

#!/usr/bin/env bash
# A throwaway RabbitMQ on loopback for the event bus conformance tests.
#
#   infrastructure/local/rabbitmq.sh start   # prints the URL; also written to $DIR/url
#   infrastructure/local/rabbitmq.sh stop    # stops the node (and its epmd) and deletes $DIR
#   eval "$(infrastructure/local/rabbitmq.sh env)"   # exports MEDIAFLOW_TEST_AMQP_URL
#
# $MEDIAFLOW_RABBITMQ_DIR (default: $TMPDIR/mediaflow-rabbitmq) holds the node's
# database, logs, config, Erlang cookie (HOME points there) and the URL. The node is
# private: its own name, its own epmd on a free port, the AMQP listener and the
# distribution port on free loopback ports, no plugins, a user `mediaflow` with
# password `mediaflow-local` on the vhost `mediaflow`. The package's own service (and
# its fixed ports) is never used. When rabbitmq-server is missing and we are root, it
# is installed with apt-get.
#
# $MEDIAFLOW_RABBITMQ_PORT, when set, is the AMQP port instead of a free one (a test that
# stops the node restarts it where its clients reconnect).
set -euo pipefail

DIR=${MEDIAFLOW_RABBITMQ_DIR:-${TMPDIR:-/tmp}/mediaflow-rabbitmq}
USER_NAME=mediaflow
PASSWORD=mediaflow-local
VHOST=mediaflow
BIN=/usr/lib/rabbitmq/bin

SCRIPT=rabbitmq.sh
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_installed() {
  [ -x "$BIN/rabbitmq-server" ] && return
  [ "$(id -u)" = 0 ] || die "rabbitmq-server is not installed; run: sudo apt-get install -y rabbitmq-server"
  echo "rabbitmq.sh: installing rabbitmq-server" >&2
  apt-get update -qq >&2
  # policy-rc.d may or may not stop the package from starting its own node on the
  # fixed ports; either way it is not ours, which is why we never rely on them.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server >&2
}

# The environment every RabbitMQ program of our node runs with; written by `start`.
node_env() {
  # shellcheck source=/dev/null
  source "$DIR/node.env"
}

running() {
  [ -f "$DIR/node.env" ] && [ -f "$DIR/server.pid" ] && kill -0 "$(cat "$DIR/server.pid")" 2>/dev/null
}

start() {
  if [ -f "$DIR/url" ] && running; then
    cat "$DIR/url"
    return
  fi
  ensure_installed
  stop_node
  rm -rf "$DIR"
  mkdir -p "$DIR/home" "$DIR/log" "$DIR/mnesia"
  local amqp_port dist_port epmd_port
  amqp_port=$(pick_port "${MEDIAFLOW_RABBITMQ_PORT:-}" 56720 56820)
  dist_port=$(free_port 25720 25820)
  epmd_port=$(free_port 43720 43820)
  cat >"$DIR/node.env" <<ENV
export HOME='$DIR/home'
export RABBITMQ_NODENAME='mediaflow-$amqp_port@localhost'
export RABBITMQ_USE_LONGNAME=false
export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
export RABBITMQ_NODE_PORT=$amqp_port
export RABBITMQ_DIST_PORT=$dist_port
export ERL_EPMD_PORT=$epmd_port
export ERL_EPMD_ADDRESS=127.0.0.1
export RABBITMQ_MNESIA_BASE='$DIR/mnesia'
export RABBITMQ_LOG_BASE='$DIR/log'
export RABBITMQ_CONFIG_FILE='$DIR/rabbitmq.conf'
export RABBITMQ_ENABLED_PLUGINS_FILE='$DIR/enabled_plugins'
export RABBITMQ_ADVANCED_CONFIG_FILE='$DIR/advanced.config'
export RABBITMQ_CONF_ENV_FILE='$DIR/rabbitmq-env.conf'
export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS='-kernel inet_dist_use_interface {127,0,0,1}'
ENV
  echo "[]." >"$DIR/enabled_plugins"
  echo "[]." >"$DIR/advanced.config"
  : >"$DIR/rabbitmq-env.conf"
  cat >"$DIR/rabbitmq.conf" <<CONF
listeners.tcp.1 = 127.0.0.1:$amqp_port
default_user = $USER_NAME
default_pass = $PASSWORD
default_vhost = $VHOST
default_permissions.configure = .*
default_permissions.read = .*
default_permissions.write = .*
loopback_users = none
log.file.level = warning
log.console = false
disk_free_limit.absolute = 50MB
CONF
  node_env
  local began
  began=$(date +%s%N)
  setsid "$BIN/rabbitmq-server" >"$DIR/server.out" 2>&1 </dev/null &
  echo $! >"$DIR/server.pid"
  # Bounded: a node that has not opened its listener in 120 s will not. The listener
  # opens last in the boot; await_startup then confirms the boot completed.
  local i
  for i in $(seq 1 1200); do
    (exec 3<>"/dev/tcp/127.0.0.1/$amqp_port") 2>/dev/null && break
    kill -0 "$(cat "$DIR/server.pid")" 2>/dev/null || break
    sleep 0.1
  done
  if timeout 60 "$BIN/rabbitmqctl" -q --timeout 50 await_startup >"$DIR/await.log" 2>&1 \
    && (exec 3<>"/dev/tcp/127.0.0.1/$amqp_port") 2>/dev/null; then
    echo "rabbitmq.sh: node up in $(( ($(date +%s%N) - began) / 1000000 )) ms" >&2
    echo "amqp://$USER_NAME:$PASSWORD@127.0.0.1:$amqp_port/$VHOST" >"$DIR/url"
    cat "$DIR/url"
    return
  fi
  cat "$DIR/await.log" "$DIR/server.out" >&2 2>/dev/null || true
  tail -n 40 "$DIR"/log/*.log >&2 2>/dev/null || true
  stop_node
  die "the node did not start on port $amqp_port"
}

# Stops our node and the epmd it started (on our private port), if they run.
stop_node() {
  [ -f "$DIR/node.env" ] || return 0
  (
    node_env
    if running; then
      local pid
      pid=$(cat "$DIR/server.pid")
      timeout 30 "$BIN/rabbitmqctl" -q stop >/dev/null 2>&1 || true
      local i
      for i in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
      done
      kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true
    fi
    # Our epmd listens on our private port only; asking it to quit touches no other.
    timeout 10 epmd -port "$ERL_EPMD_PORT" -kill >/dev/null 2>&1 || true
  )
}

stop() {
  stop_node
  rm -rf "$DIR"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env) echo "export MEDIAFLOW_TEST_AMQP_URL=$(start)" ;;
  *) die "usage: $0 start|stop|env" ;;
esac

#!/usr/bin/env bash
# A throwaway S3 server (moto, from PyPI) on loopback for the object store's
# conformance tests.
#
#   infrastructure/local/s3.sh start   # prints the URL; also written to $DIR/url
#   infrastructure/local/s3.sh stop    # stops the server and deletes $DIR
#   eval "$(infrastructure/local/s3.sh env)"   # exports MEDIAFLOW_TEST_S3_URL
#
# $MEDIAFLOW_S3_DIR (default: $TMPDIR/mediaflow-s3) holds the pid file, the log and
# the URL. The server listens on 127.0.0.1 on a free port and keeps everything in
# memory. The URL is http://mediaflow:mediaflow-local@127.0.0.1:PORT/BUCKET?region=us-east-1;
# the bucket is created by the store on first use. When moto is missing it is
# installed with pip (`moto[server]`).
#
# moto accepts any credentials here: its optional signature check
# (INITIAL_NO_AUTH_ACTION_COUNT) rebuilds the canonical request from a re-quoted
# URL, so it refuses correctly signed requests (boto3's included) whose key holds
# `(`, `+`, `'`, `!`, `*` or non-ASCII characters, or whose listing prefix holds a
# `/`. The signer is checked against AWS's published examples instead (unit suite).
#
# $MEDIAFLOW_S3_PORT, when set, is the port to listen on instead of a free one (a test that
# stops the server restarts it where its clients reconnect).
set -euo pipefail

DIR=${MEDIAFLOW_S3_DIR:-${TMPDIR:-/tmp}/mediaflow-s3}
BUCKET=mediaflow-test
REGION=us-east-1
ACCESS_KEY=mediaflow
SECRET_KEY=mediaflow-local
PYTHON=${PYTHON:-python3}

SCRIPT=s3.sh
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_installed() {
  "$PYTHON" -c "import moto.server" 2>/dev/null && return
  command -v "$PYTHON" >/dev/null 2>&1 || die "$PYTHON is missing; install Python 3 first"
  echo "s3.sh: installing moto[server] with pip" >&2
  "$PYTHON" -m pip install -q 'moto[server]' >&2 \
    || "$PYTHON" -m pip install -q --break-system-packages 'moto[server]' >&2 \
    || die "cannot install moto[server] with pip"
}

running() {
  [ -f "$DIR/moto.pid" ] && kill -0 "$(cat "$DIR/moto.pid")" 2>/dev/null
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
  port=$(pick_port "${MEDIAFLOW_S3_PORT:-}" 45670 45770)
  nohup "$PYTHON" -m moto.server -H 127.0.0.1 -p "$port" \
    >"$DIR/server.log" 2>&1 </dev/null &
  echo $! >"$DIR/moto.pid"
  local i
  for i in $(seq 1 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "http://$ACCESS_KEY:$SECRET_KEY@127.0.0.1:$port/$BUCKET?region=$REGION" >"$DIR/url"
      cat "$DIR/url"
      return
    fi
    running || { cat "$DIR/server.log" >&2; die "the server exited"; }
    sleep 0.1
  done
  cat "$DIR/server.log" >&2 2>/dev/null || true
  die "the server did not answer on port $port"
}

stop() {
  stop_pid "$DIR/moto.pid"
  rm -rf "$DIR"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env) echo "export MEDIAFLOW_TEST_S3_URL=$(start)" ;;
  *) die "usage: $0 start|stop|env" ;;
esac

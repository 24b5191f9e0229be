#!/usr/bin/env bash
# A throwaway PostgreSQL 15 on loopback for the store's conformance tests.
#
#   infrastructure/local/postgres.sh start   # prints the URL; also written to $DIR/url
#   infrastructure/local/postgres.sh stop    # stops the server and deletes $DIR
#   eval "$(infrastructure/local/postgres.sh env)"   # exports MEDIAFLOW_TEST_POSTGRES_URL
#
# $MEDIAFLOW_PG_DIR (default: $TMPDIR/mediaflow-postgres) holds the cluster, the log
# and the URL. The server listens on 127.0.0.1 on a free port, with password
# authentication, fsync off (data is disposable) and a database `mediaflow`.
# PostgreSQL refuses to run as root: as root the cluster belongs to the `postgres`
# user. When PostgreSQL 15 is missing and we are root, it is installed with apt-get.
#
# $MEDIAFLOW_PG_PORT, when set, is the port to listen on instead of a free one (a test that
# stops the server restarts it where its clients reconnect).
set -euo pipefail

BIN=/usr/lib/postgresql/15/bin
DIR=${MEDIAFLOW_PG_DIR:-${TMPDIR:-/tmp}/mediaflow-postgres}
USER_NAME=mediaflow
PASSWORD=mediaflow-local
DATABASE=mediaflow

SCRIPT=postgres.sh
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Runs a PostgreSQL program as the user that owns the cluster.
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

ensure_installed() {
  [ -x "$BIN/initdb" ] && return
  [ "$(id -u)" = 0 ] || die "PostgreSQL 15 is not installed ($BIN/initdb missing); run: sudo apt-get install -y postgresql-15"
  echo "postgres.sh: installing postgresql-15" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >&2
  # The package may start a cluster of its own; it is not ours to use, and it
  # holds port 5432, which is why we never rely on a fixed port.
}

start() {
  if [ -f "$DIR/url" ] && as_owner "$BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; then
    cat "$DIR/url"
    return
  fi
  ensure_installed
  rm -rf "$DIR"
  mkdir -p "$DIR"
  [ "$(id -u)" = 0 ] && chown postgres: "$DIR"
  printf '%s\n' "$PASSWORD" >"$DIR/pwfile"
  [ "$(id -u)" = 0 ] && chown postgres: "$DIR/pwfile"
  as_owner "$BIN/initdb" -D "$DIR/data" -U "$USER_NAME" --pwfile="$DIR/pwfile" \
    --auth=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 \
    || { cat "$DIR/initdb.log" >&2; die "initdb failed"; }
  local port
  port=$(pick_port "${MEDIAFLOW_PG_PORT:-}" 54320 54420)
  as_owner "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 30 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
    start >/dev/null || { cat "$DIR/server.log" >&2; die "the server did not start"; }
  PGPASSWORD=$PASSWORD "$BIN/createdb" -h 127.0.0.1 -p "$port" -U "$USER_NAME" "$DATABASE"
  echo "postgres://$USER_NAME:$PASSWORD@127.0.0.1:$port/$DATABASE" >"$DIR/url"
  cat "$DIR/url"
}

stop() {
  if [ -d "$DIR/data" ]; then
    as_owner "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$DIR"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env) echo "export MEDIAFLOW_TEST_POSTGRES_URL=$(start)" ;;
  *) die "usage: $0 start|stop|env" ;;
esac

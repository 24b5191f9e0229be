#!/bin/sh
# Entrypoint of mediaflow-local/postgres:15. Keeps the official postgres image's contract
# for what infrastructure/infra.yaml uses: POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB
# and PGDATA; the first start initialises the cluster, later starts reuse the volume.
set -eu

PGDATA="${PGDATA:-/var/lib/postgresql/data}"
export PGDATA

if [ "${1#-}" != "$1" ]; then
  set -- postgres "$@"
fi

if [ "$1" = postgres ] && [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  chown -R postgres:postgres "$PGDATA" /var/run/postgresql
  chmod 700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

if [ "$1" = postgres ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
  : "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD must be set (as with the official image)}"
  user="${POSTGRES_USER:-postgres}"
  db="${POSTGRES_DB:-$user}"
  pwfile="$(mktemp)"
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  initdb --username="$user" --pwfile="$pwfile" --encoding=UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  rm -f "$pwfile"
  printf "\nlisten_addresses = '*'\n" >>"$PGDATA/postgresql.conf"
  printf 'host all all all scram-sha-256\n' >>"$PGDATA/pg_hba.conf"
  if [ "$db" != postgres ]; then
    # A private socket directory: health checks (pg_isready on the default socket) must
    # not see this temporary server as ready.
    initsock="$(mktemp -d)"
    pg_ctl -D "$PGDATA" -w -o "-c listen_addresses='' -c unix_socket_directories=$initsock" start >/dev/null
    psql -v ON_ERROR_STOP=1 -h "$initsock" --username="$user" --dbname=postgres -q \
      -c "CREATE DATABASE \"$db\""
    pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
    rmdir "$initsock"
  fi
  echo "mediaflow-local/postgres: initialised $PGDATA (user $user, database $db)"
fi

exec "$@"

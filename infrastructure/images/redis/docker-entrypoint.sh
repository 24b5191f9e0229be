#!/bin/sh
# Entrypoint of mediaflow-local/redis:7. Keeps the official redis image's contract: the
# command is redis-server with extra arguments, it runs as user redis in /data, and
# protected mode is off because the engine publishes the port (on 127.0.0.1 only).
set -eu

if [ "${1#-}" != "$1" ]; then
  set -- redis-server "$@"
fi

if [ "$1" = redis-server ]; then
  shift
  # Later arguments win in redis-server, so an explicit --protected-mode still applies.
  set -- redis-server --protected-mode no "$@"
  if [ "$(id -u)" = 0 ]; then
    chown -R redis:redis /data
    exec setpriv --reuid=redis --regid=redis --init-groups "$@"
  fi
fi

exec "$@"

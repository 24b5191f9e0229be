# Shared by the throwaway-server scripts beside this file (sourced, not run).
# The sourcing script sets SCRIPT (its name, for messages) before sourcing.

die() { echo "$SCRIPT: $*" >&2; exit 2; }

# A port in FIRST..LAST nothing listens on at 127.0.0.1. The search starts at a
# random offset, so two servers started at the same moment (before either listens)
# rarely pick the same port.
free_port() {
  local first=$1 last=$2 span offset i port
  span=$(( last - first + 1 ))
  offset=$(( RANDOM % span ))
  for (( i = 0; i < span; i++ )); do
    port=$(( first + (offset + i) % span ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  die "no free port between $first and $last"
}

# The port to listen on: FIXED when it is set (a caller restarting a server on the
# port its clients know), else a free one in FIRST..LAST. A fixed port must be free.
pick_port() {
  local fixed=$1 first=$2 last=$3
  if [ -z "$fixed" ]; then
    free_port "$first" "$last"
    return
  fi
  [[ "$fixed" =~ ^[0-9]+$ ]] && (( fixed > 0 && fixed < 65536 )) || die "not a port: $fixed"
  if (exec 3<>"/dev/tcp/127.0.0.1/$fixed") 2>/dev/null; then
    die "port $fixed is in use at 127.0.0.1"
  fi
  echo "$fixed"
}

# Stops the process whose pid is in PIDFILE (if it runs) and waits up to 5 s for it.
stop_pid() {
  local pidfile=$1 pid i
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  kill -0 "$pid" 2>/dev/null || return 0
  kill "$pid" 2>/dev/null || true
  for i in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
}

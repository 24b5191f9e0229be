# Shared by the throwaway-server scripts beside this file (sourced, not run).
# The sourcing script sets SCRIPT (its name, for messages) before sourcing.

die() { echo "$SCRIPT: $*" >&2; exit 2; }

# The first port in FIRST..LAST nothing listens on at 127.0.0.1.
free_port() {
  local first=$1 last=$2 port
  for port in $(seq "$first" "$last"); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  die "no free port between $first and $last"
}

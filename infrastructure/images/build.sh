#!/usr/bin/env bash
# Builds the local stand-ins for the registry images `mediaflow up` needs, without a
# registry: a Debian root filesystem (debootstrap --variant=minbase) plus the server
# packages, imported with `docker import` and tagged:
#
#   mediaflow-local/postgres:15   PostgreSQL 15 (same env/volume/health contract as postgres:15)
#   mediaflow-local/redis:7       Redis 7       (same contract as redis:7)
#
# Usage: infrastructure/images/build.sh [--force] [postgres|redis]...
#   no names  build both; an image that already exists is skipped (cached) unless --force.
# Needs root (debootstrap and chroot), a running Docker engine and Debian's package mirror.
# The base root filesystem is cached as a tarball in $MEDIAFLOW_IMAGE_CACHE
# (default /var/cache/mediaflow-images) so a second image or a --force rebuild skips it.
#
# Use the images with `mediaflow up --image postgres=mediaflow-local/postgres:15 ...` or
# in .mediaflow/infra.toml (see infrastructure/README.md).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
suite="${MEDIAFLOW_DEBIAN_SUITE:-bookworm}"
mirror="${MEDIAFLOW_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
security_mirror="${MEDIAFLOW_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"
cache="${MEDIAFLOW_IMAGE_CACHE:-/var/cache/mediaflow-images}"

force=0
wanted=()
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    postgres|redis) wanted+=("$arg") ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build.sh: unknown argument '$arg' (expected --force, postgres or redis)" >&2; exit 2 ;;
  esac
done
[ ${#wanted[@]} -eq 0 ] && wanted=(postgres redis)

log() { printf '[images] %s\n' "$*"; }

image_tag() {
  case "$1" in
    postgres) echo "mediaflow-local/postgres:15" ;;
    redis) echo "mediaflow-local/redis:7" ;;
  esac
}

if ! docker info >/dev/null 2>&1; then
  echo "build.sh: the Docker engine is not reachable; start it (or set DOCKER_HOST) and re-run" >&2
  exit 2
fi

todo=()
for name in "${wanted[@]}"; do
  tag="$(image_tag "$name")"
  if [ "$force" -eq 0 ] && docker image inspect "$tag" >/dev/null 2>&1; then
    log "$tag present, skipped (use --force to rebuild)"
  else
    todo+=("$name")
  fi
done
[ ${#todo[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "build.sh: building images needs root (debootstrap and chroot); re-run with sudo" >&2
  exit 2
fi

if ! command -v debootstrap >/dev/null 2>&1; then
  log "installing debootstrap"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi

work="$(mktemp -d /var/tmp/mediaflow-images.XXXXXX)"
mounted=()
cleanup() {
  for m in "${mounted[@]}"; do umount -l "$m" 2>/dev/null || true; done
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT

# The base root filesystem, shared by every image and cached between runs.
base_tar="$cache/$suite-minbase.tar"
if [ ! -s "$base_tar" ]; then
  log "debootstrap $suite (minbase) — a few minutes on first run"
  mkdir -p "$cache"
  debootstrap --variant=minbase "$suite" "$work/base" "$mirror" >"$work/debootstrap.log" 2>&1 || {
    tail -n 30 "$work/debootstrap.log" >&2
    echo "build.sh: debootstrap failed; is $mirror reachable?" >&2
    exit 1
  }
  tar -C "$work/base" -cf "$base_tar.partial" .
  mv "$base_tar.partial" "$base_tar"
  rm -rf --one-file-system "$work/base"
fi

# Prepares a root filesystem from the base with the given packages installed.
rootfs_with() {
  local root="$1"; shift
  mkdir -p "$root"
  tar -C "$root" -xf "$base_tar"
  cat >"$root/etc/apt/sources.list" <<EOF
deb $mirror $suite main
deb $mirror $suite-updates main
deb $security_mirror $suite-security main
EOF
  # No service may start inside the chroot, and no default cluster is wanted: the
  # entrypoint initialises the data directory on first start, as the official image does.
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
  chmod +x "$root/usr/sbin/policy-rc.d"
  mkdir -p "$root/etc/postgresql-common"
  echo "create_main_cluster = false" >"$root/etc/postgresql-common/createcluster.conf"
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  mount -t proc proc "$root/proc"
  mounted+=("$root/proc")
  local apt_log="$work/$(basename "$root")-apt.log"
  # A clean environment: the host's (TMPDIR, say) means nothing inside the root.
  chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
    DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 sh -c "apt-get update && apt-get install -y --no-install-recommends $*" >"$apt_log" 2>&1 || {
    tail -n 30 "$apt_log" >&2
    echo "build.sh: installing $* into the image failed; is $mirror reachable?" >&2
    exit 1
  }
  umount "$root/proc"
  chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin apt-get clean
  rm -rf "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* "$root"/usr/share/man/* \
    "$root"/usr/share/locale/* "$root"/var/log/*.log "$root/usr/sbin/policy-rc.d" \
    "$root"/etc/ssl/private/ssl-cert-snakeoil.key "$root"/etc/ssl/certs/ssl-cert-snakeoil.pem
  : >"$root/etc/resolv.conf"
}

import_rootfs() {
  local root="$1" tag="$2"; shift 2
  local previous
  previous="$(docker image inspect --format '{{.Id}}' "$tag" 2>/dev/null || true)"
  local changes=()
  for c in "$@"; do changes+=(--change "$c"); done
  tar -C "$root" -c . | docker import "${changes[@]}" \
    --change "LABEL io.mediaflow.local-image=debootstrap-$suite" \
    --message "mediaflow local image built by infrastructure/images/build.sh" - "$tag" >/dev/null
  log "$tag built ($(docker image inspect --format '{{.Size}}' "$tag" | awk '{printf "%.0f MB", $1/1e6}'))"
  # A rebuild (--force) leaves the old image untagged; drop it unless a container uses it.
  if [ -n "$previous" ] && [ "$previous" != "$(docker image inspect --format '{{.Id}}' "$tag")" ]; then
    docker image rm "$previous" >/dev/null 2>&1 || true
  fi
}

build_postgres() {
  local root="$work/postgres"
  log "building mediaflow-local/postgres:15"
  rootfs_with "$root" postgresql-15
  install -m 0755 "$here/postgres/docker-entrypoint.sh" "$root/usr/local/bin/docker-entrypoint.sh"
  mkdir -p "$root/var/lib/postgresql/data" "$root/var/run/postgresql"
  chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin chown -R postgres:postgres /var/lib/postgresql /var/run/postgresql
  import_rootfs "$root" "$(image_tag postgres)" \
    "ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    "ENV PGDATA=/var/lib/postgresql/data" \
    "ENV LANG=C.UTF-8" \
    "VOLUME /var/lib/postgresql/data" \
    "EXPOSE 5432" \
    'ENTRYPOINT ["docker-entrypoint.sh"]' \
    'CMD ["postgres"]'
}

build_redis() {
  local root="$work/redis"
  log "building mediaflow-local/redis:7"
  rootfs_with "$root" redis-server
  install -m 0755 "$here/redis/docker-entrypoint.sh" "$root/usr/local/bin/docker-entrypoint.sh"
  mkdir -p "$root/data"
  chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin chown redis:redis /data
  import_rootfs "$root" "$(image_tag redis)" \
    "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    "ENV LANG=C.UTF-8" \
    "VOLUME /data" \
    "WORKDIR /data" \
    "EXPOSE 6379" \
    'ENTRYPOINT ["docker-entrypoint.sh"]' \
    'CMD ["redis-server"]'
}

for name in "${todo[@]}"; do
  "build_$name"
done

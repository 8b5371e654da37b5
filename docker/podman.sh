#!/usr/bin/env bash
# docker/podman.sh: Podman as the second engine of the container tests.
#
#   docker/podman.sh [ensure]      install Debian's podman if missing, write its
#                                  settings for this machine, check that a
#                                  container runs
#   docker/podman.sh load IMAGE..  copy images from the Docker engine (docker
#                                  save | podman load); skipped when podman
#                                  already holds the same image ID
#   docker/podman.sh status        exit 0 if podman runs containers here
#
# Podman is daemonless: nothing is started or left running. Images come from
# the same debootstrap base as Docker's (test/docker/images.ts builds them in
# Docker; `load` imports them), never from a registry.
#
# Two settings of this machine make Debian's defaults fail, and the file
# written by `ensure` (SETTINGS below) changes exactly those:
# - crun 1.8 (podman's default runtime) refuses cgroup v1 with a cgroup2
#   hierarchy beside it: "crun: cgroups in hybrid mode not supported, drop all
#   controllers from cgroupv2". runc, Docker's runtime here, accepts it.
# - A rootful podman gives every container RLIMIT_NOFILE 1048576 and
#   RLIMIT_NPROC 4194304, above this process tree's hard limits; without
#   CAP_SYS_RESOURCE the runtime's setrlimit then fails: "error setting rlimit
#   type 6: operation not permitted". default_ulimits uses the hard limits we
#   have (NPROC at most 32768: conmon runs with that, and the container's
#   runtime inherits conmon's limits).
#
# Quiet on success except one line; on failure one line "podman.sh: <reason>"
# on stderr and exit 1, so a test can skip with that reason.
set -euo pipefail

readonly SETTINGS=${UNITD_PODMAN_CONF:-/etc/containers/containers.conf.d/50-unitd-tests.conf}
readonly APT_TIMEOUT_SEC=${UNITD_APT_TIMEOUT_SEC:-600}
readonly LOCK=/run/unitd-podman-engine.lock
readonly PROBE_IMAGE=${UNITD_PODMAN_PROBE_IMAGE:-unitd-base:bookworm-minbase}

die() {
  echo "podman.sh: $*" >&2
  exit 1
}

install_packages() {
  command -v podman >/dev/null 2>&1 && command -v runc >/dev/null 2>&1 && return 0
  [[ $(id -u) == 0 ]] || die "not root: cannot apt-get install podman"
  local out
  out=$(mktemp)
  if ! {
    timeout "$APT_TIMEOUT_SEC" apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive timeout "$APT_TIMEOUT_SEC" \
        apt-get install -y -qq --no-install-recommends podman runc conmon
  } >"$out" 2>&1; then
    tail -n 5 "$out" >&2
    rm -f "$out"
    die "apt-get install podman failed (last lines above)"
  fi
  rm -f "$out"
}

write_settings() {
  local nofile nproc
  nofile=$(ulimit -Hn)
  nproc=$(ulimit -Hu)
  [[ $nofile == unlimited ]] && nofile=1048576
  if [[ $nproc == unlimited ]] || ((nproc > 32768)); then nproc=32768; fi
  mkdir -p "$(dirname "$SETTINGS")"
  local tmp="$SETTINGS.tmp.$$"
  cat >"$tmp" <<EOF
# Written by unitd's docker/podman.sh: see the reasons there.
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
  mv "$tmp" "$SETTINGS"
}

# podman's image ID is the config digest, the same as Docker's.
load_image() {
  local image=$1 want have
  want=$(docker image inspect --format '{{.Id}}' "$image" 2>/dev/null) || die "Docker has no image $image"
  have=$(podman image inspect --format '{{.Id}}' "localhost/$image" 2>/dev/null || true)
  [[ "sha256:$have" == "$want" || "$have" == "$want" ]] && return 0
  docker save "$image" | podman load -q >/dev/null || die "podman load of $image failed"
}

probe() {
  local out
  out=$(timeout 120 podman run --rm --network none "localhost/$PROBE_IMAGE" /bin/true 2>&1) ||
    die "podman run fails here: $(echo "$out" | tail -n 1 | cut -c1-300)"
}

ensure() {
  install_packages
  [[ $(id -u) == 0 ]] || die "not root: the tests run rootful podman"
  exec 9>"$LOCK"
  flock -w 300 9 || die "timed out waiting for another podman.sh holding $LOCK"
  write_settings
  load_image "$PROBE_IMAGE"
  probe
  echo "podman.sh: $(podman --version) runs containers (runtime runc, settings $SETTINGS)"
}

case ${1:-ensure} in
  ensure) ensure ;;
  load)
    shift
    exec 9>"$LOCK"
    flock -w 600 9 || die "timed out waiting for another podman.sh holding $LOCK"
    for image in "$@"; do load_image "$image"; done
    ;;
  status) command -v podman >/dev/null 2>&1 && probe ;;
  *) die "usage: podman.sh [ensure|load IMAGE...|status]" ;;
esac

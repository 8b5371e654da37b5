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
#   docker/podman.sh ensure-rootless
#                                  the same for rootless podman: a user
#                                  ($ROOTLESS_USER) with subordinate ids, its
#                                  runtime directory and native overlay storage
#   docker/podman.sh load --rootless IMAGE..
#                                  load into that user's storage
#   docker/podman.sh rootless ARG.. run `podman ARG..` as that user
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
readonly ROOTLESS_USER=${UNITD_PODMAN_USER:-unitd-podman}

die() {
  echo "podman.sh: $*" >&2
  exit 1
}

install_packages() {
  command -v podman >/dev/null 2>&1 && command -v runc >/dev/null 2>&1 &&
    command -v newuidmap >/dev/null 2>&1 && return 0
  [[ $(id -u) == 0 ]] || die "not root: cannot apt-get install podman"
  local out
  out=$(mktemp)
  if ! {
    timeout "$APT_TIMEOUT_SEC" apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive timeout "$APT_TIMEOUT_SEC" \
        apt-get install -y -qq --no-install-recommends podman runc conmon uidmap
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

# PODMAN is `rootful_podman`, or `rootless_podman` for the rootless user;
# PODMAN_TIMEOUT_SEC, when set, bounds the command.
PODMAN=rootful_podman

rootful_podman() {
  ${PODMAN_TIMEOUT_SEC:+timeout "$PODMAN_TIMEOUT_SEC"} podman "$@"
}

rootless_podman() {
  local uid
  uid=$(id -u "$ROOTLESS_USER")
  # A login shell's environment: podman keys its rootless state on HOME and XDG_RUNTIME_DIR.
  (cd / && runuser -u "$ROOTLESS_USER" -- env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
    HOME="$(getent passwd "$ROOTLESS_USER" | cut -d: -f6)" XDG_RUNTIME_DIR="/run/user/$uid" \
    ${PODMAN_TIMEOUT_SEC:+timeout "$PODMAN_TIMEOUT_SEC"} podman "$@")
}

# podman's image ID is the config digest, the same as Docker's.
load_image() {
  local image=$1 want have
  want=$(docker image inspect --format '{{.Id}}' "$image" 2>/dev/null) || die "Docker has no image $image"
  have=$($PODMAN image inspect --format '{{.Id}}' "localhost/$image" 2>/dev/null || true)
  [[ "sha256:$have" == "$want" || "$have" == "$want" ]] && return 0
  docker save "$image" | $PODMAN load -q >/dev/null || die "podman load of $image failed"
  # The image this one replaced (each rebuild is ~1 GB); kept if a container still uses it.
  [[ -n $have ]] && $PODMAN rmi "$have" >/dev/null 2>&1
  return 0
}

probe() {
  local out
  out=$(PODMAN_TIMEOUT_SEC=120 $PODMAN run --rm --network none "localhost/$PROBE_IMAGE" /bin/true 2>&1) ||
    die "podman run fails here: $(echo "$out" | grep -v 'is not a shared mount' | tail -n 1 | cut -c1-300)"
}

# Rootless podman needs a user with subordinate ids (useradd allocates them
# from /etc/login.defs), newuidmap, a runtime directory, and unprivileged user
# namespaces. Storage is the kernel's own overlay (rootless since Linux 5.13):
# without a setting podman falls back to vfs, which copies every layer.
setup_rootless() {
  unshare --user --map-root-user true 2>/dev/null || die "no unprivileged user namespaces: rootless podman cannot run"
  if ! id "$ROOTLESS_USER" >/dev/null 2>&1; then
    useradd --create-home --shell /usr/sbin/nologin "$ROOTLESS_USER" || die "useradd $ROOTLESS_USER failed"
  fi
  grep -q "^$ROOTLESS_USER:" /etc/subuid && grep -q "^$ROOTLESS_USER:" /etc/subgid ||
    die "$ROOTLESS_USER has no range in /etc/subuid or /etc/subgid"
  local uid home
  uid=$(id -u "$ROOTLESS_USER")
  home=$(getent passwd "$ROOTLESS_USER" | cut -d: -f6)
  install -d -m 700 -o "$ROOTLESS_USER" -g "$(id -g "$ROOTLESS_USER")" "/run/user/$uid"
  if [[ ! -e $home/.local/share/containers/storage && ! -e $home/.config/containers/storage.conf ]]; then
    runuser -u "$ROOTLESS_USER" -- mkdir -p "$home/.config/containers"
    printf '[storage]\ndriver = "overlay"\n' | runuser -u "$ROOTLESS_USER" -- tee "$home/.config/containers/storage.conf" >/dev/null
  fi
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

ensure_rootless() {
  ensure >/dev/null
  setup_rootless
  PODMAN=rootless_podman
  load_image "$PROBE_IMAGE"
  probe
  echo "podman.sh: rootless $(podman --version) runs containers as $ROOTLESS_USER (uid $(id -u "$ROOTLESS_USER"), storage $($PODMAN info --format '{{.Store.GraphDriverName}}' 2>/dev/null))"
}

case ${1:-ensure} in
  ensure) ensure ;;
  ensure-rootless) ensure_rootless ;;
  rootless)
    shift
    rootless_podman "$@"
    ;;
  load)
    shift
    if [[ ${1:-} == --rootless ]]; then
      PODMAN=rootless_podman
      shift
    fi
    exec 9>"$LOCK"
    flock -w 600 9 || die "timed out waiting for another podman.sh holding $LOCK"
    for image in "$@"; do load_image "$image"; done
    ;;
  status) command -v podman >/dev/null 2>&1 && probe ;;
  *) die "usage: podman.sh [ensure|ensure-rootless|load [--rootless] IMAGE...|rootless ARG...|status]" ;;
esac

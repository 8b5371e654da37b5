#!/usr/bin/env bash
# docker/engine.sh: make sure a Docker engine answers, for tests and CI.
#
#   docker/engine.sh [ensure]   install docker.io + debootstrap if missing, start
#                               dockerd if no engine answers, wait until it does
#   docker/engine.sh status     exit 0 if an engine answers, 1 otherwise
#   docker/engine.sh stop       stop the dockerd that this script started
#
# Quiet on success except for one line naming the engine and its log. On
# failure: one line "engine.sh: <reason>" on stderr and exit 1, so a test can
# skip with that reason.
#
# The engine runs without any bridge network: containers always run with
# --network none and builds with --network host (see test/docker/harness.ts).
set -euo pipefail

readonly LOG=${UNITD_DOCKERD_LOG:-/var/log/unitd-dockerd.log}
readonly PIDFILE=${UNITD_DOCKERD_PIDFILE:-/run/unitd-dockerd.pid}
readonly LOCK=/run/unitd-docker-engine.lock
readonly WAIT_SEC=${UNITD_DOCKERD_WAIT_SEC:-60}
readonly APT_TIMEOUT_SEC=${UNITD_APT_TIMEOUT_SEC:-600}

die() {
  echo "engine.sh: $*" >&2
  exit 1
}

# The Debian daemon is 20.10 (API 1.41); a newer client negotiates down to it.
# If the client on PATH is too new to talk to it, fall back to the package's.
docker_cli() {
  if [[ -n ${UNITD_DOCKER_CLI:-} ]]; then
    echo "$UNITD_DOCKER_CLI"
  elif command -v docker >/dev/null 2>&1; then
    command -v docker
  elif [[ -x /usr/bin/docker ]]; then
    echo /usr/bin/docker
  fi
}

engine_answers() {
  local cli
  cli=$(docker_cli)
  [[ -n $cli ]] || return 1
  timeout 10 "$cli" info --format '{{.ServerVersion}}' >/dev/null 2>&1
}

server_version() {
  echo "dockerd $(timeout 10 "$(docker_cli)" version --format '{{.Server.Version}} API {{.Server.APIVersion}}' 2>/dev/null)"
}

install_packages() {
  local missing=()
  command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
  command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
  ((${#missing[@]} == 0)) && return 0
  [[ $(id -u) == 0 ]] || die "not root: cannot apt-get install ${missing[*]}"
  command -v apt-get >/dev/null 2>&1 || die "no apt-get: install ${missing[*]} by hand"
  local out
  out=$(mktemp)
  # docker.io's postinst may try to start the service; without an init
  # system that step fails harmlessly and dockerd is started below.
  if ! {
    timeout "$APT_TIMEOUT_SEC" apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive timeout "$APT_TIMEOUT_SEC" \
        apt-get install -y -qq --no-install-recommends "${missing[@]}"
  } >"$out" 2>&1; then
    tail -n 5 "$out" >&2
    rm -f "$out"
    die "apt-get install ${missing[*]} failed (last lines above)"
  fi
  rm -f "$out"
}

# Namespaces and mounts are what dockerd and runc need; checking them first
# turns "dockerd exited" into a reason a person can act on.
check_privileges() {
  if command -v unshare >/dev/null 2>&1 &&
    ! unshare --mount --pid --uts --ipc --fork true 2>/dev/null; then
    die "no permission to create namespaces (unshare --mount --pid failed): cannot run containers here"
  fi
  [[ -d /sys/fs/cgroup ]] && [[ -n $(ls -A /sys/fs/cgroup 2>/dev/null) ]] ||
    die "no cgroup filesystem mounted at /sys/fs/cgroup: dockerd cannot start"
}

start_dockerd() {
  check_privileges
  # dockerd refuses a pidfile that names a live process; one left by a dead
  # daemon only gets in the way of telling the two cases apart.
  if [[ -f $PIDFILE ]] && ! kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
    rm -f "$PIDFILE"
  fi
  mkdir -p "$(dirname "$LOG")"
  # setsid: the daemon must outlive the test or CI step that started it.
  setsid dockerd \
    --bridge=none --iptables=false --ip-forward=false --ip-masq=false \
    --pidfile="$PIDFILE" >>"$LOG" 2>&1 </dev/null 9>&- &
  local pid=$! waited=0
  while ! engine_answers; do
    if ! kill -0 "$pid" 2>/dev/null; then
      local last
      last=$(grep -v '^\s*$' "$LOG" | tail -n 1 | cut -c1-300)
      die "dockerd exited during start-up: ${last:-no output} (log: $LOG)"
    fi
    ((waited >= WAIT_SEC * 2)) && die "dockerd (pid $pid) did not answer within ${WAIT_SEC}s (log: $LOG)"
    sleep 0.5
    waited=$((waited + 1))
  done
  echo "engine.sh: started dockerd (pid $pid) in $((waited / 2))s; log: $LOG"
}

ensure() {
  if engine_answers; then
    echo "engine.sh: engine answers ($(server_version)); log: $LOG"
    return 0
  fi
  install_packages
  [[ $(id -u) == 0 ]] ||
    die "no engine answers at ${DOCKER_HOST:-unix:///var/run/docker.sock} and not root: cannot start dockerd"
  # Several tests may call ensure at once: only one of them starts dockerd.
  exec 9>"$LOCK"
  flock -w $((WAIT_SEC + 30)) 9 || die "timed out waiting for another engine.sh holding $LOCK"
  if engine_answers; then
    echo "engine.sh: engine answers ($(server_version)); log: $LOG"
    return 0
  fi
  start_dockerd
}

stop_engine() {
  [[ -f $PIDFILE ]] || {
    echo "engine.sh: no dockerd started by this script ($PIDFILE missing)"
    return 0
  }
  local pid
  pid=$(cat "$PIDFILE")
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.5
  done
  die "dockerd (pid $pid) still running 30s after SIGTERM"
}

case ${1:-ensure} in
  ensure) ensure ;;
  status) engine_answers ;;
  stop) stop_engine ;;
  *) die "usage: engine.sh [ensure|status|stop]" ;;
esac

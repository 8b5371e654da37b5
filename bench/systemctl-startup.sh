#!/bin/sh
# How fast the systemctl client answers, against `node -e 0` (issue 6: at most
# 1.3x for is-active, 1.5x for list-units). Boots the built unitd as PID 1 in a
# private PID and mount namespace with N simple units (default 10), then runs
# hyperfine inside that namespace. Needs root, unshare, nsenter and hyperfine.
#   bench/systemctl-startup.sh [N]
set -eu
n=${1:-10}
repo=$(cd "$(dirname "$0")/.." && pwd)
command -v hyperfine >/dev/null || { echo "hyperfine is not installed (apt-get install -y hyperfine)" >&2; exit 1; }
units=$(mktemp -d /tmp/unitd-bench-units.XXXXXX)
printf '[Unit]\nDescription=Multi-User System\n' > "$units/multi-user.target"
ln -s multi-user.target "$units/default.target"
mkdir "$units/multi-user.target.wants"
i=1
while [ "$i" -le "$n" ]; do
  printf '[Unit]\nDescription=Bench %s\n[Service]\nExecStart=/bin/sleep 100000\n' "$i" > "$units/bench$i.service"
  ln -s "/etc/systemd/system/bench$i.service" "$units/multi-user.target.wants/bench$i.service"
  i=$((i + 1))
done
SYSTEMD_UNIT_PATH=/etc/systemd/system unshare --pid --fork --mount --propagation private --mount-proc \
  sh -c 'mount --bind "$1" /etc/systemd/system; mount -t tmpfs tmpfs /run; exec node "$2/init/unitd"' sh "$units" "$repo" \
  >/dev/null 2>&1 &
outer=$!
pid=""
for _ in $(seq 1 200); do
  pid=$(cat /proc/$outer/task/$outer/children 2>/dev/null | awk '{print $1}')
  [ -n "$pid" ] && [ -S "/proc/$pid/root/run/unitd/control.sock" ] && break
  sleep 0.05
done
trap 'kill -TERM "$pid" 2>/dev/null || true; sleep 1; kill -KILL "$pid" 2>/dev/null || true; rm -rf "$units"' EXIT
sleep 1
inside() { nsenter -t "$pid" -m -p -- "$@"; }
inside node "$repo/init/systemctl" is-active bench1.service
inside hyperfine -N --warmup 3 --runs "${RUNS:-30}" \
  'node -e 0' \
  "node $repo/init/systemctl is-active bench1.service" \
  "node $repo/init/systemctl list-units" \
  "node $repo/init/systemctl status bench1.service -n 0"

#!/usr/bin/env bash
# The root every init under test gets. Runs as PID 1 of a fresh PID namespace, inside a private mount
# namespace (peers.mjs starts it with unshare), and execs the init chrooted into an overlay of / with a
# tmpfs upper layer, as ../shared/tools/systemd-oracle.sh does for systemd: whatever an init writes
# (tmpfiles.d, /etc, /var) never reaches the host. /run and /tmp are fresh tmpfs; the bench's work dir
# is bind-mounted at its own path so the marks services write are seen by the bench.
#   ns-root.sh WORKDIR exec INIT [ARGS...]
#   ns-root.sh WORKDIR systemd UNITDIR [UNIT-TO-ENABLE...]
set -e
w=$1; mode=$2; shift 2
o=$w/root
mkdir -p "$o/rw" "$o/m"; mount -t tmpfs -o size=512m tmpfs "$o/rw"; mkdir -p "$o/rw/u" "$o/rw/k"
M=$o/m
mount -t overlay overlay -o "lowerdir=/,upperdir=$o/rw/u,workdir=$o/rw/k" "$M"
mount -t proc proc "$M/proc"; mount -t sysfs -o ro sysfs "$M/sys"
mount --rbind /dev "$M/dev"; mount -t tmpfs tmpfs "$M/run"; mount -t tmpfs tmpfs "$M/tmp"
mkdir -p "$M$w"; mount --bind "$w" "$M$w"
case "$mode" in
exec) exec chroot "$M" "$@" ;;
systemd)
  units=$1; shift
  mount -t cgroup2 cgroup2 "$M/sys/fs/cgroup"
  E=$M/etc/systemd/system
  find "$E" -maxdepth 2 -path "*.wants/*" -delete
  printf "[Unit]\nDescription=Bench\nRequires=basic.target\nAfter=basic.target\nAllowIsolate=yes\n" > "$E/bench.target"
  mkdir -p "$E/bench.target.wants"; ln -sf bench.target "$E/default.target"
  cp -a "$units"/. "$E/"
  for u in "$@"; do ln -sf "/etc/systemd/system/$u" "$E/bench.target.wants/$u"; done
  export container=docker
  exec chroot "$M" /lib/systemd/systemd --unit=bench.target ;;
esac
echo "ns-root.sh: unknown mode $mode" >&2; exit 2

#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian 12 machine: systemd (the oracle for
# differential tests), util-linux (unshare/nsenter for PID-1 tests), procps, python3,
# debootstrap and docker.io (the real-container tests start their own engine via docker/engine.sh),
# g++-aarch64-linux-gnu (npm run pack cross-builds the linux-arm64 prebuild), logrotate
# (the timer test runs Debian's real logrotate.timer and logrotate.service), dbus and polkitd (the
# bus test runs Debian's dbus.socket, dbus.service and the Type=dbus polkit.service).
# Idempotent and quiet when everything is present.
set -euo pipefail
need=()
for pkg in systemd util-linux procps python3 iproute2 debootstrap docker.io curl g++-aarch64-linux-gnu logrotate dbus polkitd; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || need+=("$pkg")
done
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "test-deps: missing Debian packages ${need[*]} and not root; install them and re-run" >&2
  exit 1
fi
echo "test-deps: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null

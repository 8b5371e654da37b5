#!/bin/sh
# Finds or installs the benchmark's peers (Debian packages), and says which are usable.
#   bench/peers.sh ensure   install what is missing (apt-get, needs root), then list
#   bench/peers.sh list     only list
set -u
need="supervisor:supervisord tini:tini dumb-init:dumb-init"
missing=""
for p in $need; do command -v "${p#*:}" >/dev/null 2>&1 || missing="$missing ${p%%:*}"; done
if [ "${1:-list}" = ensure ] && [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "bench: installing$missing" >&2
    DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y --no-install-recommends $missing >/dev/null 2>&1 ||
      { timeout 300 apt-get update >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y --no-install-recommends $missing >/dev/null 2>&1; } ||
      echo "bench: could not install$missing; those peers are skipped" >&2
  else
    echo "bench: missing$missing (not root or no apt-get); those peers are skipped" >&2
  fi
fi
for p in $need; do
  b=${p#*:}; printf '%s\t%s\n' "$b" "$(command -v "$b" || echo -)"
done
printf 'systemd\t%s\n' "$( [ -x /lib/systemd/systemd ] && echo /lib/systemd/systemd || echo -)"

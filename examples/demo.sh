#!/bin/sh
# The demo: unitd's systemctl working on the bundled example units without any daemon,
# in a throw-away root (--root=DIR), the way unit files can be checked outside a container.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
systemctl="node $here/init/systemctl"
root=$(mktemp -d /tmp/unitd-demo.XXXXXX)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/etc/systemd/system"
cp -r "$here/examples/units/." "$root/etc/systemd/system/"

run() { echo; echo "\$ systemctl --root=\$ROOT $*"; $systemctl --root="$root" "$@" 2>&1 | sed "s|$root|\$ROOT|g" || echo "(exit $?)"; }

echo "unitd demo: example units copied to \$ROOT=$root"
run list-unit-files 'demo*'
run set-default demo.target
run enable demo-setup.service demo-web.service demo-ready.service demo-flaky.service demo-instance@.service
run is-enabled demo-web.service demo-http.service demo-instance@one.service demo-flaky.service
run list-dependencies demo.target
run cat demo-web.service
run mask demo-flaky.service
run is-enabled demo-flaky.service
run list-unit-files --state=enabled,masked
run verify "$root/etc/systemd/system/demo-web.service"

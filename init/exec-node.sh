# Sourced by the launchers beside it (systemctl, journalctl, unitd): run the launcher
# under Node without trusting PATH. apt's maintainer scripts (deb-systemd-helper),
# service(8), invoke-rc.d, cron (PATH=/usr/bin:/bin) and sudo's secure_path all run
# with a PATH that lacks /usr/local/bin, where the official node images keep node,
# so `#!/usr/bin/env node` fails there. Tried in order, the first that exists wins:
#   1. the node that built this copy: `npm run build` records process.execPath in
#      dist/node-path (scripts/record-node.mjs);
#   2. node, then nodejs, on PATH (dash searches a default PATH when PATH is unset,
#      as under `env -i`);
#   3. the usual install places.
# Expects $self, the launcher's real path (symlinks such as /usr/bin/systemctl
# resolved). Execs node on the launcher as invoked ($0, so messages name the tool as
# the user typed it), or exits 127 as a shell does for a missing command.
# $node_flags, when the launcher sets it (unitd: the V8 heap limit), goes before the script.
recorded=
read -r recorded 2>/dev/null <"${self%/*}/../dist/node-path"
if [ -n "$recorded" ] && [ -f "$recorded" ] && [ -x "$recorded" ]; then
  exec "$recorded" ${node_flags:-} "$0" "$@"
fi
for node in "$(command -v node)" "$(command -v nodejs)" \
    /usr/local/bin/node /usr/bin/node /usr/bin/nodejs /opt/node/bin/node /opt/nodejs/bin/node; do
  if [ -n "$node" ] && [ -f "$node" ] && [ -x "$node" ]; then
    exec "$node" ${node_flags:-} "$0" "$@"
  fi
done
echo "${0##*/}: cannot find node: not at '${recorded:-(nothing recorded in dist/node-path)}', not on PATH, not in /usr/local/bin, /usr/bin or /opt/node/bin" >&2
exit 127

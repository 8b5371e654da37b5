// Ansible's `systemd` module runs `systemctl show NAME` (no -p), parses the
// Key=Value lines into a dict (a value opening with `{` may continue over
// lines until one ends with `}`), then decides from a few keys: LoadState
// (not-found means "no such service"), LoadError (present on a loaded unit
// means "error loading unit file", so it must be absent when empty),
// ActiveState, SubState, UnitFileState, MainPID and friends.

import t from 'tap';

import { boot } from './harness.js';

/** ansible/modules/systemd.py parse_systemctl_show(), the same rules in TypeScript. */
function parseSystemctlShow(lines: string[]): Record<string, string> {
  const parsed: Record<string, string> = {};
  let multival: string[] = [];
  let key: string | undefined;
  for (const line of lines) {
    if (key === undefined) {
      if (!line.includes('=')) continue;
      const eq = line.indexOf('=');
      const k = line.slice(0, eq).trim();
      const value = line.slice(eq + 1).trim();
      // Only Exec*/ values that open a brace span lines.
      if (value.startsWith('{') && !value.endsWith('}') && (k.startsWith('Exec') || k === 'Environment')) {
        key = k;
        multival = [value];
      } else parsed[k] = value;
    } else {
      multival.push(line);
      if (line.trimEnd().endsWith('}')) {
        parsed[key] = multival.join('\n').trim();
        multival = [];
        key = undefined;
      }
    }
  }
  return parsed;
}

const ANSIBLE_READS = [
  'Id',
  'Names',
  'Description',
  'LoadState',
  'ActiveState',
  'SubState',
  'UnitFileState',
  'UnitFilePreset',
  'MainPID',
  'FragmentPath',
  'Type',
  'Restart',
  'Result',
  'NRestarts',
  'ExecMainStatus',
  'ExecMainPID',
  'CanStart',
  'CanStop',
  'CanReload',
  'ActiveEnterTimestamp',
  'InactiveExitTimestamp',
  'StateChangeTimestamp',
  'NeedDaemonReload',
  'ExecStart',
];

t.test('systemctl show answers what Ansible reads, for found and not-found units', async (t) => {
  const sys = await boot({
    units: {
      'web.service': "[Unit]\nDescription=Web\n[Service]\nExecStart=/bin/sh -c 'exec sleep 10000'\n[Install]\nWantedBy=multi-user.target\n",
    },
    enable: ['web.service'],
  });
  t.teardown(() => sys.stop());

  const found = await sys.ctl('show', 'web.service');
  t.equal(found.code, 0);
  const lines = found.stdout.split('\n').filter((l) => l !== '');
  t.ok(lines.every((l) => /^[A-Za-z][A-Za-z0-9]*=/.test(l)), 'every line is Key=Value');
  const status = parseSystemctlShow(lines);
  for (const key of ANSIBLE_READS) t.ok(key in status, `${key}= is shown`);
  t.equal(status.Id, 'web.service');
  t.equal(status.LoadState, 'loaded');
  t.equal(status.ActiveState, 'active');
  t.equal(status.SubState, 'running');
  t.equal(status.UnitFileState, 'enabled');
  t.match(status.MainPID, /^[1-9]\d*$/);
  t.match(status.ExecStart, /^\{ path=\/bin\/sh ; argv\[\]=\/bin\/sh -c exec sleep 10000 ; .* \}$/);
  t.notOk('LoadError' in status, 'no LoadError= on a loaded unit (Ansible would fail "Error loading unit file")');

  const missing = await sys.ctl('show', 'nosuch.service');
  t.equal(missing.code, 0, 'show of an unknown unit still succeeds');
  const ns = parseSystemctlShow(missing.stdout.split('\n'));
  t.equal(ns.LoadState, 'not-found');
  t.equal(ns.ActiveState, 'inactive');
  t.equal(ns.Id, 'nosuch.service');
  t.equal(ns.LoadError, 'org.freedesktop.systemd1.NoSuchUnit "Unit nosuch.service not found."');

  // Ansible's service_facts reads list-units in this form.
  const facts = await sys.ctl('list-units', '--no-pager', '--type', 'service', '--all');
  t.match(facts.stdout, /^ {2}web\.service +loaded +active +running +Web$/m);
});

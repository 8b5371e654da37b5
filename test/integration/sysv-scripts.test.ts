// An /etc/init.d script without a native unit, under unitd as PID 1: the
// built-in SysV generator makes it a unit at boot (started through its rc3.d
// link), and systemctl, `service` and `invoke-rc.d` drive it.
import t from 'tap';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { boot, REPO, type System } from './harness.js';

const INSIDE = '/etc/systemd/system';
const STATE = '/run/legacyd.state';

// Records each action in a file, and logs it (to the journal through stdout).
const LEGACYD = `#!/bin/sh
### BEGIN INIT INFO
# Provides:          legacyd legacy-alias
# Required-Start:    $remote_fs $syslog
# Required-Stop:     $remote_fs
# Default-Start:     2 3 4 5
# Default-Stop:      0 1 6
# Short-Description: Legacy demo daemon
### END INIT INFO
case "$1" in
  start|stop|reload) echo "$1" >> ${STATE}; echo "legacyd $1" ;;
  *) echo "Usage: $0 {start|stop|restart|reload|force-reload|status}" >&2; exit 3 ;;
esac
exit 0
`;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function actions(sys: System): Promise<string[]> {
  const r = await sys.exec('cat', STATE);
  return r.stdout.split('\n').filter((l) => l !== '');
}

async function waitActions(sys: System, n: number): Promise<string[]> {
  const end = Date.now() + 15_000;
  let seen = await actions(sys);
  while (seen.length < n && Date.now() < end) {
    await sleep(100);
    seen = await actions(sys);
  }
  return seen;
}

t.test('an LSB script becomes legacyd.service: boot, systemctl, service, invoke-rc.d', { timeout: 120_000 }, async (t) => {
  const shim = `#!/bin/sh\nexec node ${join(REPO, 'init/systemctl')} "$@"\n`;
  const sys = await boot({
    units: {
      'init.d/legacyd': LEGACYD,
      'init.d/native': '#!/bin/sh\necho native-script >> /run/native.state\n',
      'native.service': '[Service]\nType=oneshot\nExecStart=/bin/true\n',
      // A systemctl on PATH that talks to this unitd, as in an image where unitd replaced systemd's.
      'bin/systemctl': shim,
    },
    env: {
      SYSTEMD_UNIT_PATH: `${INSIDE}:/run/systemd/generator.late`,
      SYSTEMD_SYSVINIT_PATH: `${INSIDE}/init.d`,
      SYSTEMD_SYSVRCND_PATH: `${INSIDE}/rc`,
      PATH: `${INSIDE}/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
    },
  });
  t.teardown(() => sys.stop());

  t.same(await actions(sys), [], 'no rc link yet: not started at boot (Default-Start: is ignored)');
  let r = await sys.ctl('show', '-p', 'FragmentPath,SourcePath,UnitFileState,Names,Type,RemainAfterExit', 'legacyd.service');
  t.equal(
    r.stdout,
    [
      'Type=forking',
      'RemainAfterExit=yes',
      'Names=legacyd.service legacy-alias.service',
      'FragmentPath=/run/systemd/generator.late/legacyd.service',
      `SourcePath=${INSIDE}/init.d/legacyd`,
      'UnitFileState=generated',
      '',
    ].join('\n'),
    'generated unit loaded from the late generator dir',
  );
  r = await sys.ctl('show', '-p', 'LoadState', 'native.service');
  t.equal(r.stdout, 'LoadState=loaded\n');
  t.notOk(existsSync(`/proc/${sys.pid}/root/run/systemd/generator.late/native.service`), 'no unit generated over a native one');

  // Enable it the SysV way and reload: the rc3.d link makes multi-user.target want it.
  const rc3 = join(sys.unitDir, 'rc/rc3.d');
  const mk = await sys.exec('sh', '-c', `mkdir -p ${INSIDE}/rc/rc3.d && ln -s ../../init.d/legacyd ${INSIDE}/rc/rc3.d/S01legacyd`);
  t.equal(mk.code, 0, `rc link made in ${rc3}: ${mk.stderr}`);
  r = await sys.ctl('daemon-reload');
  t.equal(r.code, 0, `daemon-reload: ${r.stderr}`);
  r = await sys.ctl('show', '-p', 'WantedBy', '-p', 'Before', 'legacyd.service');
  t.match(r.stdout, /WantedBy=multi-user\.target/, 'wanted through the rc3.d link');
  t.match(r.stdout, /Before=.*multi-user\.target/);

  r = await sys.ctl('start', 'legacyd.service');
  t.equal(r.code, 0, `systemctl start: ${r.stderr}`);
  t.same(await waitActions(sys, 1), ['start']);
  r = await sys.ctl('status', 'legacyd.service');
  t.match(r.stdout, /legacyd\.service - LSB: Legacy demo daemon/);
  t.match(r.stdout, new RegExp(`Loaded: loaded \\(${INSIDE}/init\\.d/legacyd; generated\\)`), 'status names the script');
  t.match(r.stdout, /Active: active \(exited\)/);
  t.match(r.stdout, /Docs: man:systemd-sysv-generator\(8\)/);

  r = await sys.ctl('reload', 'legacy-alias.service');
  t.equal(r.code, 0, `reload through the Provides: alias: ${r.stderr}`);
  t.same(await waitActions(sys, 2), ['start', 'reload']);

  r = await sys.exec('service', 'legacyd', 'stop');
  t.equal(r.code, 0, `service legacyd stop: ${r.stdout}${r.stderr}`);
  t.same(await waitActions(sys, 3), ['start', 'reload', 'stop']);
  r = await sys.exec('service', 'legacyd', 'start');
  t.equal(r.code, 0, `service legacyd start: ${r.stdout}${r.stderr}`);
  t.same(await waitActions(sys, 4), ['start', 'reload', 'stop', 'start']);

  // Docker build hosts ship a policy-rc.d that denies every action (exit 101); hide it inside this namespace only.
  const allow = 'if [ -e /usr/sbin/policy-rc.d ]; then mount --bind /bin/true /usr/sbin/policy-rc.d; fi';
  r = await sys.exec('sh', '-c', `${allow}; exec invoke-rc.d legacyd restart`);
  t.equal(r.code, 0, `invoke-rc.d legacyd restart: ${r.stdout}${r.stderr}`);
  t.same(await waitActions(sys, 6), ['start', 'reload', 'stop', 'start', 'stop', 'start']);
  r = await sys.ctl('is-active', 'legacyd.service');
  t.equal(r.stdout, 'active\n');
});

t.test('an rc2.d start link present at boot starts the script with the default target', { timeout: 120_000 }, async (t) => {
  const sys = await boot({
    // The generator reads only the names in rcN.d: a plain file stands in for the usual symlink.
    units: { 'init.d/legacyd': LEGACYD, 'rc/rc2.d/S01legacyd': '', 'rc/rc0.d/K01legacyd': '' },
    env: {
      SYSTEMD_UNIT_PATH: `${INSIDE}:/run/systemd/generator.late`,
      SYSTEMD_SYSVINIT_PATH: `${INSIDE}/init.d`,
      SYSTEMD_SYSVRCND_PATH: `${INSIDE}/rc`,
    },
  });
  t.teardown(() => sys.stop());
  t.same(await waitActions(sys, 1), ['start'], 'started at boot');
  const r = await sys.ctl('is-active', 'legacyd.service');
  t.equal(r.stdout, 'active\n');
  t.match(sys.console(), /Started legacyd\.service - LSB: Legacy demo daemon/);
});

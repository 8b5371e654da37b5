// enable/disable of a service that also has an /etc/init.d script, against
// systemd 252's systemctl --root: the "Synchronizing state" and "Executing:"
// lines, systemd-sysv-install's update-rc.d calls (recorded by a stand-in
// update-rc.d run through chroot, so the root needs a shell), the exit codes
// and the links left behind.

import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DiffCase } from './differential-cases.js';
import { OUR_LAUNCHER, REAL_SYSTEMCTL, runCase } from './differential.js';

const SHELL_FILES = ['/bin/dash', '/lib/x86_64-linux-gnu/libc.so.6', '/lib64/ld-linux-x86-64.so.2'];
const SYSV_INSTALL = '/lib/systemd/systemd-sysv-install';
const unavailable =
  !fs.existsSync(REAL_SYSTEMCTL) ? `${REAL_SYSTEMCTL} is not installed`
  : !fs.existsSync(path.join(path.dirname(OUR_LAUNCHER), '../dist/cli/systemctl.js')) ? 'dist/ not built'
  : !SHELL_FILES.every((f) => fs.existsSync(f)) ? 'no dash/glibc at the paths this test copies'
  : !fs.existsSync(SYSV_INSTALL) ? `${SYSV_INSTALL} is not installed`
  : process.getuid?.() !== 0 ? 'systemd-sysv-install chroots: needs root'
  : false;

const ETC = 'etc/systemd/system';
const INIT = (name: string) => ({ mode: 0o755, text: `#!/bin/sh\n### BEGIN INIT INFO\n# Provides: ${name}\n# Default-Start: 2 3 4 5\n# Default-Stop: 0 1 6\n### END INIT INFO\n` });
const UPDATE_RC = { mode: 0o755, text: '#!/bin/sh\necho "update-rc.d $*" >> /update-rc.log\n' };
const FAILING_UPDATE_RC = { mode: 0o755, text: '#!/bin/sh\necho "update-rc.d: error: $1 Default-Start contains no runlevels" >&2\nexit 1\n' };
const web = '[Unit]\nDescription=Web\n[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\n';

const CASES: DiffCase[] = [
  {
    name: 'native unit and init script: both enabled, then disabled',
    files: { [`${ETC}/web.service`]: web, 'etc/init.d/web': INIT('web'), 'usr/sbin/update-rc.d': UPDATE_RC, [`${ETC}/multi-user.target`]: '[Unit]\n' },
    commands: [['enable', 'web'], ['disable', 'web.service'], ['enable', '--quiet', 'web']],
  },
  {
    name: 'init script only: redirected to systemd-sysv-install',
    files: { 'etc/init.d/legacy': INIT('legacy'), 'usr/sbin/update-rc.d': UPDATE_RC },
    commands: [['enable', 'legacy'], ['disable', 'legacy']],
  },
  {
    name: 'update-rc.d fails: systemctl fails without a word of its own',
    files: { [`${ETC}/web.service`]: web, 'etc/init.d/web': INIT('web'), 'usr/sbin/update-rc.d': FAILING_UPDATE_RC },
    commands: [['enable', 'web']],
  },
];

function copyShell(root: string): void {
  for (const f of [...SHELL_FILES, '/bin/sh']) {
    const dest = path.join(root, f);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    if (f === '/bin/sh') fs.symlinkSync('dash', dest);
    else fs.copyFileSync(f, dest);
  }
}

t.test('SysV sync like systemd 252', { skip: unavailable }, async (t) => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'unitd-sysv-'));
  t.teardown(() => fs.rmSync(work, { recursive: true, force: true }));
  for (const [i, c] of CASES.entries()) {
    const roots = [path.join(work, `${i}-real`), path.join(work, `${i}-ours`)];
    for (const r of roots) copyShell(r);
    const real = runCase(c, roots[0], true);
    const ours = runCase(c, roots[1], false);
    const log = (r: string) => (fs.existsSync(path.join(r, 'update-rc.log')) ? fs.readFileSync(path.join(r, 'update-rc.log'), 'utf8') : '');
    t.same(ours, real, c.name);
    t.equal(log(roots[1]), log(roots[0]), `${c.name}: update-rc.d calls`);
    if (c.files['usr/sbin/update-rc.d'] === UPDATE_RC) t.not(log(roots[0]), '', 'update-rc.d was really run');
  }
});

// Regression tests for issue 21's notify findings, as PID 1 in a namespace: forged
// notifications (6), MAINPID=1 (7), MAINPID= of another unit's process (8), and the small
// ones: User=65534, the wording for a refused NotifyAccess=all sender, the PID that
// `status` shows for a spawn that failed.

import t from 'tap';
import { join } from 'node:path';
import { boot, REPO, sleep, waitProps, type System } from './harness.js';

const PROBE = `/usr/bin/python3 ${join(REPO, 'test/integration/fixtures/notify-probe.py')}`;
const NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];

const units: Record<string, string> = {
  'keeper.service': `[Service]
ExecStart=/bin/sleep infinity
Restart=always
RestartSec=0.2
`,
  'n4.service': `[Service]
Type=notify
NotifyAccess=all
ExecStart=/usr/bin/python3 ${join(REPO, 'test/integration/fixtures/notifier.py')} send:READY=1 sleep:1000
`,
  'mp1.service': `[Service]
Type=notify
TimeoutStopSec=3
ExecStart=/usr/bin/python3 ${join(REPO, 'test/integration/fixtures/notifier.py')} send:MAINPID=1 send:READY=1 sleep:1000
`,
  'zombie.service': `[Service]
Type=notify
ExecStart=${PROBE} zombie
`,
  'thief.service': `[Service]
Type=notify
ExecStart=${PROBE} claim /run/claim
`,
  'thief-nobody.service': `[Service]
Type=notify
User=nobody
ExecStart=${PROBE} claim /run/claim
`,
  'numeric.service': `[Service]
User=65534
ExecStart=/bin/sleep infinity
`,
  'baduser.service': `[Service]
User=nosuchuser-unitd
ExecStart=/bin/sleep 100
`,
  'badexec.service': `[Service]
ExecStart=/nonexistent/unitd-binary
`,
};

let sys: System;
t.before(async () => {
  sys = await boot({ units });
});
t.teardown(async () => {
  await sys?.stop();
});

async function mainPid(unit: string): Promise<number> {
  return Number((await sys.props(unit, 'MainPID')).MainPID);
}

async function waitConsoleLine(re: RegExp, timeoutMs = 8000): Promise<boolean> {
  return sys.waitConsole((text) => re.test(text), timeoutMs);
}

t.test('forged notifications: a non-root sender with UNITD_UNIT= set cannot stop a NotifyAccess=all root service', async (t) => {
  t.equal((await sys.ctl('start', 'n4.service')).code, 0);
  const forged = await sys.exec(...NOBODY, 'env', 'UNITD_UNIT=n4.service', ...PROBE.split(' '), 'send', '/run/unitd/notify/n4.service', 'STOPPING=1');
  t.equal(forged.code, 0, `the datagram was sent: ${forged.stderr}`);
  t.ok(await waitConsoleLine(/n4\.service: Cannot find unit for notify message of PID \d+, ignoring\./), 'refused with systemd\'s wording, not "reception is disabled"');
  t.notMatch(sys.console(), /n4\.service: Got notification message from PID \d+, but reception is disabled/);
  await sleep(300);
  t.match(await sys.props('n4.service', 'ActiveState', 'SubState'), { ActiveState: 'active', SubState: 'running' });
});

t.test('forged notifications: a sender that exited before its datagram was read is refused', async (t) => {
  t.equal((await sys.ctl('start', 'n4.service')).code, 0);
  const before = (sys.console().match(/n4\.service: Cannot find unit for notify message/g) ?? []).length;
  process.kill(sys.pid, 'SIGSTOP'); // unitd reads the datagram only after the sender is gone
  let sent;
  try {
    sent = await sys.exec('env', 'UNITD_UNIT=n4.service', ...PROBE.split(' '), 'send', '/run/unitd/notify/n4.service', 'STOPPING=1');
  } finally {
    process.kill(sys.pid, 'SIGCONT');
  }
  t.equal(sent.code, 0, sent.stderr);
  t.ok(await sys.waitConsole((text) => (text.match(/n4\.service: Cannot find unit for notify message/g) ?? []).length > before, 8000), 'refused');
  await sleep(300);
  t.match(await sys.props('n4.service', 'ActiveState', 'SubState'), { ActiveState: 'active', SubState: 'running' });
});

t.test('MAINPID=1 is refused: "is the manager", and the service stops cleanly', async (t) => {
  t.equal((await sys.ctl('start', 'mp1.service')).code, 0);
  t.ok(await waitConsoleLine(/mp1\.service: New main PID 1 is the manager, refusing\./), 'refusal logged');
  const pid = await mainPid('mp1.service');
  t.not(pid, 1, 'the main PID is still the service\'s own process');
  t.ok(pid > 1);
  const stop = await sys.ctl('stop', 'mp1.service');
  t.equal(stop.code, 0, stop.stderr);
  t.match(await sys.props('mp1.service', 'ActiveState', 'Result'), { ActiveState: 'inactive', Result: 'success' });
});

t.test('MAINPID= of a zombie is refused: "does not exist or is a zombie"', async (t) => {
  t.equal((await sys.ctl('start', 'zombie.service')).code, 0);
  t.ok(await waitConsoleLine(/zombie\.service: New main PID \d+ does not exist or is a zombie\./), 'refusal logged');
  t.match(await sys.props('zombie.service', 'ActiveState', 'SubState'), { ActiveState: 'active', SubState: 'running' });
  t.equal((await sys.ctl('stop', 'zombie.service')).code, 0);
});

t.test("MAINPID= another unit's PID: a non-root service is refused, the owner keeps its process", async (t) => {
  t.equal((await sys.ctl('start', 'keeper.service')).code, 0);
  const keeperPid = await mainPid('keeper.service');
  t.equal((await sys.exec('sh', '-c', `echo ${keeperPid} > /run/claim`)).code, 0);
  t.equal((await sys.ctl('start', 'thief-nobody.service')).code, 0);
  const thiefPid = await mainPid('thief-nobody.service');
  t.not(thiefPid, keeperPid, 'the claim was refused');
  t.equal(await mainPid('keeper.service'), keeperPid);
  t.equal((await sys.ctl('stop', 'thief-nobody.service')).code, 0);
  t.match(await sys.props('keeper.service', 'ActiveState', 'MainPID'), { ActiveState: 'active', MainPID: keeperPid }, 'stopping the thief left the keeper alone');
});

t.test("MAINPID= another unit's PID from root: accepted as systemd does, and the owner still notices its process dying and restarts", async (t) => {
  t.equal((await sys.ctl('start', 'keeper.service')).code, 0);
  const keeperPid = await mainPid('keeper.service');
  t.equal((await sys.exec('sh', '-c', `echo ${keeperPid} > /run/claim`)).code, 0);
  t.equal((await sys.ctl('start', 'thief.service')).code, 0);
  t.equal(await mainPid('thief.service'), keeperPid, 'a privileged sender may name any process');
  t.equal((await sys.exec('kill', '-KILL', String(keeperPid))).code, 0);
  const after = await waitProps(sys, 'keeper.service', ['ActiveState', 'MainPID', 'NRestarts'], (p) => p.ActiveState === 'active' && Number(p.NRestarts) >= 1 && Number(p.MainPID) !== keeperPid, 10000);
  t.match(after, { ActiveState: 'active' }, 'the owner restarted per Restart=always');
  t.ok(Number(after.NRestarts) >= 1, `NRestarts=${String(after.NRestarts)}`);
  t.not(Number(after.MainPID), keeperPid, 'with a new main process');
  await sys.ctl('stop', 'thief.service', 'keeper.service');
});

t.test('User=65534 runs the service as uid 65534 (a numeric user is an id, not a name)', async (t) => {
  const r = await sys.ctl('start', 'numeric.service');
  t.equal(r.code, 0, r.stderr);
  const pid = await mainPid('numeric.service');
  t.match(await sys.props('numeric.service', 'ActiveState'), { ActiveState: 'active' });
  const uid = await sys.exec('stat', '-c', '%u', `/proc/${pid}`);
  t.equal(uid.stdout.trim(), '65534');
  await sys.ctl('stop', 'numeric.service');
});

t.test('status shows the PID of a process whose spawn failed, never "Process: 0"', async (t) => {
  for (const [unit, status] of [
    ['baduser.service', '217/USER'],
    ['badexec.service', '203/EXEC'],
  ] as const) {
    await sys.ctl('start', unit);
    await waitProps(sys, unit, ['ActiveState'], (p) => p.ActiveState === 'failed');
    const out = (await sys.ctl('status', unit)).stdout;
    const process = /Process: (\d+) ExecStart=\S+.*\(code=exited, status=(\S+)\)/.exec(out);
    t.ok(process, `${unit}: a Process: line\n${out}`);
    t.not(process?.[1], '0', `${unit}: a real PID`);
    t.equal(process?.[2], status);
    t.match(out, new RegExp(`Main PID: ${process?.[1]} \\(code=exited, status=${status}\\)`));
  }
});

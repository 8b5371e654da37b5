// Lifecycle of every Type=, through the real systemctl against unitd as PID 1:
// start, is-active, status, reload, restart, stop, with the states systemd shows.

import t, { type Test } from 'tap';
import { boot, NOTIFIER, waitProps, type System } from './harness.js';

const STATE = ['ActiveState', 'SubState', 'Result', 'MainPID'];

const units: Record<string, string> = {
  'simple.service': `[Unit]
Description=Simple
[Service]
ExecStart=/bin/sleep 1000
ExecReload=/bin/true
`,
  'exec.service': `[Unit]
Description=Exec
[Service]
Type=exec
ExecStart=/bin/sleep 1000
ExecReload=/bin/true
`,
  'execfail.service': `[Service]
Type=exec
ExecStart=/nonexistent/binary
`,
  'simplefail.service': `[Service]
ExecStart=/nonexistent/binary
`,
  'forking.service': `[Unit]
Description=Forking
[Service]
Type=forking
PIDFile=/run/forking.pid
ExecStart=/bin/sh -c 'sleep 1000 & echo $! > /run/forking.pid'
ExecReload=/bin/true
`,
  'oneshot.service': `[Unit]
Description=Oneshot
[Service]
Type=oneshot
ExecStart=/bin/sh -c 'echo one >> /run/oneshot.log'
ExecStart=/bin/sh -c 'echo two >> /run/oneshot.log'
`,
  'remain.service': `[Unit]
Description=Remain
[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/true
ExecStop=/bin/sh -c 'echo stopped > /run/remain.stopped'
`,
  'notify.service': `[Unit]
Description=Notify
[Service]
Type=notify
ExecStart=/usr/bin/python3 ${NOTIFIER} sleep:0.4 send:READY=1 sleep:1000
`,
  'notifyreload.service': `[Unit]
Description=Notify reload
[Service]
Type=notify-reload
ExecStart=/usr/bin/python3 ${NOTIFIER} reload-on-hup send:READY=1 sleep:1000
`,
  'idle.service': `[Service]
Type=idle
ExecStart=/bin/sleep 1000
`,
  'dbus.service': `[Service]
Type=dbus
BusName=org.example.Test
ExecStart=/bin/sleep 1000
`,
  'slowpre.service': `[Unit]
Description=Slow pre
[Service]
ExecStartPre=/bin/sleep 0.6
ExecStart=/bin/sleep 1000
ExecStop=/bin/sleep 0.6
`,
};

let sys: System;

t.before(async () => {
  sys = await boot({ units });
});
t.teardown(async () => {
  await sys?.stop();
});

async function lifecycle(t: Test, unit: string, opts: { reload: boolean }): Promise<void> {
  const start = await sys.ctl('start', unit);
  t.equal(start.code, 0, `start ${unit}: ${start.stderr}`);
  t.equal((await sys.ctl('is-active', unit)).stdout.trim(), 'active');
  const p1 = await sys.props(unit, ...STATE);
  t.match(p1, { ActiveState: 'active', SubState: 'running', Result: 'success' });
  t.ok((p1.MainPID as number) > 1, 'has a main PID');
  const status = await sys.ctl('status', unit);
  t.equal(status.code, 0);
  t.match(status.stdout, /Active: active \(running\)/);
  t.match(status.stdout, new RegExp(`Main PID: ${p1.MainPID}`));
  if (opts.reload) {
    const r = await sys.ctl('reload', unit);
    t.equal(r.code, 0, `reload: ${r.stderr}`);
    t.match(await sys.props(unit, ...STATE), { ActiveState: 'active', SubState: 'running', MainPID: p1.MainPID });
  }
  const restart = await sys.ctl('restart', unit);
  t.equal(restart.code, 0);
  const p2 = await sys.props(unit, ...STATE);
  t.match(p2, { ActiveState: 'active', SubState: 'running' });
  t.not(p2.MainPID, p1.MainPID, 'restart gives a new main PID');
  const stop = await sys.ctl('stop', unit);
  t.equal(stop.code, 0);
  t.match(await sys.props(unit, ...STATE), { ActiveState: 'inactive', SubState: 'dead', Result: 'success', MainPID: 0 });
  const inactive = await sys.ctl('is-active', unit);
  t.equal(inactive.stdout.trim(), 'inactive');
  t.equal(inactive.code, 3);
}

t.test('Type=simple', (t) => lifecycle(t, 'simple.service', { reload: true }));
t.test('Type=exec', (t) => lifecycle(t, 'exec.service', { reload: true }));
t.test('Type=idle behaves as simple', (t) => lifecycle(t, 'idle.service', { reload: false }));
t.test('Type=dbus behaves as simple', (t) => lifecycle(t, 'dbus.service', { reload: false }));
t.test('Type=notify-reload', (t) => lifecycle(t, 'notifyreload.service', { reload: true }));

t.test('Type=forking takes the main PID from PIDFile=', async (t) => {
  await lifecycle(t, 'forking.service', { reload: true });
  const pidFile = await sys.exec('sh', '-c', 'test -e /run/forking.pid && echo present || echo gone');
  t.equal(pidFile.stdout.trim(), 'gone', 'the PID file is removed after stop');
});

t.test('Type=notify: the start job waits for READY=1', async (t) => {
  const began = Date.now();
  const start = await sys.ctl('start', 'notify.service');
  t.equal(start.code, 0);
  t.ok(Date.now() - began >= 350, `start returned after READY (${Date.now() - began} ms)`);
  await lifecycle(t, 'notify.service', { reload: false });
});

t.test('Type=exec: a missing binary fails the start job; Type=simple: start succeeds, unit fails', async (t) => {
  const e = await sys.ctl('start', 'execfail.service');
  t.equal(e.code, 1);
  t.match(e.stderr, /Job for execfail.service failed/);
  t.match(await sys.props('execfail.service', 'ActiveState', 'Result', 'ExecMainCode', 'ExecMainStatus'), {
    ActiveState: 'failed',
    Result: 'exit-code',
    ExecMainCode: 1,
    ExecMainStatus: 203,
  });
  const s = await sys.ctl('start', 'simplefail.service');
  t.equal(s.code, 0, 'simple reports success at fork time');
  const p = await waitProps(sys, 'simplefail.service', ['ActiveState', 'Result', 'ExecMainStatus'], (p) => p.ActiveState === 'failed');
  t.match(p, { ActiveState: 'failed', Result: 'exit-code', ExecMainStatus: 203 });
  const status = await sys.ctl('status', 'simplefail.service');
  t.equal(status.code, 3);
  t.match(status.stdout, /failed \(Result: exit-code\)/);
  t.match(status.stdout, /status=203\/EXEC/);
});

t.test('Type=oneshot runs every ExecStart= and ends inactive', async (t) => {
  const r = await sys.ctl('start', 'oneshot.service');
  t.equal(r.code, 0);
  t.match(await sys.props('oneshot.service', 'ActiveState', 'SubState', 'Result', 'MainPID', 'ExecMainStatus'), {
    ActiveState: 'inactive',
    SubState: 'dead',
    Result: 'success',
    MainPID: 0,
    ExecMainStatus: 0,
  });
  t.equal((await sys.exec('cat', '/run/oneshot.log')).stdout, 'one\ntwo\n');
  t.match(sys.console(), /Finished oneshot.service - Oneshot\./);
});

t.test('Type=oneshot with RemainAfterExit=yes stays active (exited) and runs ExecStop=', async (t) => {
  t.equal((await sys.ctl('start', 'remain.service')).code, 0);
  t.match(await sys.props('remain.service', 'ActiveState', 'SubState'), { ActiveState: 'active', SubState: 'exited' });
  t.equal((await sys.ctl('is-active', 'remain.service')).code, 0);
  t.equal((await sys.ctl('stop', 'remain.service')).code, 0);
  t.equal((await sys.exec('cat', '/run/remain.stopped')).stdout.trim(), 'stopped');
  t.match(await sys.props('remain.service', 'ActiveState', 'SubState'), { ActiveState: 'inactive', SubState: 'dead' });
});

t.test('activating (start-pre) and deactivating (stop) are visible while they run', async (t) => {
  const start = await sys.ctl('start', '--no-block', 'slowpre.service');
  t.equal(start.code, 0);
  const during = await waitProps(sys, 'slowpre.service', ['ActiveState', 'SubState', 'ControlPID'], (p) => p.SubState === 'start-pre', 2000);
  t.match(during, { ActiveState: 'activating', SubState: 'start-pre' });
  t.ok((during.ControlPID as number) > 1, 'ExecStartPre= is the control process');
  const running = await waitProps(sys, 'slowpre.service', ['ActiveState', 'SubState'], (p) => p.SubState === 'running', 3000);
  t.match(running, { ActiveState: 'active', SubState: 'running' });
  t.equal((await sys.ctl('stop', '--no-block', 'slowpre.service')).code, 0);
  const stopping = await waitProps(sys, 'slowpre.service', ['ActiveState', 'SubState'], (p) => p.SubState === 'stop', 2000);
  t.match(stopping, { ActiveState: 'deactivating', SubState: 'stop' });
  const dead = await waitProps(sys, 'slowpre.service', ['ActiveState', 'SubState'], (p) => p.SubState === 'dead', 3000);
  t.match(dead, { ActiveState: 'inactive', SubState: 'dead' });
});

t.test('try-restart, reload-or-restart, try-reload-or-restart, and reload without ExecReload=', async (t) => {
  t.equal((await sys.ctl('try-restart', 'idle.service')).code, 0);
  t.match(await sys.props('idle.service', 'ActiveState'), { ActiveState: 'inactive' }, 'try-restart leaves an inactive unit alone');
  t.equal((await sys.ctl('reload-or-restart', 'idle.service')).code, 0);
  const first = (await sys.props('idle.service', 'ActiveState', 'MainPID')) as { ActiveState: string; MainPID: number };
  t.equal(first.ActiveState, 'active', 'reload-or-restart starts an inactive unit');
  t.equal((await sys.ctl('try-reload-or-restart', 'idle.service')).code, 0);
  t.not((await sys.props('idle.service', 'MainPID')).MainPID, first.MainPID, 'without ExecReload= it restarts');
  const r = await sys.ctl('reload', 'idle.service');
  t.not(r.code, 0);
  t.match(r.stderr, /Job type reload is not applicable for unit idle.service/);
  t.equal((await sys.ctl('start', 'simple.service')).code, 0);
  const pid = (await sys.props('simple.service', 'MainPID')).MainPID;
  t.equal((await sys.ctl('reload-or-restart', 'simple.service')).code, 0);
  t.equal((await sys.props('simple.service', 'MainPID')).MainPID, pid, 'with ExecReload= it reloads');
  await sys.ctl('stop', 'idle.service', 'simple.service');
});

// How unitd ends and with which code: `systemctl exit N`, FailureAction=exit
// with FailureActionExitStatus=, SuccessAction=exit, `systemctl poweroff` (0).

import { existsSync } from 'node:fs';
import t from 'tap';
import { boot, sleep, waitJournal, type System } from './harness.js';

async function waitExit(sys: System, ms = 15000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const end = Date.now() + ms;
  while (existsSync(`/proc/${sys.pid}`) && Date.now() < end) await sleep(20);
  return sys.stop();
}

const svc = `[Service]\nExecStart=/bin/sleep 1000\n`;

t.test('systemctl exit 3 ends unitd with 3', async (t) => {
  const sys = await boot({ units: { 'a.service': svc }, enable: ['a.service'], bootTimeoutMs: 30000 });
  const r = await sys.ctl('exit', '3');
  t.equal(r.code, 0, r.stderr);
  t.same(await waitExit(sys), { code: 3, signal: null });
  t.match(sys.console(), 'Stopped a.service.');
});

t.test('systemctl poweroff ends unitd with 0', async (t) => {
  const sys = await boot({ units: { 'a.service': svc }, enable: ['a.service'], bootTimeoutMs: 30000 });
  t.equal((await sys.ctl('poweroff')).code, 0);
  t.same(await waitExit(sys), { code: 0, signal: null });
});

t.test('FailureAction=exit with FailureActionExitStatus= ends unitd with that status', async (t) => {
  const sys = await boot({
    units: {
      'a.service': svc,
      'job.service': `[Unit]\nFailureAction=exit\nFailureActionExitStatus=7\n[Service]\nType=oneshot\nExecStart=/bin/sh -c 'sleep 0.3; exit 4'\n`,
    },
    enable: ['a.service', 'job.service'],
    bootTimeoutMs: 30000,
  });
  t.same(await waitExit(sys), { code: 7, signal: null });
  t.match(sys.console(), 'Stopped a.service.', 'units were stopped in order');
});

t.test('SuccessAction=exit without a status exits with the unit\'s own exit status (0)', async (t) => {
  const sys = await boot({
    units: { 'job.service': `[Unit]\nSuccessAction=exit\n[Service]\nType=oneshot\nExecStart=/bin/true\n` },
    enable: ['job.service'],
    bootTimeoutMs: 30000,
  });
  t.same(await waitExit(sys), { code: 0, signal: null });
});

t.test('FailureAction=exit-force skips the stop jobs', async (t) => {
  const sys = await boot({
    units: {
      'a.service': `[Service]\nExecStart=/bin/sleep 1000\nExecStopPost=/bin/echo ran-stop-post\n`,
      'job.service': `[Unit]\nFailureAction=exit-force\nFailureActionExitStatus=9\n[Service]\nType=oneshot\nExecStart=/bin/sh -c 'sleep 0.5; exit 1'\n`,
    },
    enable: ['a.service', 'job.service'],
    bootTimeoutMs: 30000,
  });
  t.same(await waitExit(sys), { code: 9, signal: null });
  t.notMatch(sys.console(), 'Stopped a.service.');
});

t.test('StartLimitAction=exit ends unitd once the start limit is hit', async (t) => {
  const crashing = (action: string): string =>
    `[Unit]\nStartLimitIntervalSec=60\nStartLimitBurst=2\n${action}\n[Service]\nExecStart=/bin/false\nRestart=always\nRestartSec=50ms\n`;
  const sys = await boot({
    units: { 'a.service': svc, 'crash.service': crashing('StartLimitAction=exit'), 'calm.service': crashing('') },
    enable: ['a.service', 'calm.service', 'crash.service'],
    bootTimeoutMs: 30000,
  });
  t.same(await waitExit(sys), { code: 0, signal: null }, 'exit with the manager\'s return value (0: no exit status given)');
  t.match(sys.console(), '[  !!  ] Exiting: unit crash.service failed', 'systemd\'s emergency-action line');
  t.match(sys.console(), 'Stopped a.service.', 'exit, not exit-force: units are stopped in order');
});

t.test('StartLimitAction=none (the default): a unit that hits its start limit is only failed', async (t) => {
  const sys = await boot({
    units: { 'a.service': svc, 'calm.service': `[Unit]\nStartLimitIntervalSec=60\nStartLimitBurst=2\n[Service]\nExecStart=/bin/false\nRestart=always\nRestartSec=50ms\n` },
    enable: ['a.service', 'calm.service'],
    bootTimeoutMs: 30000,
  });
  t.teardown(() => sys.stop());
  // Result= stays exit-code after a restart loop, as in systemd 252: the log line says it.
  const log = await waitJournal(sys, ['-u', 'calm.service', '-o', 'cat'], (o) => o.includes('repeated too quickly'), 10000);
  t.match(log, 'Start request repeated too quickly.');
  await sleep(300);
  t.ok(existsSync(`/proc/${sys.pid}`), 'unitd still runs');
  t.notMatch(sys.console(), 'Exiting:');
});

t.test('StartLimitAction= of a socket (exit-force) and a timer (poweroff) ends unitd as for a service', async (t) => {
  const limited = (action: string): string => `[Unit]\nStartLimitIntervalSec=60\nStartLimitBurst=2\nStartLimitAction=${action}\n`;
  for (const [unit, text, action, line] of [
    ['echo.socket', `${limited('exit-force')}[Socket]\nListenStream=/run/echo.sock\n`, 'exit-force', '[  !!  ] Exiting immediately: unit echo.socket failed'],
    ['tick.timer', `${limited('poweroff')}[Timer]\nOnActiveSec=1h\n`, 'poweroff', '[  !!  ] Powering off: unit tick.timer failed'],
  ] as const) {
    // The running a.service names the unit, so it stays loaded between starts and its start-limit
    // counter counts (a stopped unit nothing names is collected and starts afresh, as under systemd).
    const sys = await boot({
      units: { 'a.service': `[Unit]\nAfter=${unit}\n[Service]\nExecStart=/bin/sleep 1000\nExecStopPost=/bin/echo ran-stop-post\n`, [unit]: text, 'echo.service': svc, 'tick.service': svc },
      enable: ['a.service'],
      bootTimeoutMs: 30000,
    });
    // Two starts are within the burst; the third is refused and runs the action.
    for (let i = 0; i < 2; i++) {
      t.equal((await sys.ctl('start', unit)).code, 0, `${unit}: start ${i + 1}`);
      t.equal((await sys.ctl('stop', unit)).code, 0);
    }
    await sys.ctl('start', unit);
    t.same(await waitExit(sys), { code: 0, signal: null }, `${unit}: StartLimitAction=${action} ends unitd`);
    t.match(sys.console(), line, 'systemd\'s emergency-action line');
    if (action === 'exit-force') t.notMatch(sys.console(), 'Stopped a.service.', 'exit-force skips the stop jobs');
    else t.match(sys.console(), 'Stopped a.service.', 'poweroff stops units in order');
  }
});

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

// How unitd ends and with which code: `systemctl exit N`, FailureAction=exit
// with FailureActionExitStatus=, SuccessAction=exit, `systemctl poweroff` (0).

import { existsSync } from 'node:fs';
import t from 'tap';
import { boot, sleep, type System } from './harness.js';

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

// The error boundary with unitd as PID 1 (issue 13, "Must show"): through the test hook
// UNITD_TEST_FAULTS (src/manager/fault-injection.ts) a timer callback, a notify handler, a
// PID-file watcher, a job dispatch and a control request each throw once. Every time PID 1
// carries on, the unit ends failed with result `resources`, its job finishes, the console has
// exactly one line; SIGTERM afterwards is still an orderly stop that exits 0. A throw inside
// the stop itself still ends PID 1.

import t from 'tap';
import { boot, NOTIFIER, sleep, waitProps } from './harness.js';

const units: Record<string, string> = {
  // Never ready: the start timeout's timer callback is the one that throws.
  'timerfault.service': `[Service]\nType=notify\nExecStart=/bin/sleep 1000\nTimeoutStartSec=1\n`,
  'notifyfault.service': `[Service]\nType=notify\nExecStart=/bin/sh -c '/usr/bin/python3 ${NOTIFIER} send:READY=1; exec sleep 1000'\nNotifyAccess=all\nTimeoutStartSec=30\n`,
  // The daemon writes its PID file half a second after the parent exited: the watch sees it.
  'pidfilefault.service': `[Service]\nType=forking\nPIDFile=/run/pidfilefault.pid\nTimeoutStartSec=30\nExecStart=/bin/sh -c '( sleep 0.5; exec /usr/bin/python3 ${NOTIFIER} pidfile:/run/pidfilefault.pid sleep:1000 ) >/dev/null 2>&1 &'\n`,
  'jobfault.service': `[Service]\nExecStart=/bin/sleep 1000\n`,
  'controlfault.service': `[Service]\nExecStart=/bin/sleep 1000\n`,
  'bystander.service': `[Service]\nExecStart=/bin/sleep 1000\n`,
};

const FAULTS = ['timerfault.service:timer', 'notifyfault.service:notify', 'pidfilefault.service:pid-file', 'jobfault.service:job', 'controlfault.service:control'];

t.test('a throw in a timer, notify, PID-file or job handler fails only its unit; SIGTERM still exits 0', async (t) => {
  const sys = await boot({ units, enable: ['bystander.service', 'controlfault.service'], env: { UNITD_TEST_FAULTS: FAULTS.join(','), UNITD_STOP_BUDGET: '10s' }, bootTimeoutMs: 30000 });
  let stopped = false;
  t.teardown(() => (stopped ? undefined : sys.stop()));

  const cases: [unit: string, event: string][] = [
    ['timerfault.service', 'timer'],
    ['notifyfault.service', 'notify'],
    ['pidfilefault.service', 'pid-file'],
    ['jobfault.service', 'job'],
  ];
  for (const [unit, event] of cases) {
    // systemctl start returns: the job finished (failed) instead of waiting forever.
    const start = await sys.ctl('start', unit);
    t.equal(start.code, 1, `${unit}: systemctl start returns, the job failed`);
    t.match(start.stderr, `Job for ${unit} failed`, `${unit}: systemd's job failure message`);
    const p = await waitProps(sys, unit, ['ActiveState', 'Result'], (q) => q.ActiveState === 'failed', 10000);
    t.same(p, { ActiveState: 'failed', Result: 'resources' }, `${unit}: failed with result resources after a throw in its ${event} handler`);
    t.ok(await sys.waitConsole((c) => c.includes(`${unit}: Handling ${event} event failed`), 5000), `${unit}: the ${event} fault is on the console`);
  }

  // A control request whose call into the unit throws: the client gets one error, the unit fails.
  const kill = await sys.ctl('kill', 'controlfault.service');
  t.equal(kill.code, 1, 'systemctl kill fails');
  t.equal(kill.stderr.trim(), 'Failed to kill unit controlfault.service: fault injected for a test (UNITD_TEST_FAULTS)', 'one clear error for the client');
  t.same(await waitProps(sys, 'controlfault.service', ['ActiveState', 'Result'], (q) => q.ActiveState === 'failed', 10000), { ActiveState: 'failed', Result: 'resources' });

  t.equal((await sys.ctl('list-jobs')).stdout.trim(), 'No jobs running.', 'no job is left behind');
  t.same(await sys.props('bystander.service', 'ActiveState'), { ActiveState: 'active' }, 'other units are untouched');
  t.equal((await sys.ctl('is-system-running')).stdout.trim(), 'degraded', 'PID 1 is alive and answers');
  await sleep(300); // a second line for the same fault would come now, from the stop the failure started
  const lines = sys.console().split('\n');
  for (const key of FAULTS) {
    const [unit, event] = key.split(':');
    t.equal(lines.filter((l) => l.startsWith(`${unit}: Handling ${event} event failed`)).length, 1, `one console line for ${key}`);
  }
  t.notMatch(sys.console(), /"level":|\n\s+at /, 'no JSON and no stack on the console');

  // Still an orderly stop: every unit stopped, exit 0 before the stop budget's hard deadline.
  stopped = true;
  const exit = await sys.stop();
  t.same(exit, { code: 0, signal: null }, 'SIGTERM: unitd exits 0');
  t.match(sys.console(), 'unitd: all units stopped, exiting.', 'the stop ran to its end');
  t.notMatch(sys.console(), /did not finish|shutdown failed/, 'neither the hard deadline nor a failure ended it');
});

t.test('a throw inside the stop still ends PID 1', async (t) => {
  const sys = await boot({ units: { 'up.service': `[Service]\nExecStart=/bin/sleep 1000\n` }, enable: ['up.service'], env: { UNITD_TEST_FAULTS: 'halt', UNITD_STOP_BUDGET: '5s' } });
  t.same(await sys.props('up.service', 'ActiveState'), { ActiveState: 'active' });
  const exit = await sys.stop(); // SIGTERM, then waits (bounded) for the exit
  t.same(exit, { code: 0, signal: null }, 'PID 1 exited with the status it was asked for');
  t.match(sys.console(), 'unitd: shutdown failed: fault injected for a test (UNITD_TEST_FAULTS); exiting.', 'one line says why');
  t.notMatch(sys.console(), /\n\s+at /, 'no stack');
});

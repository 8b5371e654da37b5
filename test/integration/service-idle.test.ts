// Type=idle (systemd.service(5)): ExecStart= runs once the other jobs of the transaction are
// done, or after 5 s at most (systemd's IDLE_TIMEOUT_USEC).
import t from 'tap';
import { boot, waitJournal, waitProps } from './harness.js';

t.test('an idle service starts after a slow oneshot of the same boot', { timeout: 60_000 }, async (t) => {
  const sys = await boot({
    units: {
      'slow.service': '[Service]\nType=oneshot\nExecStart=/bin/sh -c "sleep 1.5; touch /run/slow-done"\n',
      'idle.service': '[Service]\nType=idle\nExecStart=/bin/sh -c "if test -e /run/slow-done; then echo after-slow; else echo before-slow; fi; exec sleep 1000"\n',
    },
    enable: ['slow.service', 'idle.service'],
  });
  t.teardown(() => sys.stop());
  const log = await waitJournal(sys, ['-u', 'idle.service', '-o', 'cat'], (o) => /(after|before)-slow/.test(o), 20_000);
  t.match(log, /after-slow/, 'ExecStart= ran once slow.service had finished');
  t.match(await sys.props('idle.service', 'ActiveState', 'SubState'), { ActiveState: 'active', SubState: 'running' });
});

t.test('with a job that never finishes, the idle service starts after about 5 s', { timeout: 60_000 }, async (t) => {
  const sys = await boot({
    units: {
      'never.service': '[Service]\nType=oneshot\nExecStart=/bin/sleep 1000\n',
      'idle.service': '[Service]\nType=idle\nExecStart=/bin/sleep 1000\n',
      'cancelled.service': '[Service]\nType=idle\nExecStart=/bin/echo cancelled-ran\n',
    },
    enable: ['never.service', 'idle.service'],
  });
  t.teardown(() => sys.stop());
  // Started while never.service's job still runs: it waits in start; stopped there, it never runs.
  t.equal((await sys.ctl('start', '--no-block', 'cancelled.service')).code, 0);
  t.match(await waitProps(sys, 'cancelled.service', ['ActiveState'], (p) => p.ActiveState === 'activating'), { ActiveState: 'activating' }, 'waiting in start');
  t.equal((await sys.ctl('stop', 'cancelled.service')).code, 0);
  const started = await waitProps(sys, 'idle.service', ['ExecMainStartTimestampMonotonic', 'ActiveState'], (p) => Number(p.ExecMainStartTimestampMonotonic) > 0, 20_000);
  const never = await sys.props('never.service', 'ExecMainStartTimestampMonotonic', 'ActiveState');
  t.equal(never.ActiveState, 'activating', 'the oneshot is still starting');
  const waitedMs = (Number(started.ExecMainStartTimestampMonotonic) - Number(never.ExecMainStartTimestampMonotonic)) / 1000;
  t.ok(waitedMs >= 4500, `idle.service's ExecStart= waited ${Math.round(waitedMs)} ms after never.service started (5 s expected)`);
  t.equal(started.ActiveState, 'active');
  t.match(await sys.props('cancelled.service', 'ActiveState', 'ExecMainPID'), { ActiveState: 'inactive', ExecMainPID: 0 });
  t.notMatch((await sys.ctl('status', 'cancelled.service')).stdout, 'cancelled-ran', 'stopped while waiting: its ExecStart= never ran');
});

// The realtime clock watcher: its timerfd is armed the way the kernel cancels on a clock set
// (TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, CLOCK_REALTIME, at the end of time), it does
// not fire by itself, and close() releases the fd. Setting the clock here would set the host's
// (a namespace cannot have its own CLOCK_REALTIME), so the cancel itself is the kernel's part;
// test/integration/timer-clock-change.test.ts drives the manager's side through its test hook.

import t from 'tap';
import { readFileSync } from 'node:fs';
import { ClockWatch } from '../../src/native/index.js';
import { openFds } from './helpers.js';

t.test('the timerfd is a CLOCK_REALTIME absolute timer with cancel-on-set, far in the future', async (t) => {
  let fired = 0;
  const watch = new ClockWatch(() => fired++);
  t.teardown(() => watch.close());
  t.ok(watch.fd >= 0, 'an fd is open');
  const info = readFileSync(`/proc/self/fdinfo/${watch.fd}`, 'utf8');
  t.match(info, /^clockid:\s+0$/m, 'CLOCK_REALTIME');
  // settime flags: TFD_TIMER_ABSTIME (1) | TFD_TIMER_CANCEL_ON_SET (2)
  t.match(info, /^settime flags:\s+0?3$/m, 'absolute, cancelled when the clock is set');
  const value = /it_value:\s+\((\d+),/.exec(info);
  t.ok(value && Number(value[1]) > 100 * 365 * 86400, 'expires only centuries from now');
  await new Promise((r) => setTimeout(r, 200));
  t.equal(fired, 0, 'no change, no callback');
});

t.test('close() releases the fd and is idempotent; bad arguments are TypeErrors', async (t) => {
  const before = openFds().length;
  const watch = new ClockWatch(() => undefined);
  t.equal(openFds().length, before + 1);
  watch.close();
  watch.close();
  t.equal(watch.fd, -1);
  t.equal(openFds().length, before);
  t.throws(() => new ClockWatch(42 as unknown as () => void), TypeError);
});

// DeadlineTimer on the real clock: a deadline that is already due (RestartSec=0 arms 1 µs) fires
// on the next loop iteration, never synchronously, and disarming it first cancels it, however
// the due timer is queued underneath.

import t from 'tap';
import { DeadlineTimer, REAL_CLOCK } from '../../src/manager/clock.js';

const nextTurns = (n: number): Promise<void> =>
  new Promise((resolve) => {
    const step = (left: number): void => void (left === 0 ? resolve() : setTimeout(() => step(left - 1), 1));
    step(n);
  });

t.test('a due deadline fires once, after the current task, never inside armIn', async (t) => {
  let fired = 0;
  const timer = new DeadlineTimer(() => fired++, REAL_CLOCK);
  timer.armIn(1);
  t.equal(fired, 0, 'not synchronously');
  t.ok(timer.armed);
  await nextTurns(3);
  t.equal(fired, 1);
  t.notOk(timer.armed, 'no longer armed once fired');
});

t.test('disarming or re-arming a due timer before it runs cancels the first arming', async (t) => {
  let fired = 0;
  const timer = new DeadlineTimer(() => fired++, REAL_CLOCK);
  timer.armIn(1);
  timer.disarm();
  await nextTurns(3);
  t.equal(fired, 0, 'disarmed: never fires');
  timer.armIn(1);
  timer.armIn(60_000_000); // moved a minute out
  await nextTurns(3);
  t.equal(fired, 0, 'moved: the due arming is gone');
  t.ok(timer.armed);
  timer.disarm();
});

t.test('a deadline in the future is still not fired early', async (t) => {
  let fired = 0;
  const timer = new DeadlineTimer(() => fired++, REAL_CLOCK);
  const armedAt = REAL_CLOCK.monotonicUSec();
  let firedAt = 0;
  const done = new Promise<void>((resolve) => {
    const check = new DeadlineTimer(() => {
      firedAt = REAL_CLOCK.monotonicUSec();
      resolve();
    }, REAL_CLOCK);
    check.armIn(20_000);
  });
  timer.armIn(20_000);
  await done;
  await nextTurns(2);
  t.equal(fired, 1);
  t.ok(firedAt - armedAt >= 20_000 - 500, 'no earlier than the deadline, less the documented half millisecond');
});

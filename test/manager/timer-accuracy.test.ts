// AccuracySec= coalescing: sd-event's sleep_between() with the boot-ID perturbation, checked
// against the wake-up observed under systemd 252 (semantics §12.3).

import t from 'tap';
import { coalescedWakeup } from '../../src/manager/timer.js';

const P = 10_293_867; // perturbation of the oracle host's boot ID

t.test('a 1 min window wakes at the minute boundary plus the perturbation, never before the deadline', async (t) => {
  // Observed: OnActiveSec=2s armed at 6847.28 s (deadline 6849.29 s) started its service at 6850.298 s.
  const deadline = 6_849_290_000;
  t.equal(coalescedWakeup(deadline, deadline + 60_000_000, P), 6_850_293_867);
});

t.test('AccuracySec=1us fires exactly at the deadline', async (t) => {
  t.equal(coalescedWakeup(5_000_000, 5_000_001, P), 5_000_000);
});

t.test('finer periods are tried when no minute boundary fits; else the window end', async (t) => {
  const a = 100_000_000; // 100 s
  const got = coalescedWakeup(a, a + 2_000_000, P);
  t.ok(got >= a && got <= a + 2_000_000, 'inside [deadline, deadline + accuracy]');
  t.equal(got % 1_000_000, P % 1_000_000, 'on the 1 s grid shifted by the perturbation');
  t.equal(coalescedWakeup(a + 1, a + 101, 0), a + 101, 'a window too small for any grid ends at its end');
});

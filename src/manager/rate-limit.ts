// systemd's ratelimit_below() (src/basic/ratelimit.c): at most `burst` events per window of
// `intervalUSec`, the window starting at the first event after the previous one ended. Used
// for StartLimit*= of units without their own accounting and TriggerLimit*= of trigger units.

import { monotonicUSec } from './clock.js';

export class RateLimit {
  private begin = 0;
  private count = 0;

  constructor(
    private readonly intervalUSec: number,
    private readonly burst: number,
    private readonly clock: () => number = monotonicUSec,
  ) {}

  /** Counts one event; false when it is over the limit. An interval or burst of 0 means no limit. */
  below(): boolean {
    if (!(this.intervalUSec > 0) || !(this.burst > 0)) return true;
    const t = this.clock();
    if (this.begin === 0 || t - this.begin > this.intervalUSec) {
      this.begin = t;
      this.count = 1;
      return true;
    }
    this.count++;
    return this.count <= this.burst;
  }

  /** systemd's ratelimit_num_dropped(): events refused in the current window. */
  numDropped(): number {
    return Math.max(0, this.count - this.burst);
  }

  reset(): void {
    this.begin = 0;
    this.count = 0;
  }
}

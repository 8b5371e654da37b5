// Wall clock changes without polling: a CLOCK_REALTIME timerfd with TFD_TIMER_CANCEL_ON_SET
// (clock-watch.cc), as systemd's manager watches for "Time has been changed".

import { native, type NativeClockWatch } from './binding.js';
import { expectFunction } from './validate.js';

/** Calls `onChange` once per realtime clock change (coalesced per loop turn); close() ends it. */
export class ClockWatch {
  readonly #native: NativeClockWatch;

  constructor(onChange: () => void) {
    expectFunction(onChange, 'onChange');
    this.#native = new native.NativeClockWatch(() => onChange());
  }

  /** The timerfd, -1 once closed (its /proc/self/fdinfo shows the armed flags). */
  get fd(): number {
    return this.#native.fd;
  }

  /** Closes the fd. Idempotent. */
  close(): void {
    this.#native.close();
  }
}

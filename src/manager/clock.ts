// Timestamps as systemd keeps them: wall clock µs plus CLOCK_MONOTONIC µs, and
// one-shot timers that fire at a deadline (events, never polling).

import { nowUSec } from './log-sink.js';

export interface DualTimestamp {
  realtime: number;
  monotonic: number;
}

export const NO_TIMESTAMP: DualTimestamp = { realtime: 0, monotonic: 0 };

/** CLOCK_MONOTONIC in µs (libuv's hrtime is CLOCK_MONOTONIC, the clock of MONOTONIC_USEC=). */
export function monotonicUSec(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

export function now(): DualTimestamp {
  return { realtime: nowUSec(), monotonic: monotonicUSec() };
}

/** When this manager started (systemd's MANAGER_TIMESTAMP_USERSPACE): OnStartupSec=/OnBootSec= count from it. */
export let MANAGER_START: DualTimestamp = now();

/** daemon-reexec: the program that resumes keeps the first one's start (timers count from it). */
export function resumeManagerStart(start: DualTimestamp): void {
  MANAGER_START = start;
}

/** How early a deadline may fire: timers have millisecond steps and the loop's clock lags. */
const FIRE_EARLY_USEC = 500;

/** Longest delay setTimeout accepts; anything longer is treated as "later" and re-armed. */
const MAX_DELAY_MS = 2 ** 31 - 1;

/**
 * What a DeadlineTimer needs of time. The manager runs on REAL_CLOCK; a unit's state machine
 * takes its clock from the host, so tests drive timeouts with a fake one in milliseconds.
 */
export interface TimerClock {
  monotonicUSec(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

// A deadline already due runs in the next loop iteration's check phase (as an sd-event timer
// due now fires on the next iteration), not through setTimeout, whose 0 means 1 ms: that
// millisecond was most of a RestartSec=0 restart.
const immediates = new WeakSet<object>();
export const REAL_CLOCK: TimerClock = {
  monotonicUSec,
  setTimeout: (fn, ms) => {
    if (ms > 0) return setTimeout(fn, ms);
    const handle = setImmediate(fn);
    immediates.add(handle);
    return handle;
  },
  clearTimeout: (handle) => {
    if (typeof handle === 'object' && handle !== null && immediates.has(handle)) clearImmediate(handle as NodeJS.Immediate);
    else clearTimeout(handle as NodeJS.Timeout);
  },
};

/** A timer with a deadline (monotonic µs) that can be moved; infinite deadlines never fire. */
export class DeadlineTimer {
  private handle: unknown;
  deadline = Number.POSITIVE_INFINITY;

  constructor(
    private readonly onFire: () => void,
    private readonly clock: TimerClock = REAL_CLOCK,
  ) {}

  get armed(): boolean {
    return this.handle !== undefined;
  }

  /** Fire `usec` from now; non-finite or 0 (systemd: "no timeout") disarms. */
  armIn(usec: number): void {
    this.disarm();
    if (!Number.isFinite(usec) || usec <= 0) return;
    this.armAt(this.clock.monotonicUSec() + usec);
  }

  armAt(deadline: number): void {
    this.disarm();
    this.deadline = deadline;
    // Within FIRE_EARLY_USEC the deadline counts as due (below), so it is armed as due at once.
    const remaining = deadline - this.clock.monotonicUSec();
    const delayMs = remaining <= FIRE_EARLY_USEC ? 0 : Math.ceil(remaining / 1000);
    this.handle = this.clock.setTimeout(() => {
      this.handle = undefined;
      if (this.clock.monotonicUSec() + FIRE_EARLY_USEC < this.deadline) this.armAt(this.deadline);
      else this.onFire();
    }, Math.min(delayMs, MAX_DELAY_MS));
  }

  /** EXTEND_TIMEOUT_USEC=: never fire before now+usec. */
  extend(usec: number): void {
    const wanted = this.clock.monotonicUSec() + usec;
    if (this.armed && wanted > this.deadline) this.armAt(wanted);
  }

  disarm(): void {
    if (this.handle !== undefined) this.clock.clearTimeout(this.handle);
    this.handle = undefined;
    this.deadline = Number.POSITIVE_INFINITY;
  }
}

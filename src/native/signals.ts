// Catching signals Node's process.on() cannot: the real-time ones (SIGRTMIN+N, systemd's
// PID-1 interface) and, for the sender's pid, any other. Deliveries come in order, each
// with its sender; a burst of real-time signals is seen one by one (signals.cc).

import { constants } from 'node:os';
import { native, type NativeSignalWatcher } from './binding.js';
import { expectFunction } from './validate.js';

/** glibc's SIGRTMIN (34: glibc keeps 32 and 33 for itself) and SIGRTMAX. */
export const SIGRTMIN: number = native.sigrtmin;
export const SIGRTMAX: number = native.sigrtmax;

/** One or more consecutive deliveries of a signal from one sender (pid 0: unknown, e.g. another PID namespace). */
export interface SignalDelivery {
  signal: number;
  pid: number;
  count: number;
}

const NAMES = new Map<number, string>(Object.entries(constants.signals).map(([name, number]) => [number, name]));

/** systemd's spelling of a signal: SIGTERM, SIGRTMIN+3 (signal_to_string() with the SIG prefix). */
export function signalName(signal: number): string {
  if (signal >= SIGRTMIN && signal <= SIGRTMAX) return `SIGRTMIN+${signal - SIGRTMIN}`;
  return NAMES.get(signal) ?? `signal ${signal}`;
}

/**
 * Installs process-wide handlers for `signals` (only one watcher may be open) and calls
 * `onSignals` on the event loop with what arrived since the last call, in delivery order.
 * Signals Node also handles (SIGCHLD, and any with a process.on listener) must not be
 * passed: the last sigaction wins. close() restores the previous dispositions.
 */
export class SignalWatcher {
  readonly #native: NativeSignalWatcher;

  constructor(signals: readonly number[], onSignals: (batch: SignalDelivery[]) => void) {
    expectFunction(onSignals, 'onSignals');
    this.#native = new native.NativeSignalWatcher([...signals], (batch) => onSignals(batch.map(({ signal, pid, count }) => ({ signal, pid, count }))));
  }

  close(): void {
    this.#native.close();
  }

  /** Keep the event loop alive while watching (the default). */
  ref(): void {
    this.#native.ref();
  }

  unref(): void {
    this.#native.unref();
  }
}

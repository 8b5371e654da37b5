// Test-only fault injection. It is enabled by UNITD_TEST_FAULTS in the daemon's environment at
// start and by nothing else: a comma- or space-separated list of
//   unit:event   the unit's next event of that kind (timer, notify, pid-file, file-watch,
//                child-exit, control, job) throws inside the error boundary (manager.deliver);
//   halt         the orderly stop throws after it began (main.ts).
// Each fault fires once, so a test sees exactly the failure it asked for and not the same
// fault again in the stop that failing the unit starts.

/** The message of an injected fault (tests match it in the console, the log file and the journal). */
export const INJECTED_FAULT_MESSAGE = 'fault injected for a test (UNITD_TEST_FAULTS)';

export class InjectedFaults {
  private readonly pending: Set<string>;

  constructor(spec: string | undefined) {
    this.pending = new Set((spec ?? '').split(/[\s,]+/).filter((f) => f !== ''));
  }

  /** Throws, once, when `key` was asked for. */
  fire(key: string): void {
    if (this.pending.delete(key)) throw new Error(INJECTED_FAULT_MESSAGE);
  }
}

// `systemctl freeze`/`thaw` without the cgroup freezer: SIGSTOP or SIGCONT to
// every process of the unit. FreezerState is kept per unit; a frozen unit is
// thawed before any job runs on it (its processes could not act on SIGTERM,
// reload or restart while stopped), and reads `running` once it is inactive.

export type FreezerState = 'running' | 'frozen';
export type FreezerAction = 'freeze' | 'thaw';

export class Freezer {
  private readonly frozen = new Set<string>();

  state(unit: string, active: boolean): FreezerState {
    if (!active) this.frozen.delete(unit);
    return this.frozen.has(unit) ? 'frozen' : 'running';
  }

  /** Signal every pid; a process that is gone by now is simply skipped. */
  apply(unit: string, action: FreezerAction, pids: readonly number[], kill: (pid: number, signal: NodeJS.Signals) => void = process.kill): void {
    const signal = action === 'freeze' ? 'SIGSTOP' : 'SIGCONT';
    for (const pid of pids) {
      try {
        kill(pid, signal);
      } catch {
        /* exited meanwhile */
      }
    }
    if (action === 'freeze') this.frozen.add(unit);
    else this.frozen.delete(unit);
  }

  isFrozen(unit: string): boolean {
    return this.frozen.has(unit);
  }
}

// What a unit uses, without a cgroup per unit: TasksCurrent (threads of its
// processes, as the pids controller counts tasks) and CPUUsageNSec. CPU is
// utime+stime of the unit's live processes (or, finer, the schedstat run time
// of single-threaded ones) plus cutime+cstime (children they reaped), plus the last-seen CPU of processes of the same run that have since
// exited: an undercount by at most one sampling interval per exited process.

import { readFileSync } from 'node:fs';

/** USER_HZ: /proc/PID/stat counts CPU in clock ticks; Linux fixes it at 100 for userspace. */
const TICKS_PER_SECOND = 100;
const NSEC_PER_TICK = 1e9 / TICKS_PER_SECOND;

interface ProcessUsage {
  threads: number;
  cpuNsec: number;
}

/** Run time of the thread-group leader in ns (schedstat), finer than the 10 ms ticks of stat; 0 when absent. */
function leaderRunNsec(pid: number): number {
  try {
    const n = Number(readFileSync(`/proc/${pid}/schedstat`, 'latin1').split(' ')[0]);
    return Number.isFinite(n) ? n : 0;
  } catch {
    return 0;
  }
}

function readUsage(pid: number): ProcessUsage | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // Fields after the parenthesised comm: state is field 3, utime 14, stime 15, cutime 16, cstime 17, num_threads 20.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ownNsec = Math.max((Number(f[11]) + Number(f[12])) * NSEC_PER_TICK, leaderRunNsec(pid));
    const childrenNsec = (Number(f[13]) + Number(f[14])) * NSEC_PER_TICK;
    return { threads: Number(f[17]), cpuNsec: ownNsec + childrenNsec };
  } catch {
    return undefined;
  }
}

interface RunUsage {
  /** Identifies one run of the unit (its InactiveExitTimestamp): a new run starts from zero. */
  run: number;
  live: Map<number, number>;
  exitedNsec: number;
}

export class UnitResources {
  private readonly runs = new Map<string, RunUsage>();

  /** Sample the unit's processes; `run` changes when the unit starts again. */
  sample(unit: string, run: number, pids: readonly number[]): { tasks: number; cpuNsec: number } {
    let usage = this.runs.get(unit);
    if (usage === undefined || usage.run !== run) {
      // A run with no process yet has used nothing: nothing is kept for it, so a unit that
      // never ran (every not-found name a client asks about) leaves no entry behind.
      if (pids.length === 0) {
        this.runs.delete(unit);
        return { tasks: 0, cpuNsec: 0 };
      }
      usage = { run, live: new Map(), exitedNsec: 0 };
      this.runs.set(unit, usage);
    }
    const seen = new Map<number, number>();
    let tasks = 0;
    for (const pid of pids) {
      const u = readUsage(pid);
      if (u === undefined) continue;
      tasks += u.threads;
      seen.set(pid, u.cpuNsec);
    }
    for (const [pid, nsec] of usage.live) if (!seen.has(pid)) usage.exitedNsec += nsec;
    usage.live = seen;
    let cpuNsec = usage.exitedNsec;
    for (const nsec of seen.values()) cpuNsec += nsec;
    return { tasks, cpuNsec };
  }

  /** The unit was collected: nothing of it is sampled again. */
  forget(unit: string): void {
    this.runs.delete(unit);
  }
}

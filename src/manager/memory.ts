// A unit's memory for `systemctl status` (MemoryCurrent=). systemd reads its
// cgroup's memory.current; without a cgroup per unit, unitd adds up the
// resident set of the unit's processes (VmRSS), which counts shared pages
// once per process: close enough to tell a 5 MB daemon from a 500 MB one.

import { readFileSync } from 'node:fs';

/** Resident bytes of one process, or 0 when it is gone (or a kernel thread). */
export function residentBytes(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Sum over the processes; undefined when none is left (systemd shows no Memory: line then). */
export function unitMemory(pids: readonly number[]): number | undefined {
  if (pids.length === 0) return undefined;
  const total = pids.reduce((sum, pid) => sum + residentBytes(pid), 0);
  return total > 0 ? total : undefined;
}

/** Where the kernel counts OOM kills of unitd's memory cgroup, found once (undefined: nowhere). */
let oomEventsFile: string | null | undefined = null;

function findOomEventsFile(): string | undefined {
  let own: string[] = [];
  try {
    own = readFileSync('/proc/self/cgroup', 'utf8').split('\n');
  } catch {
    // no /proc: no cgroup either
  }
  const v2 = own.find((l) => l.startsWith('0::'))?.slice(3);
  const v1 = own.map((l) => /^\d+:(?:[^:]*,)?memory(?:,[^:]*)?:(.*)$/.exec(l)?.[1]).find((p) => p !== undefined);
  // Without a cgroup namespace /proc/self/cgroup names the host's path while /sys/fs/cgroup is
  // the container's own: the path joined first, the mount's root after.
  const candidates = [
    ...(v2 !== undefined ? [`/sys/fs/cgroup${v2.replace(/\/$/, '')}/memory.events`, '/sys/fs/cgroup/memory.events'] : []),
    ...(v1 !== undefined ? [`/sys/fs/cgroup/memory${v1.replace(/\/$/, '')}/memory.oom_control`, '/sys/fs/cgroup/memory/memory.oom_control'] : []),
  ];
  return candidates.find((file) => readOomKills(file) !== undefined);
}

function readOomKills(file: string): number | undefined {
  try {
    const m = /^oom_kill (\d+)$/m.exec(readFileSync(file, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Processes the kernel's OOM killer has killed so far in unitd's memory cgroup (v2
 * memory.events `oom_kill`, v1 memory.oom_control), undefined where the kernel does not say.
 */
export function cgroupOomKills(): number | undefined {
  if (oomEventsFile === null) oomEventsFile = findOomEventsFile();
  return oomEventsFile === undefined ? undefined : readOomKills(oomEventsFile);
}

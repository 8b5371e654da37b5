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

// Which processes belong to a unit, without cgroups (DESIGN "Process tracking
// without cgroups"): a process is the unit's if its environment carries
// UNITD_UNIT=<unit> (inherited by every descendant, double-forked or not) or its
// session id is one the unit's spawns created. One /proc scan answers for all units.

import { readdirSync, readFileSync } from 'node:fs';
import { exitPending } from '../native/index.js';

export interface ProcInfo {
  pid: number;
  ppid: number;
  sid: number;
  state: string;
  comm: string;
  /** Value of UNITD_UNIT in the environment, if any. */
  unit?: string;
}

const MARKER = Buffer.from('UNITD_UNIT=');

function readStat(pid: number): Omit<ProcInfo, 'unit'> | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const f = stat.slice(close + 2).split(' ');
    return { pid, state: f[0], ppid: Number(f[1]), sid: Number(f[3]), comm };
  } catch {
    return undefined;
  }
}

function readMarker(pid: number): string | undefined {
  try {
    const environ = readFileSync(`/proc/${pid}/environ`);
    let start = 0;
    while (start < environ.length) {
      let end = environ.indexOf(0, start);
      if (end < 0) end = environ.length;
      if (environ.compare(MARKER, 0, MARKER.length, start, Math.min(end, start + MARKER.length)) === 0) {
        return environ.toString('utf8', start + MARKER.length, end);
      }
      start = end + 1;
    }
  } catch {
    /* gone, or a kernel thread */
  }
  return undefined;
}

export function readProcess(pid: number): ProcInfo | undefined {
  const info = readStat(pid);
  if (!info) return undefined;
  return { ...info, unit: readMarker(pid) };
}

/** Every live (non-zombie) process except the manager itself. */
export function scanProcesses(): ProcInfo[] {
  const out: ProcInfo[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const entry of entries) {
    const c = entry.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    // stat first: zombies and kernel threads are skipped before the (larger) environ read
    const info = readStat(pid);
    if (!info || info.state === 'Z' || info.ppid === 2 || pid === 2) continue;
    out.push({ ...info, unit: readMarker(pid) });
  }
  return out;
}

/** Processes of one unit: its marker, or one of its sessions. */
export function unitPids(unit: string, sessions: ReadonlySet<number>, all: ProcInfo[] = scanProcesses()): ProcInfo[] {
  return all.filter((p) => p.unit === unit || sessions.has(p.sid));
}

export function readCommandLine(pid: number): string {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    const cmd = raw.split('\0').filter(Boolean).join(' ');
    if (cmd) return cmd;
  } catch {
    /* gone */
  }
  return readStat(pid)?.comm ?? '';
}

export function isAlive(pid: number): boolean {
  const info = readStat(pid);
  return info !== undefined && info.state !== 'Z';
}

/** The pid is still in the process table, zombie or not: its exit has not been reaped yet. */
export function notYetReaped(pid: number): boolean {
  return readStat(pid) !== undefined;
}

/**
 * What a unit's state machine reads of the process table. The manager's units read /proc
 * (REAL_PROCESS_TABLE); a host may give a fake one, so state machines run in tests without
 * processes (test/manager/fake-host.ts).
 */
export interface ProcessTable {
  notYetReaped(pid: number): boolean;
  isAlive(pid: number): boolean;
  scan(): ProcInfo[];
}

// A process already reaped whose exit the reaper has yet to hand over (later in its batch, or held
// for a spawn in flight) is still unreaped to a unit: it must wait for the exit event.
export const REAL_PROCESS_TABLE: ProcessTable = { notYetReaped: (pid) => notYetReaped(pid) || exitPending(pid), isAlive, scan: scanProcesses };

/** Longest ppid chain followed; real trees are a few levels deep, the bound only stops a loop. */
const MAX_LINEAGE = 4096;

/**
 * The process and its ancestors, nearest first, as the kernel records them (/proc/PID/stat
 * ppid): unlike the UNITD_UNIT marker, a process cannot forge where it comes from. Stops
 * below PID 1 and the manager. Undefined when the process is gone (its exit was reaped).
 */
export function processLineage(pid: number): Omit<ProcInfo, 'unit'>[] | undefined {
  const first = readStat(pid);
  if (!first) return undefined;
  const chain = [first];
  let ppid = first.ppid;
  while (ppid > 1 && ppid !== process.pid && chain.length < MAX_LINEAGE) {
    const parent = readStat(ppid);
    if (!parent) break;
    chain.push(parent);
    ppid = parent.ppid;
  }
  return chain;
}

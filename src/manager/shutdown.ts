// The end of a shutdown, after the units' stop jobs (Manager.stopAll): every
// process still around gets SIGTERM (+SIGCONT), then SIGKILL, and is reaped by
// the reaper, like systemd-shutdown's final killing spree. As PID 1 that is
// every process in the container but ourselves; as a subreaper only our own
// descendants (we must never signal the host's or a sibling's processes).
// Waiting for processes to vanish is a short bounded poll of /proc: there is no
// event for "a process that is not our child exited".

import { readlinkSync } from 'node:fs';
import { scanProcesses, type ProcInfo } from './process-tracker.js';

const SIGTERM = 15;
const SIGKILL = 9;
const SIGCONT = 18;

export interface SweepOptions {
  /** How long leftovers get between SIGTERM and SIGKILL (ms). */
  termMs: number;
  /** How long to wait for SIGKILLed processes to be gone (ms). */
  killMs: number;
  /** Signal a pid (process.kill in the daemon; a fake in tests). */
  kill?: (pid: number, signal: number) => void;
  log?: (message: string) => void;
}

/** Are we the init of the PID namespace whose /proc we see? */
export function ownsProcNamespace(): boolean {
  if (process.pid !== 1) return false;
  try {
    return readlinkSync('/proc/self') === '1';
  } catch {
    return false;
  }
}

/** Processes to sweep: all but ourselves as init of our /proc; else our descendants only. */
export function leftoverProcesses(all: ProcInfo[] = scanProcesses()): ProcInfo[] {
  const live = all.filter((p) => p.pid !== process.pid && p.state !== 'Z');
  if (ownsProcNamespace()) return live;
  const children = new Map<number, ProcInfo[]>();
  for (const p of live) {
    const list = children.get(p.ppid) ?? [];
    list.push(p);
    children.set(p.ppid, list);
  }
  const out: ProcInfo[] = [];
  const stack = [process.pid];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    for (const c of children.get(pid) ?? []) {
      out.push(c);
      stack.push(c.pid);
    }
  }
  return out;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function waitGone(pids: Set<number>, ms: number): Promise<number[]> {
  const end = Date.now() + ms;
  for (;;) {
    const alive = new Set(leftoverProcesses().map((p) => p.pid));
    const left = [...pids].filter((p) => alive.has(p));
    if (left.length === 0 || Date.now() >= end) return left;
    await sleep(25);
  }
}

/** SIGTERM, wait, SIGKILL, wait. Returns how many got each signal. */
export async function sweepLeftoverProcesses(options: SweepOptions): Promise<{ terminated: number; killed: number }> {
  const kill = options.kill ?? ((pid: number, signal: number) => process.kill(pid, signal));
  const send = (pid: number, signal: number): boolean => {
    try {
      kill(pid, signal);
      return true;
    } catch {
      return false;
    }
  };
  const first = leftoverProcesses();
  if (first.length === 0) return { terminated: 0, killed: 0 };
  const pids = new Set<number>();
  for (const p of first) {
    if (send(p.pid, SIGTERM)) pids.add(p.pid);
    send(p.pid, SIGCONT);
  }
  options.log?.(`Sending SIGTERM to remaining processes: ${first.map((p) => `${p.pid} (${p.comm})`).join(', ')}`);
  const left = await waitGone(pids, options.termMs);
  // Anything that appeared meanwhile (forked during SIGTERM handling) is killed too.
  const stubborn = new Set([...left, ...leftoverProcesses().map((p) => p.pid)]);
  if (stubborn.size === 0) return { terminated: pids.size, killed: 0 };
  options.log?.(`Sending SIGKILL to remaining processes: ${[...stubborn].join(', ')}`);
  for (const pid of stubborn) send(pid, SIGKILL);
  await waitGone(stubborn, options.killMs);
  return { terminated: pids.size, killed: stubborn.size };
}

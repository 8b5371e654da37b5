// The single reaper: every exited child of this process, services and orphans alike, is
// collected by waitid(P_ALL) when SIGCHLD arrives and handed to the listeners exactly once.

import { ChildProcess } from 'node:child_process';
import { native, type NativeExit } from './binding.js';
import { drainLogSockets } from './log-socket.js';
import { expectFunction } from './validate.js';

/** How the process ended, as systemd's ExecMainCode/ExecMainStatus: exit code, or signal number. */
export const EXIT_CODES = ['exited', 'killed', 'dumped'] as const;
export type ExitCode = (typeof EXIT_CODES)[number];
export interface ExitInfo {
  pid: number;
  code: ExitCode;
  status: number;
}

type ExitListener = (exit: ExitInfo) => void;
const listeners = new Set<ExitListener>();

// Children started through Node's child_process (test tooling, never the daemon's services)
// belong to libuv, which waits for each of them by pid. Reaping one here would leave its
// ChildProcess waiting forever, so their pids are recorded and left alone.
const nodeChildPids = new Set<number>();
type SpawnMethod = (this: ChildProcess, ...args: unknown[]) => unknown;
const childProcessPrototype = ChildProcess.prototype as unknown as { spawn: SpawnMethod };
const originalSpawn = childProcessPrototype.spawn;
childProcessPrototype.spawn = function recordNodeChild(this: ChildProcess, ...args: unknown[]): unknown {
  const result = originalSpawn.apply(this, args);
  const pid = this.pid;
  if (pid !== undefined) {
    nodeChildPids.add(pid);
    this.once('exit', () => nodeChildPids.delete(pid));
  }
  return result;
};

let retryTimer: NodeJS.Timeout | undefined;

// Asynchronous spawns (spawn.ts): the child may exit, and be reaped here, before the event
// loop has learned its pid. The kernel names each such child to the addon as it clones it
// (native.spawningPids()), so exactly those exits are held, until their spawn's callback has
// claimed the pid (then delivered, after the callback) or dropped it (a failed child). A listener
// thus always sees "spawned pid N" before "pid N exited", and nothing else waits: other exits
// (orphans included) are delivered at once. As a safety net, a held exit is also released when
// every spawn begun before it was reaped has ended, so none can pile up.
let spawnSeq = 0;
const spawnsInFlight = new Set<number>(); // insertion order is ascending
const heldExits = new Map<number, { exit: ExitInfo; stamp: number }>();
// Children of failed spawns not reaped yet: their exits never reach the listeners (the spawn's
// failure reports them), as with the synchronous spawn, which collects them itself.
const droppedPids = new Set<number>();

/** A spawn starts; its number goes to endSpawn(). */
export function beginSpawn(): number {
  spawnsInFlight.add(++spawnSeq);
  return spawnSeq;
}

/**
 * The spawn numbered `seq` ended: `dropped` are its children whose exits nobody may see;
 * `announce` tells the caller (which records `claimed`, the started pid); then the exit of
 * `claimed`, if it came already, is delivered, and so are held exits no spawn can own any more.
 */
export function endSpawn(seq: number, dropped: readonly number[], claimed: number | undefined, announce: () => void): void {
  spawnsInFlight.delete(seq);
  for (const pid of dropped) if (!heldExits.delete(pid)) droppedPids.add(pid);
  try {
    announce();
  } finally {
    const held = claimed === undefined ? undefined : heldExits.get(claimed);
    if (held && claimed !== undefined) {
      heldExits.delete(claimed);
      deliver(held.exit);
    }
    releaseHeldExits();
  }
}

function releaseHeldExits(): void {
  if (heldExits.size === 0) return;
  const oldest = spawnsInFlight.values().next().value ?? Infinity;
  for (const [pid, held] of heldExits) {
    if (held.stamp >= oldest) continue;
    heldExits.delete(pid);
    deliver(held.exit);
  }
}

/**
 * Resolves once no spawn is in flight (true), or after `timeoutMs` (false): daemon-reexec
 * serializes pids, and a command still being cloned has none yet.
 */
export async function spawnsSettled(timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (spawnsInFlight.size > 0) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return true;
}

const undelivered = new Set<number>();

/**
 * Reaped, but the listeners have not had the exit yet (later in the same batch, or held for a
 * spawn in flight): a unit asking whether its process is gone must still wait for the event.
 */
export function exitPending(pid: number): boolean {
  return undelivered.has(pid) || heldExits.has(pid);
}

/** Exits held for spawns in flight (tests: must drain to 0). */
export function heldExitCount(): number {
  return heldExits.size + droppedPids.size;
}

function deliver(exit: ExitInfo): void {
  for (const listener of listeners) {
    try {
      listener(exit);
    } catch (error) {
      // One failing listener must not cost the others this exit; the error still surfaces.
      queueMicrotask(() => {
        throw error;
      });
    }
  }
}

/**
 * Collects every exited child without blocking (waitpid(-1, WNOHANG) until none is left)
 * and returns them; each is also delivered to the onChildExit listeners. Log messages that
 * have arrived are delivered first. An exit that may belong to a spawn in flight is held (see
 * endSpawn) and neither returned nor delivered yet.
 */
export function reapAll(): ExitInfo[] {
  // A child's last syslog message must be attributed while /proc still has the child.
  drainLogSockets();
  const { exits, blockedBy } = native.reapExited([...nodeChildPids]);
  if (blockedBy !== 0 && retryTimer === undefined) {
    // A child_process child is first in the kernel's queue and hides the ones behind it
    // until libuv has collected it (it does so on the same SIGCHLD): look again shortly.
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      reapAll();
    }, 5);
    retryTimer.unref();
  }
  const result: ExitInfo[] = [];
  const spawning = spawnsInFlight.size > 0 && exits.length > 0 ? new Set(native.spawningPids()) : undefined;
  for (const exit of exits as NativeExit[]) {
    if (droppedPids.delete(exit.pid)) continue;
    const info: ExitInfo = { pid: exit.pid, code: exit.code, status: exit.status };
    if (spawning?.has(info.pid)) heldExits.set(info.pid, { exit: info, stamp: spawnSeq });
    else result.push(info);
  }
  // Until its turn comes, an exit of this batch is reaped but not delivered: /proc no longer
  // shows the process, yet its owner has not heard of the exit (exitPending()).
  for (const exit of result) undelivered.add(exit.pid);
  for (const exit of result) {
    undelivered.delete(exit.pid);
    deliver(exit);
  }
  return result;
}

function onSigchld(): void {
  reapAll();
}

/**
 * Installs the SIGCHLD-driven reaper (once, however many listeners) and subscribes.
 * Children that exited before the first subscription are collected right away.
 * Returns the unsubscribe function; the signal handler goes when the last listener does.
 */
export function onChildExit(listener: (e: ExitInfo) => void): () => void {
  expectFunction(listener, 'listener');
  const wrapped: ExitListener = (exit) => listener(exit);
  if (listeners.size === 0) {
    process.on('SIGCHLD', onSigchld);
    setImmediate(reapAll);
  }
  listeners.add(wrapped);
  let subscribed = true;
  return () => {
    if (!subscribed) return;
    subscribed = false;
    listeners.delete(wrapped);
    if (listeners.size === 0) process.off('SIGCHLD', onSigchld);
  };
}

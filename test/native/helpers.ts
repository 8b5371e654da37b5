// Shared observations for the native-layer tests: what /proc says about processes and fds.

import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { onChildExit, type ExitInfo } from '../../src/native/index.js';

/** The fd numbers this process holds (the directory listing's own fd included, consistently). */
export function openFds(pid: number | 'self' = 'self'): number[] {
  return readdirSync(`/proc/${pid}/fd`).map(Number).sort((a, b) => a - b);
}

export function fdTarget(pid: number, fd: number): string {
  return readlinkSync(`/proc/${pid}/fd/${fd}`);
}

/** Open-file flags from /proc/PID/fdinfo/FD (octal in the file). */
export function fdFlags(pid: number | 'self', fd: number): number {
  const line = readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8').split('\n').find((l) => l.startsWith('flags:'));
  return parseInt(line?.split(/\s+/)[1] ?? '0', 8);
}
export const O_NONBLOCK = 0o4000;
export const O_CLOEXEC = 0o2000000;

/** Fields of /proc/PID/stat after the command name; index 0 is the state. */
export function statFields(pid: number): string[] {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return text.slice(text.lastIndexOf(')') + 2).trim().split(' ');
}

export function statusField(pid: number, name: string): string {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(`${name}:`));
  return line?.slice(name.length + 1).trim() ?? '';
}

/** Zombies whose parent is `parent` (default: this process). */
export function zombieChildren(parent = process.pid): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fields = statFields(Number(entry));
      if (fields[0] === 'Z' && Number(fields[1]) === parent) found.push(Number(entry));
    } catch {
      // the process went away while we looked
    }
  }
  return found;
}

/** Records every exit the reaper delivers, so a test can wait for a pid whenever it likes. */
export class ExitCollector {
  readonly exits = new Map<number, ExitInfo>();
  readonly counts = new Map<number, number>();
  readonly #waiters = new Map<number, (exit: ExitInfo) => void>();
  readonly #unsubscribe: () => void;

  constructor() {
    this.#unsubscribe = onChildExit((exit) => {
      this.exits.set(exit.pid, exit);
      this.counts.set(exit.pid, (this.counts.get(exit.pid) ?? 0) + 1);
      this.#waiters.get(exit.pid)?.(exit);
    });
  }

  exitOf(pid: number, timeoutMs = 5000): Promise<ExitInfo> {
    const known = this.exits.get(pid);
    if (known) return Promise.resolve(known);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(pid);
        reject(new Error(`pid ${pid} did not exit within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiters.set(pid, (exit) => {
        clearTimeout(timer);
        this.#waiters.delete(pid);
        resolve(exit);
      });
    });
  }

  close(): void {
    this.#unsubscribe();
  }
}

/** Kills a test's leftover process by pid (never by name). */
export function killQuietly(pid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

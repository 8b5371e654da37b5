// daemon-reexec (systemd's manager_reexecute): the running unitd checks that the program now
// on disk starts, writes its state (serialize.ts), and execve()s it with the descriptors that
// state names; the new program resumes from the file (main.ts --deserialize=) and no service
// notices. Anything that fails before execve leaves the running daemon exactly as it was.

import { closeSync, readSync, rmSync } from 'node:fs';
import type { ControlServer } from '../control/server.js';
import type { DaemonJournal } from '../journal/daemon.js';
import type { NativeModule } from '../exec/native.js';
import { execSelf, spawnsSettled } from '../native/index.js';
import { MANAGER_START } from './clock.js';
import type { Manager } from './manager.js';
import { STATE_FORMAT, stateFilePath, writeStateFile } from './serialize.js';

/** The argument that makes main.ts resume from a state file instead of booting. */
export const DESERIALIZE_ARG = '--deserialize=';
/** How long daemon-reexec waits for spawns in flight to have their pids. */
const SPAWNS_SETTLE_MS = 5000;
/** The argument that makes main.ts exit 0 once every module has loaded: the new program's check. */
export const CHECK_LOAD_ARG = '--check-load';
/** How long the new program may take to load (Node on a loaded machine takes seconds). */
const CHECK_TIMEOUT_MS = 60_000;

export interface ReexecParts {
  manager: Manager;
  journal: DaemonJournal;
  control(): ControlServer | undefined;
  native: NativeModule;
  runtimeDir: string;
  version: string;
  /** This program's own arguments, without a --deserialize= it was given. */
  args: string[];
}

/** The program to execute: the node running us, its flags, and the main script as it is on disk now. */
export function currentProgram(): { file: string; argv: string[] } {
  return { file: process.execPath, argv: [process.execPath, ...process.execArgv, process.argv[1] ?? ''] };
}

function environment(): string[] {
  return Object.entries(process.env).flatMap(([k, v]) => (v === undefined ? [] : [`${k}=${v}`]));
}

/** First line the check wrote on stderr, for the message. */
function firstLine(fd: number | undefined): string {
  if (fd === undefined) return '';
  const buffer = Buffer.alloc(4096);
  try {
    const n = readSync(fd, buffer, 0, buffer.length, null);
    return buffer.subarray(0, Math.max(n, 0)).toString('utf8').split('\n').find((l) => l.trim() !== '') ?? '';
  } catch {
    return '';
  }
}

/** Runs the new program with --check-load and resolves when it exited 0; rejects with why not. */
export function checkLoadable(native: NativeModule, program: { file: string; argv: string[] }): Promise<void> {
  return new Promise((resolve, reject) => {
    let pid = 0;
    let stderr: number | undefined;
    const exits: { pid: number; code: string; status: number }[] = [];
    const unsubscribe = native.onChildExit((e) => {
      if (pid === 0) exits.push(e);
      else if (e.pid === pid) finish(e);
    });
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`${program.argv.slice(1).join(' ')} did not finish loading within ${CHECK_TIMEOUT_MS / 1000}s`));
    }, CHECK_TIMEOUT_MS);
    const finish = (e: { code: string; status: number }): void => {
      clearTimeout(timer);
      unsubscribe();
      const said = firstLine(stderr);
      if (stderr !== undefined) closeQuietly(stderr);
      if (e.code === 'exited' && e.status === 0) resolve();
      else reject(new Error(`${program.file} ${program.argv.slice(1).join(' ')} failed to load (${e.code === 'exited' ? `exit status ${e.status}` : `signal ${e.status}`})${said ? `: ${said}` : ''}`));
    };
    try {
      const started = native.spawn({ path: program.file, argv: [...program.argv, CHECK_LOAD_ARG], env: environment(), stdin: { kind: 'null' }, stdout: { kind: 'null' }, stderr: { kind: 'pipe' } });
      pid = started.pid;
      stderr = started.stderr;
    } catch (err) {
      clearTimeout(timer);
      unsubscribe();
      reject(new Error(`Failed to execute ${program.file}: ${(err as Error).message}`));
      return;
    }
    const early = exits.find((e) => e.pid === pid);
    if (early) finish(early);
  });
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    /* already closed */
  }
}

/**
 * Serializes and execs (after checkLoadable). Returns only by throwing when execve failed: then
 * the state file is gone and the running daemon goes on untouched.
 */
export async function execNow(parts: ReexecParts): Promise<never> {
  const program = currentProgram();
  // A command being cloned has no pid to write down yet; a child blocked before exec (a FIFO
  // without a writer) is not waited for beyond a bound: its unit then keeps a synthetic pid.
  await spawnsSettled(SPAWNS_SETTLE_MS);
  // Everything logged so far reaches the disk before the new program opens its segment.
  await parts.journal.journal.store.flush();
  // From here to execve nothing yields to the event loop: no output is read, no datagram
  // received, no timer fires, so the snapshot is the state the new program takes over.
  const keep = new Set<number>();
  const manager = parts.manager.snapshotState((fd) => keep.add(fd));
  const controlFd = parts.control()?.listeningFd();
  if (controlFd !== undefined) keep.add(controlFd);
  const path = stateFilePath(parts.runtimeDir);
  writeStateFile(path, {
    format: STATE_FORMAT,
    writtenBy: parts.version,
    managerStart: MANAGER_START,
    bootId: parts.journal.journal.store.bootId,
    controlFd: controlFd ?? null,
    manager,
    keepFds: [...keep],
  });
  try {
    return execSelf(program.file, [...program.argv, ...parts.args, `${DESERIALIZE_ARG}${path}`], environment(), [...keep]);
  } catch (err) {
    rmSync(path, { force: true });
    throw new Error(`Failed to execute ${program.file}: ${(err as Error).message}`);
  }
}

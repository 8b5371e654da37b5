// daemon-reexec's state file: what the running unitd hands to the program it execs (systemd's
// manager_serialize): the manager's own state, every unit's running state from its type's
// snapshot(), the jobs, and the fds kept across execve. JSON, mode 0600 under the runtime
// directory; the new program reads it once and removes it.

import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JobType } from '../control/api.js';
import type { DualTimestamp } from './clock.js';
import type { UnitSnapshot } from './unit-type.js';

/** Bumped whenever the layout changes: a file of another format is refused, not half-read. */
export const STATE_FORMAT = 1;

export interface UnitStateSnapshot {
  id: string;
  activatedAt: number;
  checks?: { conditionResult: boolean; assertResult: boolean; at: DualTimestamp; failed?: string };
  state: UnitSnapshot;
}

export interface ManagerStateSnapshot {
  state: 'initializing' | 'starting' | 'running' | 'stopping';
  basicReached: boolean;
  managerEnvironment: string[];
  consoleStatus: boolean;
  activationCounter: number;
  nextJobId: number;
  units: UnitStateSnapshot[];
  jobs: { unit: string; type: JobType }[];
}

export interface StateFile {
  format: number;
  /** The program that wrote it (VERSION): a message names both when they differ. */
  writtenBy: string;
  /** When the first unitd of this boot started (OnBootSec=, OnStartupSec= count from it). */
  managerStart: DualTimestamp;
  bootId: string;
  /** The control socket's listening fd: clients queue on it while the new program starts. */
  controlFd: number | null;
  manager: ManagerStateSnapshot;
  /** Every fd the file names, kept across execve. */
  keepFds: number[];
}

export function stateFilePath(runtimeDir: string): string {
  return join(runtimeDir, 'reexec-state.json');
}

export function writeStateFile(path: string, state: StateFile): void {
  writeFileSync(path, JSON.stringify(state), { mode: 0o600 });
}

/**
 * Reads and removes the state file. Throws one line naming the file when it is unreadable,
 * not JSON, or of another format (then unitd boots afresh: nothing of the old state is guessed).
 */
export function readStateFile(path: string): StateFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } finally {
    rmSync(path, { force: true });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(`${path}: not a unitd state file (${(err as Error).message})`);
  }
  const file = parsed as Partial<StateFile> | null;
  if (file === null || typeof file !== 'object' || file.format !== STATE_FORMAT || typeof file.manager !== 'object') {
    throw new Error(`${path}: state file format ${String(file?.format)} written by ${String(file?.writtenBy ?? 'an unknown program')}, this unitd reads format ${STATE_FORMAT}`);
  }
  return file as StateFile;
}

// PIDFile= of forking services: where the file is, which pid it names, and a watch for it to
// appear (an fs watch on its directory, never a poll). The service decides what a pid means.

import { readFileSync, watch } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';

/** PIDFile= as systemd resolves it: a relative name lives under /run. */
export function pidFilePath(setting: string): string {
  return isAbsolute(setting) ? setting : join('/run', setting);
}

/** The pid the file names (its first word); undefined when it is missing or names no pid above 1. */
export function readPidNumber(path: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const pid = Number(text.trim().split(/\s+/)[0]);
  return Number.isInteger(pid) && pid > 1 ? pid : undefined;
}

export interface PidFileWatch {
  close(): void;
}

/** Calls `onChange` whenever the file may have appeared or changed. Throws when its directory cannot be watched. */
export function watchPidFile(path: string, onChange: () => void): PidFileWatch {
  const watcher = watch(dirname(path), (_event, name) => {
    if (name !== null && name !== basename(path)) return;
    onChange();
  });
  watcher.on('error', () => undefined);
  return watcher;
}

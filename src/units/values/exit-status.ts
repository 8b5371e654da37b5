// Exit statuses as systemd names them (systemd.exec(5) "Process Exit Codes") and
// the status sets of SuccessExitStatus=, RestartPreventExitStatus=, RestartForceExitStatus=.

import { ParseResult, ok, fail } from './result.js';
import { signalFromString } from './signal.js';

/** Where a code comes from; `systemctl status` names only libc and systemd codes. */
export const EXIT_STATUS_CLASSES = ['libc', 'systemd', 'lsb', 'bsd'] as const;
export type ExitStatusClass = (typeof EXIT_STATUS_CLASSES)[number];

interface ExitStatusName {
  name: string;
  class: ExitStatusClass;
}

function table(): Map<number, ExitStatusName> {
  const m = new Map<number, ExitStatusName>();
  const add = (cls: ExitStatusClass, first: number, names: readonly (string | null)[]): void => {
    names.forEach((name, i) => {
      if (name !== null) m.set(first + i, { name, class: cls });
    });
  };
  add('libc', 0, ['SUCCESS', 'FAILURE']);
  add('lsb', 2, ['INVALIDARGUMENT', 'NOTIMPLEMENTED', 'NOPERMISSION', 'NOTINSTALLED', 'NOTCONFIGURED', 'NOTRUNNING']);
  add('bsd', 64, [
    'USAGE',
    'DATAERR',
    'NOINPUT',
    'NOUSER',
    'NOHOST',
    'UNAVAILABLE',
    'SOFTWARE',
    'OSERR',
    'OSFILE',
    'CANTCREAT',
    'IOERR',
    'TEMPFAIL',
    'PROTOCOL',
    'NOPERM',
    'CONFIG',
  ]);
  add('systemd', 200, [
    'CHDIR',
    'NICE',
    'FDS',
    'EXEC',
    'MEMORY',
    'LIMITS',
    'OOM_ADJUST',
    'SIGNAL_MASK',
    'STDIN',
    'STDOUT',
    'CHROOT',
    'IOPRIO',
    'TIMERSLACK',
    'SECUREBITS',
    'SETSCHEDULER',
    'CPUAFFINITY',
    'GROUP',
    'USER',
    'CAPABILITIES',
    'CGROUP',
    'SETSID',
    'CONFIRM',
    'STDERR',
    null,
    'PAM',
    'NETWORK',
    'NAMESPACE',
    'NO_NEW_PRIVILEGES',
    'SECCOMP',
    'SELINUX_CONTEXT',
    'PERSONALITY',
    'APPARMOR_PROFILE',
    'ADDRESS_FAMILIES',
    'RUNTIME_DIRECTORY',
    null,
    'CHOWN',
    'SMACK_PROCESS_LABEL',
    'KEYRING',
    'STATE_DIRECTORY',
    'CACHE_DIRECTORY',
    'LOGS_DIRECTORY',
    'CONFIGURATION_DIRECTORY',
    'NUMA_POLICY',
    'CREDENTIALS',
    null,
    'BPF',
  ]);
  add('systemd', 255, ['EXCEPTION']);
  return m;
}

const EXIT_STATUS_TABLE = table();

/** The codes unitd's own spawn uses when pre-exec setup fails in the child. */
export const EXIT = {
  SUCCESS: 0,
  FAILURE: 1,
  CHDIR: 200,
  NICE: 201,
  EXEC: 203,
  LIMITS: 205,
  OOM_ADJUST: 206,
  STDIN: 208,
  STDOUT: 209,
  CHROOT: 210,
  GROUP: 216,
  USER: 217,
  SETSID: 220,
  STDERR: 222,
  NAMESPACE: 226,
  RUNTIME_DIRECTORY: 233,
  STATE_DIRECTORY: 238,
  CACHE_DIRECTORY: 239,
  LOGS_DIRECTORY: 240,
  CONFIGURATION_DIRECTORY: 241,
  EXCEPTION: 255,
} as const;

/**
 * The name of an exit code. With `classes` limited (as `systemctl status` does:
 * libc and systemd only) codes of other classes have no name.
 */
export function exitStatusName(code: number, classes: readonly ExitStatusClass[] = EXIT_STATUS_CLASSES): string | undefined {
  const e = EXIT_STATUS_TABLE.get(code);
  return e !== undefined && classes.includes(e.class) ? e.name : undefined;
}

/** "3/NOTIMPLEMENTED" (journal style) or bare "3" when the code has no name in `classes`. */
export function formatExitStatus(code: number, classes: readonly ExitStatusClass[] = EXIT_STATUS_CLASSES): string {
  const name = exitStatusName(code, classes);
  return name === undefined ? String(code) : `${code}/${name}`;
}

/** A code from a table name (exact case, as systemd) or a number 0–255. */
export function exitStatusFromString(s: string): ParseResult<number> {
  for (const [code, e] of EXIT_STATUS_TABLE) if (e.name === s) return ok(code);
  if (!/^\+?\d+$/.test(s)) return fail('Invalid argument');
  const n = Number(s);
  return n <= 255 ? ok(n) : fail('Numerical result out of range');
}

/** Value of SuccessActionExitStatus= / FailureActionExitStatus=: a code 0–255, or empty for "unset". */
export function parseActionExitStatus(value: string): ParseResult<number | undefined> {
  if (value === '') return ok(undefined);
  const r = exitStatusFromString(value);
  return r.ok ? r : fail(`Failed to parse exit status '${value}', ignoring: ${r.error}`);
}

/** SuccessExitStatus= & co: exit codes and signals, mixed. */
export interface ExitStatusSet {
  statuses: number[];
  signals: number[];
}

export function emptyExitStatusSet(): ExitStatusSet {
  return { statuses: [], signals: [] };
}

/**
 * Add one assignment to a set. Numbers are exit codes, never signals (systemd
 * tries the exit status table first). Bad words are reported and skipped; an
 * empty value resets the set.
 */
export function addToExitStatusSet(set: ExitStatusSet, value: string, warn: (message: string) => void): ExitStatusSet {
  if (value.trim() === '') return emptyExitStatusSet();
  const next: ExitStatusSet = { statuses: [...set.statuses], signals: [...set.signals] };
  for (const word of value.split(/[ \t\n\r]+/).filter((w) => w !== '')) {
    const code = exitStatusFromString(word);
    if (code.ok) {
      if (!next.statuses.includes(code.value)) next.statuses.push(code.value);
      continue;
    }
    const sig = signalFromString(word);
    if (sig !== undefined && !/^\d+$/.test(word)) {
      if (!next.signals.includes(sig)) next.signals.push(sig);
      continue;
    }
    warn(`Failed to parse value, ignoring: ${word}`);
  }
  next.statuses.sort((a, b) => a - b);
  next.signals.sort((a, b) => a - b);
  return next;
}

export function exitStatusSetHas(set: ExitStatusSet, status: { code?: number; signal?: number }): boolean {
  if (status.code !== undefined && set.statuses.includes(status.code)) return true;
  return status.signal !== undefined && set.signals.includes(status.signal);
}

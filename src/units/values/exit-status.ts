// Exit statuses as systemd names them (systemd.exec(5) "Process Exit Codes") and
// the status sets of SuccessExitStatus=, RestartPreventExitStatus=, RestartForceExitStatus=.

import { ParseResult, ok, fail } from './result.js';
import { signalFromString } from './signal.js';

/** Who defines the code; `systemctl status` names only libc and systemd codes (LSB/BSD print bare). */
export const EXIT_STATUS_CLASSES = ['libc', 'systemd', 'lsb', 'bsd'] as const;
export type ExitStatusClass = (typeof EXIT_STATUS_CLASSES)[number];

/** The one exit-status table: the spawner names its failures from it, the manager and systemctl print from it. */
export const EXIT_STATUSES = [
  { code: 0, name: 'SUCCESS', class: 'libc' },
  { code: 1, name: 'FAILURE', class: 'libc' },
  { code: 2, name: 'INVALIDARGUMENT', class: 'lsb' },
  { code: 3, name: 'NOTIMPLEMENTED', class: 'lsb' },
  { code: 4, name: 'NOPERMISSION', class: 'lsb' },
  { code: 5, name: 'NOTINSTALLED', class: 'lsb' },
  { code: 6, name: 'NOTCONFIGURED', class: 'lsb' },
  { code: 7, name: 'NOTRUNNING', class: 'lsb' },
  { code: 64, name: 'USAGE', class: 'bsd' },
  { code: 65, name: 'DATAERR', class: 'bsd' },
  { code: 66, name: 'NOINPUT', class: 'bsd' },
  { code: 67, name: 'NOUSER', class: 'bsd' },
  { code: 68, name: 'NOHOST', class: 'bsd' },
  { code: 69, name: 'UNAVAILABLE', class: 'bsd' },
  { code: 70, name: 'SOFTWARE', class: 'bsd' },
  { code: 71, name: 'OSERR', class: 'bsd' },
  { code: 72, name: 'OSFILE', class: 'bsd' },
  { code: 73, name: 'CANTCREAT', class: 'bsd' },
  { code: 74, name: 'IOERR', class: 'bsd' },
  { code: 75, name: 'TEMPFAIL', class: 'bsd' },
  { code: 76, name: 'PROTOCOL', class: 'bsd' },
  { code: 77, name: 'NOPERM', class: 'bsd' },
  { code: 78, name: 'CONFIG', class: 'bsd' },
  { code: 200, name: 'CHDIR', class: 'systemd' },
  { code: 201, name: 'NICE', class: 'systemd' },
  { code: 202, name: 'FDS', class: 'systemd' },
  { code: 203, name: 'EXEC', class: 'systemd' },
  { code: 204, name: 'MEMORY', class: 'systemd' },
  { code: 205, name: 'LIMITS', class: 'systemd' },
  { code: 206, name: 'OOM_ADJUST', class: 'systemd' },
  { code: 207, name: 'SIGNAL_MASK', class: 'systemd' },
  { code: 208, name: 'STDIN', class: 'systemd' },
  { code: 209, name: 'STDOUT', class: 'systemd' },
  { code: 210, name: 'CHROOT', class: 'systemd' },
  { code: 211, name: 'IOPRIO', class: 'systemd' },
  { code: 212, name: 'TIMERSLACK', class: 'systemd' },
  { code: 213, name: 'SECUREBITS', class: 'systemd' },
  { code: 214, name: 'SETSCHEDULER', class: 'systemd' },
  { code: 215, name: 'CPUAFFINITY', class: 'systemd' },
  { code: 216, name: 'GROUP', class: 'systemd' },
  { code: 217, name: 'USER', class: 'systemd' },
  { code: 218, name: 'CAPABILITIES', class: 'systemd' },
  { code: 219, name: 'CGROUP', class: 'systemd' },
  { code: 220, name: 'SETSID', class: 'systemd' },
  { code: 221, name: 'CONFIRM', class: 'systemd' },
  { code: 222, name: 'STDERR', class: 'systemd' },
  { code: 224, name: 'PAM', class: 'systemd' },
  { code: 225, name: 'NETWORK', class: 'systemd' },
  { code: 226, name: 'NAMESPACE', class: 'systemd' },
  { code: 227, name: 'NO_NEW_PRIVILEGES', class: 'systemd' },
  { code: 228, name: 'SECCOMP', class: 'systemd' },
  { code: 229, name: 'SELINUX_CONTEXT', class: 'systemd' },
  { code: 230, name: 'PERSONALITY', class: 'systemd' },
  { code: 231, name: 'APPARMOR_PROFILE', class: 'systemd' },
  { code: 232, name: 'ADDRESS_FAMILIES', class: 'systemd' },
  { code: 233, name: 'RUNTIME_DIRECTORY', class: 'systemd' },
  { code: 235, name: 'CHOWN', class: 'systemd' },
  { code: 236, name: 'SMACK_PROCESS_LABEL', class: 'systemd' },
  { code: 237, name: 'KEYRING', class: 'systemd' },
  { code: 238, name: 'STATE_DIRECTORY', class: 'systemd' },
  { code: 239, name: 'CACHE_DIRECTORY', class: 'systemd' },
  { code: 240, name: 'LOGS_DIRECTORY', class: 'systemd' },
  { code: 241, name: 'CONFIGURATION_DIRECTORY', class: 'systemd' },
  { code: 242, name: 'NUMA_POLICY', class: 'systemd' },
  { code: 243, name: 'CREDENTIALS', class: 'systemd' },
  { code: 245, name: 'BPF', class: 'systemd' },
  { code: 255, name: 'EXCEPTION', class: 'systemd' },
] as const satisfies readonly { code: number; name: string; class: ExitStatusClass }[];

export type ExitStatusName = (typeof EXIT_STATUSES)[number]['name'];
export type ExitStatus = (typeof EXIT_STATUSES)[number];

const BY_CODE = new Map<number, ExitStatus>(EXIT_STATUSES.map((e) => [e.code, e]));

/** The table entry for a code, or undefined for codes without a name (e.g. 42). */
export function exitStatusByCode(code: number): ExitStatus | undefined {
  return BY_CODE.get(code);
}

/** A name as `SuccessExitStatus=` allows it ("TEMPFAIL", also with EXIT_/EX_ prefix, any case). */
export function exitStatusByName(name: string): ExitStatus | undefined {
  const bare = name.toUpperCase().replace(/^(EXIT_|EX_)/, '');
  return EXIT_STATUSES.find((status) => status.name === bare);
}

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
  const e = BY_CODE.get(code);
  return e !== undefined && classes.includes(e.class) ? e.name : undefined;
}

/** "3/NOTIMPLEMENTED" (journal style) or bare "3" when the code has no name in `classes`. */
export function formatExitStatus(code: number, classes: readonly ExitStatusClass[] = EXIT_STATUS_CLASSES): string {
  const name = exitStatusName(code, classes);
  return name === undefined ? String(code) : `${code}/${name}`;
}

/** A code from a table name (exact case, as systemd) or a number 0–255. */
export function exitStatusFromString(s: string): ParseResult<number> {
  for (const e of EXIT_STATUSES) if (e.name === s) return ok(e.code);
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

// What the daemon offers its clients. The manager implements ManagerApi; the
// control server exposes it over /run/unitd/control.sock; systemctl formats the
// data it returns. The daemon returns data, never preformatted text, so `show`,
// `status` and `list-units` stay consistent with each other.

import type { JobMode } from '../units/schema/enums.js';
import type { InstallErrno } from '../units/install-info.js';
import type { UnitFileState } from '../units/unit-file-state.js';

export const JOB_TYPES = [
  'start',
  'stop',
  'restart',
  'try-restart',
  'reload',
  'reload-or-restart',
  'try-reload-or-restart',
  'verify-active',
] as const;
export type JobType = (typeof JOB_TYPES)[number];

export { JOB_MODES, type JobMode } from '../units/schema/enums.js';

/** systemd's job results (the `result` string of the JobRemoved signal). */
export const JOB_RESULTS = [
  'done',
  'canceled',
  'timeout',
  'failed',
  'dependency',
  'skipped',
  'invalid',
  'assert',
  'unsupported',
  'collected',
  'once',
] as const;
export type JobResult = (typeof JOB_RESULTS)[number];

export const KILL_WHOM = ['main', 'control', 'all'] as const;
export type KillWhom = (typeof KILL_WHOM)[number];

/** Structured value of a unit or manager property, named as systemd names it. */
export type PropertyValue = string | number | boolean | string[] | ExecCommandState[] | TimerValueState[] | ExitStatusSetValue | null;

/** SuccessExitStatus=, RestartPreventExitStatus=, RestartForceExitStatus= (D-Bus `(aiai)`): exit codes and signal numbers. */
export interface ExitStatusSetValue {
  statuses: number[];
  signals: number[];
}

/**
 * One value of a timer with its next elapse, as `systemctl show` prints TimersMonotonic=
 * `{ OnActiveUSec=1h ; next_elapse=... }` and TimersCalendar= `{ OnCalendar=daily ; next_elapse=... }`.
 */
export interface TimerValueState {
  /** `OnActiveUSec` ... `OnUnitInactiveUSec`, or `OnCalendar`. */
  timerBase: string;
  /** The span of a monotonic value (µs). */
  usec?: number;
  /** The normalized calendar expression of an OnCalendar= value. */
  calendar?: string;
  /** CLOCK_MONOTONIC µs for monotonic values, wall clock µs for calendar ones; 0 when not armed. */
  nextElapse: number;
}

/**
 * One command of an Exec*= list with its last run, as `systemctl show` prints
 * `ExecStart={ path=... ; argv[]=... ; ... }`.
 */
export interface ExecCommandState {
  path: string;
  argv: string[];
  ignoreErrors: boolean;
  /** Wall-clock µs since the epoch, 0 when never run. */
  startTimestamp: number;
  stopTimestamp: number;
  pid: number;
  /** waitid si_code: 0 none, 1 exited, 2 killed, 3 dumped. */
  code: number;
  status: number;
}

/**
 * Properties use systemd's names; the client formats them by name the way
 * systemctl does: `*Timestamp` as a date, `*USec`/`*NSec` as a span, `*Monotonic`
 * as an integer. Time values are µs as numbers (wall clock or monotonic).
 */
export type Properties = Record<string, PropertyValue>;

export interface JobRequest {
  unit: string;
  type: JobType;
  mode: JobMode;
  /** When false the call returns as soon as the job is queued (`--no-block`). */
  wait: boolean;
}

export interface JobOutcome {
  id: number;
  unit: string;
  type: JobType;
  /** Absent when the caller did not wait. */
  result?: JobResult;
}

export interface UnitListEntry {
  id: string;
  description: string;
  loadState: string;
  activeState: string;
  subState: string;
  /** Id of a queued or running job for the unit, if any. */
  jobId?: number;
  jobType?: JobType;
}

export interface JobListEntry {
  id: number;
  unit: string;
  type: JobType;
  state: 'waiting' | 'running';
}

export interface UnitProcess {
  pid: number;
  /** Command line as /proc/PID/cmdline shows it, joined with spaces. */
  command: string;
  /** The pid this process descends from inside the unit, for the status tree. */
  ppid: number;
}

export interface LogLine {
  /** Wall-clock µs since the epoch. */
  timestamp: number;
  unit: string;
  identifier: string;
  pid: number;
  priority: number;
  message: string;
}

/** One unit's answer to unitFileStates: exactly one of the two, so the wire shape stays fixed. */
export type UnitFileStateAnswer = { state: UnitFileState } | { error: InstallErrno };

export interface ManagerApi {
  enqueueJob(request: JobRequest): Promise<JobOutcome>;
  killUnit(unit: string, whom: KillWhom, signal: number): Promise<{ signalled: number }>;
  resetFailed(unit?: string): Promise<void>;
  /** One entry per requested unit, in request order; unknown units answer with LoadState=not-found. */
  unitProperties(units: string[]): Promise<Properties[]>;
  managerProperties(): Promise<Properties>;
  /**
   * Each unit file's state, read from disk now (not the loaded unit's), in request order: systemd's
   * GetUnitFileState, which `systemctl is-enabled` asks. An error is the errno systemd would return
   * (ENOENT: no such unit file). unitPath is the client's $SYSTEMD_UNIT_PATH (absent: the default
   * search path). The fast probe (src/native/probe.c) reads this reply.
   */
  unitFileStates(units: string[], unitPath?: string): Promise<UnitFileStateAnswer[]>;
  listUnits(options: { all: boolean }): Promise<UnitListEntry[]>;
  listJobs(): Promise<JobListEntry[]>;
  cancelJobs(ids: number[]): Promise<void>;
  unitProcesses(unit: string): Promise<UnitProcess[]>;
  /** The unit's most recent log lines, oldest first (for the status tail). */
  unitLog(unit: string, lines: number): Promise<LogLine[]>;
  daemonReload(): Promise<void>;
  /** daemon-reexec: resolves once the next program is checked and about to be executed (the reply precedes execve). */
  daemonReexec(): Promise<void>;
  /** poweroff/halt/reboot/exit: returns once the shutdown is queued. */
  shutdown(kind: 'poweroff' | 'halt' | 'reboot' | 'exit', exitCode?: number): Promise<void>;
  systemState(): Promise<'initializing' | 'starting' | 'running' | 'degraded' | 'maintenance' | 'stopping' | 'offline'>;
  environment(): Promise<string[]>;
  /** `systemctl freeze`/`thaw`: SIGSTOP/SIGCONT to the unit's processes. */
  freezeUnit(unit: string, action: 'freeze' | 'thaw'): Promise<void>;
  /** `systemctl clean`: remove the unit's directories of the kinds named (words as typed, `all` included). */
  cleanUnit(unit: string, what: string[]): Promise<void>;
  setEnvironment(assignments: string[], unset: string[]): Promise<void>;
}

/** Errors the manager raises for a client to show, with systemd's bus error names. */
export class ManagerError extends Error {
  constructor(
    readonly busError: string,
    message: string,
  ) {
    super(message);
    this.name = 'ManagerError';
  }
}

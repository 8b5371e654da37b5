// What a runtime verb (one that talks to the daemon) gets to work with. Kept
// apart from systemctl's full option parser so these verbs can be registered
// in the verb table with one line each and tested with a fake daemon.

import type { ManagerApi } from '../../control/api.js';

export const KILL_WHOM_VALUES = ['main', 'control', 'all'] as const;

/** The options runtime verbs read; systemctl's parser fills them (see runtime-options.ts). */
export interface RuntimeOptions {
  /** -p/--property, repeated or comma-separated. */
  properties: string[];
  /** -a/--all */
  all: boolean;
  /** --value (and -P) */
  value: boolean;
  /** -n/--lines for status, default 10. */
  lines: number;
  /** -s/--signal as typed. */
  signal?: string;
  /** --kill-whom= as typed. */
  killWhom?: string;
  /** --state=, comma lists merged. */
  states: string[];
  /** -t/--type=, comma lists merged. */
  types: string[];
  /** --failed */
  failed: boolean;
  /** false with --no-legend */
  legend: boolean;
  /** --plain */
  plain: boolean;
  /** -l/--full */
  full: boolean;
  /** --no-block */
  noBlock: boolean;
  /** --wait: after starting, wait until the units are inactive again. */
  wait: boolean;
  /** --job-mode= as typed, default replace. */
  jobMode: string;
  /** -q/--quiet */
  quiet: boolean;
  /** --what= for clean, words as typed; empty: systemctl's default. */
  what: string[];
}

export const DEFAULT_RUNTIME_OPTIONS: RuntimeOptions = {
  properties: [],
  all: false,
  value: false,
  lines: 10,
  states: [],
  types: [],
  failed: false,
  legend: true,
  plain: false,
  full: false,
  noBlock: false,
  wait: false,
  jobMode: 'replace',
  quiet: false,
  what: [],
};

/** The daemon as a runtime verb sees it: the manager api plus a way to hang up. */
export type DaemonConnection = ManagerApi & { close(): void };

export interface RuntimeVerbContext {
  options: RuntimeOptions;
  /** Write to stdout / stderr; text is written as given (callers add newlines). */
  out(text: string): void;
  err(text: string): void;
  /** Colours and ellipsizing only on a terminal, as systemctl does. */
  isTTY: boolean;
  /** Colours as systemd decides them (SYSTEMD_COLORS, NO_COLOR, TERM, a terminal); default: isTTY. */
  color?: boolean;
  columns?: number;
  /** Connect to the daemon; rejects with DaemonUnavailableError when there is none. */
  connect(): Promise<DaemonConnection>;
  /** /proc/PID/comm, for `Main PID: 1 (sleep)`. */
  comm(pid: number): string | undefined;
  hostname: string;
  nowUsec(): number;
  /** Whether /run/systemd/system exists (sd_booted), which decides systemctl's wording without a daemon. */
  booted(): boolean;
}

/** A runtime verb: arguments after the verb name, returns systemctl's exit code. */
export type RuntimeVerb = (ctx: RuntimeVerbContext, args: string[]) => Promise<number>;

// Starting one process with a systemd-style exec context (see README.md for what happens in
// the child and in which order). The daemon never uses child_process for services: libuv
// would race our waitid(P_ALL) reaper for exit statuses.

import { constants as osConstants } from 'node:os';
import { native, type NativeAsyncSpawnResult, type NativeFailure } from './binding.js';
import { beginSpawn, endSpawn } from './reaper.js';
import { exitStatusByCode } from '../units/values/exit-status.js';
import { RESOURCE_LIMITS } from '../units/schema/enums.js';
import {
  MAX_FD,
  expectArray,
  expectBoolean,
  expectInteger,
  expectObject,
  expectOneOf,
  expectString,
} from './validate.js';

export const STDIO_KINDS = ['null', 'inherit', 'file', 'pipe', 'fd', 'stdout', 'data', 'tty'] as const;
export type StdioKind = (typeof STDIO_KINDS)[number];

/** 'write' is systemd's `file:` (O_WRONLY|O_CREAT, no truncation); 'truncate' and 'append' as `truncate:`/`append:`. */
export const FILE_MODES = ['read', 'write', 'truncate', 'append'] as const;
export type FileMode = (typeof FILE_MODES)[number];

export type StdioSpec =
  | { kind: 'null' }
  | { kind: 'inherit' }
  | { kind: 'file'; path: string; mode: FileMode }
  | { kind: 'pipe' } // a pipe back to the daemon; the parent's end is returned in SpawnResult
  | { kind: 'fd'; fd: number } // an fd the daemon holds (socket, tty, the other end of something)
  | { kind: 'stdout' } // stderr only: the same open file as stdout, so one stream keeps their order
  | { kind: 'data'; data: Buffer } // stdin only: a memfd holding the data (StandardInputText=/StandardInputData=)
  /** spec.terminal: stdin acquires it as controlling terminal; stdout/stderr share stdin's or open it to write. */
  | { kind: 'tty' };

/** How stdin takes the terminal (StandardInput=tty-fail, tty-force, tty). */
export const TERMINAL_ACQUIRE = ['try', 'force', 'wait'] as const;
export type TerminalAcquire = (typeof TERMINAL_ACQUIRE)[number];

/** TTYPath= and what is done with it (systemd.exec(5) "Logging and Standard Input/Output"). */
export interface TerminalSpec {
  path: string;
  /** Exactly when stdin is 'tty'. 'wait' never holds the caller: a busy terminal is waited for in a child not waited on. */
  acquire?: TerminalAcquire;
  /** TTYReset=: termios back to sane defaults before use. */
  reset?: boolean;
  /** TTYVHangup=: hang up its other users first. */
  vhangup?: boolean;
  /** TTYVTDisallocate=: a virtual console (/dev/ttyN) is freed or cleared; nothing elsewhere. */
  vtDisallocate?: boolean;
  /** TTYRows=/TTYColumns=: the window size set on it. */
  rows?: number;
  columns?: number;
}

/** setrlimit(2) resources, named as in systemd's Limit*= keys without the prefix. */
export const RLIMIT_NAMES = RESOURCE_LIMITS;
export type RlimitName = (typeof RLIMIT_NAMES)[number];

export interface ResourceLimit {
  resource: RlimitName;
  soft: number | 'infinity';
  hard: number | 'infinity';
}

export interface SpawnSpec {
  /** Absolute executable path. */
  path: string;
  /** argv[0] is separate from path (the `@` prefix of ExecStart=). */
  argv: string[];
  /** The exact environment, 'NAME=value'; nothing is inherited. */
  env: string[];
  cwd?: string;
  /** Default true: each service gets its own session, which process tracking relies on. */
  setsid?: boolean;
  /** Name or uid; sets uid, gid (the user's primary group unless `group` is given) and initgroups. */
  user?: string | number;
  group?: string | number;
  supplementaryGroups?: (string | number)[];
  umask?: number;
  rlimits?: ResourceLimit[];
  nice?: number;
  oomScoreAdjust?: number;
  /** prctl(PR_SET_NO_NEW_PRIVS) just before execve (NoNewPrivileges=). */
  noNewPrivileges?: boolean;
  /** SIGPIPE ignored in the started program (IgnoreSIGPIPE=); otherwise every signal is at its default. */
  ignoreSigpipe?: boolean;
  /** sched_setaffinity() to these CPUs (CPUAffinity=), 0..1023; fails with 215/CPUAFFINITY. */
  cpuAffinity?: number[];
  /** chroot() here before dropping privileges (RootDirectory=); path and cwd are then inside it. */
  rootDirectory?: string;
  /** Capability numbers kept in the bounding set (CapabilityBoundingSet=); the others are dropped. 218/CAPABILITIES. */
  capabilityBoundingSet?: number[];
  /** Raised into the inheritable and ambient sets, kept across the change to `user` (AmbientCapabilities=). */
  ambientCapabilities?: number[];
  /** prctl(PR_SET_SECUREBITS) after the uid change (SecureBits=); 213/SECUREBITS. */
  secureBits?: number;
  /** sched_setscheduler() (CPUSchedulingPolicy=/Priority=/ResetOnFork=): policy as the kernel numbers it. 214/SETSCHEDULER. */
  cpuScheduling?: { policy: number; priority: number; resetOnFork?: boolean };
  /** ioprio_set() value, (class << 13) | priority (IOSchedulingClass=/Priority=). 211/IOPRIO. */
  ioPriority?: number;
  /** Defaults: stdin null, stdout inherit, stderr inherit. */
  stdin?: StdioSpec;
  stdout?: StdioSpec;
  stderr?: StdioSpec;
  /** Needed by any 'tty' stdio; reset and sized right after setsid(), as systemd does. */
  terminal?: TerminalSpec;
  /** Dup'ed to 3, 4, ... in the child. */
  extraFds?: number[];
  /** One name per extraFds entry: sets LISTEN_FDS, LISTEN_PID (the child's own pid) and LISTEN_FDNAMES. */
  listenFdNames?: string[];
}

/** Parent ends of 'pipe' stdio: O_CLOEXEC and non-blocking; the caller owns and closes them. */
export interface SpawnResult {
  pid: number;
  stdin?: number;
  stdout?: number;
  stderr?: number;
  /** The terminal the child takes was the daemon's own controlling terminal; the daemon gave it up. */
  releasedTerminal?: boolean;
}

const ERRNO_NAMES = new Map<number, string>(Object.entries(osConstants.errno).map(([name, value]) => [value, name]));

/** The child failed before execve(); thrown synchronously by spawn(). The child is already reaped. */
export class SpawnError extends Error {
  /** systemd's exit status for the failed step: 203 for EXEC, 200 for CHDIR, ... */
  readonly exitCode: number;
  /** 'EXEC', 'CHDIR', ...: `status=${exitCode}/${exitStatusName}` is what systemctl prints. */
  readonly exitStatusName: string;
  readonly errno: number;
  /** 'ENOENT', ... */
  readonly code: string;
  /** The system call or lookup that failed: 'execve', 'chdir', 'getpwnam', 'open', ... */
  readonly step: string;
  /** The executable that was to be started. */
  readonly path: string;
  /** The child that failed, already reaped (0: none was made); `systemctl status` shows it as systemd does. */
  readonly pid: number;

  constructor(fields: { exitCode: number; errno: number; code?: string; reason: string; step: string; path: string; pid?: number }) {
    const exitStatusName = exitStatusByCode(fields.exitCode)?.name ?? String(fields.exitCode);
    // systemd's wording: "Failed at step EXEC spawning /usr/bin/x: No such file or directory"
    super(`Failed at step ${exitStatusName} spawning ${fields.path}: ${fields.reason}`);
    this.name = 'SpawnError';
    this.exitCode = fields.exitCode;
    this.exitStatusName = exitStatusName;
    this.errno = fields.errno;
    this.code = fields.code ?? ERRNO_NAMES.get(fields.errno) ?? `E${fields.errno}`;
    this.step = fields.step;
    this.path = fields.path;
    this.pid = fields.pid ?? 0;
  }
}

function checkStdio(value: unknown, field: string): void {
  if (value === undefined) return;
  expectObject(value, field);
  expectOneOf(value.kind, STDIO_KINDS, `${field}.kind`);
  if (value.kind === 'stdout' && !field.endsWith('stderr')) throw new RangeError(`${field}.kind 'stdout' is only valid for stderr`);
  if (value.kind === 'data') {
    if (!field.endsWith('stdin')) throw new RangeError(`${field}.kind 'data' is only valid for stdin`);
    if (!Buffer.isBuffer(value.data)) throw new TypeError(`${field}.data must be a Buffer`);
  }
  if (value.kind === 'file') {
    expectString(value.path, `${field}.path`);
    if (value.path === '') throw new RangeError(`${field}.path must not be empty`);
    expectOneOf(value.mode, FILE_MODES, `${field}.mode`);
  } else if (value.kind === 'fd') {
    expectInteger(value.fd, `${field}.fd`, 0, MAX_FD);
  }
}

function checkTerminal(spec: Record<string, unknown>): void {
  const ttyStdio = [spec.stdin, spec.stdout, spec.stderr].some((s) => (s as { kind?: unknown } | undefined)?.kind === 'tty');
  const terminal: unknown = spec.terminal;
  if (terminal === undefined) {
    if (ttyStdio) throw new RangeError("spec.terminal is needed by a 'tty' stdio");
    return;
  }
  expectObject(terminal, 'spec.terminal');
  expectString(terminal.path, 'spec.terminal.path');
  if (!terminal.path.startsWith('/')) throw new RangeError(`spec.terminal.path must be an absolute path (got '${terminal.path}')`);
  const stdinTty = (spec.stdin as { kind?: unknown } | undefined)?.kind === 'tty';
  if (terminal.acquire !== undefined) expectOneOf(terminal.acquire, TERMINAL_ACQUIRE, 'spec.terminal.acquire');
  if (stdinTty !== (terminal.acquire !== undefined)) throw new RangeError("spec.terminal.acquire must be given exactly when spec.stdin is 'tty'");
  for (const flag of ['reset', 'vhangup', 'vtDisallocate'] as const) if (terminal[flag] !== undefined) expectBoolean(terminal[flag], `spec.terminal.${flag}`);
  for (const size of ['rows', 'columns'] as const) if (terminal[size] !== undefined) expectInteger(terminal[size], `spec.terminal.${size}`, 0, 65535);
}

function checkLimitValue(value: unknown, field: string): void {
  if (value === 'infinity') return;
  if (typeof value !== 'number') throw new TypeError(`${field} must be a non-negative integer or 'infinity'`);
  expectInteger(value, field, 0, Number.MAX_SAFE_INTEGER);
}

function checkIdentity(value: unknown, field: string): void {
  if (typeof value === 'number') return expectInteger(value, field, 0, 0xfffffffe);
  expectString(value, field);
  if (value === '') throw new RangeError(`${field} must not be empty`);
}

function checkStringList(value: unknown, field: string): asserts value is string[] {
  expectArray(value, field);
  value.forEach((item, i) => expectString(item, `${field}[${i}]`));
}

/** Throws TypeError/RangeError naming the field for anything the child could not use. */
export function checkSpawnSpec(spec: unknown): asserts spec is SpawnSpec {
  expectObject(spec, 'spec');
  expectString(spec.path, 'spec.path');
  if (!spec.path.startsWith('/')) throw new RangeError(`spec.path must be an absolute path (got '${spec.path}')`);
  checkStringList(spec.argv, 'spec.argv');
  checkStringList(spec.env, 'spec.env');
  spec.env.forEach((entry, i) => {
    if (entry.indexOf('=') <= 0) throw new RangeError(`spec.env[${i}] must look like NAME=value (got '${entry}')`);
  });
  if (spec.cwd !== undefined) {
    expectString(spec.cwd, 'spec.cwd');
    if (spec.cwd === '') throw new RangeError('spec.cwd must not be empty');
  }
  if (spec.setsid !== undefined) expectBoolean(spec.setsid, 'spec.setsid');
  if (spec.user !== undefined) checkIdentity(spec.user, 'spec.user');
  if (spec.group !== undefined) checkIdentity(spec.group, 'spec.group');
  if (spec.supplementaryGroups !== undefined) {
    expectArray(spec.supplementaryGroups, 'spec.supplementaryGroups');
    spec.supplementaryGroups.forEach((group, i) => checkIdentity(group, `spec.supplementaryGroups[${i}]`));
  }
  if (spec.umask !== undefined) expectInteger(spec.umask, 'spec.umask', 0, 0o7777);
  if (spec.nice !== undefined) expectInteger(spec.nice, 'spec.nice', -20, 19);
  if (spec.oomScoreAdjust !== undefined) expectInteger(spec.oomScoreAdjust, 'spec.oomScoreAdjust', -1000, 1000);
  if (spec.noNewPrivileges !== undefined) expectBoolean(spec.noNewPrivileges, 'spec.noNewPrivileges');
  if (spec.ignoreSigpipe !== undefined) expectBoolean(spec.ignoreSigpipe, 'spec.ignoreSigpipe');
  if (spec.cpuAffinity !== undefined) {
    expectArray(spec.cpuAffinity, 'spec.cpuAffinity');
    spec.cpuAffinity.forEach((cpu, i) => expectInteger(cpu, `spec.cpuAffinity[${i}]`, 0, 1023));
  }
  if (spec.rootDirectory !== undefined) {
    expectString(spec.rootDirectory, 'spec.rootDirectory');
    if (!spec.rootDirectory.startsWith('/')) throw new RangeError(`spec.rootDirectory must be an absolute path (got '${spec.rootDirectory}')`);
  }
  for (const field of ['capabilityBoundingSet', 'ambientCapabilities'] as const) {
    const list: unknown = spec[field];
    if (list === undefined) continue;
    expectArray(list, `spec.${field}`);
    list.forEach((cap, i) => expectInteger(cap, `spec.${field}[${i}]`, 0, 63));
  }
  if (spec.secureBits !== undefined) expectInteger(spec.secureBits, 'spec.secureBits', 0, 63);
  if (spec.cpuScheduling !== undefined) {
    expectObject(spec.cpuScheduling, 'spec.cpuScheduling');
    expectInteger(spec.cpuScheduling.policy, 'spec.cpuScheduling.policy', 0, 6);
    expectInteger(spec.cpuScheduling.priority, 'spec.cpuScheduling.priority', 0, 99);
    if (spec.cpuScheduling.resetOnFork !== undefined) expectBoolean(spec.cpuScheduling.resetOnFork, 'spec.cpuScheduling.resetOnFork');
  }
  if (spec.ioPriority !== undefined) expectInteger(spec.ioPriority, 'spec.ioPriority', 0, 0xffff);
  if (spec.rlimits !== undefined) {
    expectArray(spec.rlimits, 'spec.rlimits');
    spec.rlimits.forEach((limit, i) => {
      const field = `spec.rlimits[${i}]`;
      expectObject(limit, field);
      expectOneOf(limit.resource, RLIMIT_NAMES, `${field}.resource`);
      checkLimitValue(limit.soft, `${field}.soft`);
      checkLimitValue(limit.hard, `${field}.hard`);
      const soft = limit.soft === 'infinity' ? Infinity : (limit.soft as number);
      const hard = limit.hard === 'infinity' ? Infinity : (limit.hard as number);
      if (soft > hard) throw new RangeError(`${field}.soft (${String(limit.soft)}) must not exceed ${field}.hard (${String(limit.hard)})`);
    });
  }
  checkStdio(spec.stdin, 'spec.stdin');
  checkStdio(spec.stdout, 'spec.stdout');
  checkStdio(spec.stderr, 'spec.stderr');
  checkTerminal(spec);
  if (spec.extraFds !== undefined) {
    expectArray(spec.extraFds, 'spec.extraFds');
    spec.extraFds.forEach((fd, i) => expectInteger(fd, `spec.extraFds[${i}]`, 0, MAX_FD));
  }
  if (spec.listenFdNames !== undefined) {
    checkStringList(spec.listenFdNames, 'spec.listenFdNames');
    const fdCount = spec.extraFds?.length ?? 0;
    if (spec.listenFdNames.length !== fdCount) {
      throw new RangeError(`spec.listenFdNames must name each of spec.extraFds (${fdCount}) but has ${spec.listenFdNames.length} names`);
    }
    spec.listenFdNames.forEach((name, i) => {
      if (name.includes(':')) throw new RangeError(`spec.listenFdNames[${i}] must not contain ':' (got '${name}')`);
    });
  }
}

/**
 * After the service: TTYReset=/TTYVHangup=/TTYVTDisallocate= applied again, and with `chown` the
 * terminal handed back to root:tty, mode 0620 (systemd's exec_context_revert_tty()). Returns the
 * failure of that hand-back as "Permission denied"-style text, undefined when done.
 */
export function revertTerminal(terminal: TerminalSpec, chown: boolean): string | undefined {
  checkTerminal({ terminal });
  return native.revertTerminal(terminal, chown)?.message;
}

/**
 * Forks and execs. Returns once execve() has succeeded (the exit will come through the
 * reaper) or throws SpawnError when the child failed before it (already reaped, its pid in
 * the error; nothing of it is left in the parent). Blocks the caller until execve or failure: user lookups and
 * exec happen synchronously.
 */
export function spawn(spec: SpawnSpec): SpawnResult {
  checkSpawnSpec(spec);
  const result = native.spawn(spec);
  if ('failure' in result) throw spawnError(result.failure, spec.path);
  return result;
}

function spawnError(failure: NativeFailure, path: string): SpawnError {
  return new SpawnError({ exitCode: failure.exitCode, errno: failure.errno, code: failure.code, reason: failure.message, step: failure.step, path, pid: failure.pid });
}

/** Gets the started process, or why it could not start (SpawnError, or the daemon's own system error). */
export type SpawnCallback = (outcome: { result: SpawnResult } | { error: Error }) => void;

/**
 * spawn() without holding the caller: the clone and the wait for execve happen on a spawner
 * thread, and `callback` runs on the event loop afterwards. Throws at once what spawn() finds
 * before forking (a bad spec, an unknown user or group as SpawnError, a pipe that cannot be
 * made). The reaper holds an exit of this child until `callback` has returned, so a listener
 * of onChildExit never sees it before the caller has the pid; a failed child's exit is never
 * delivered. While the child has not exec'd yet, a file it opens for stdio may block it (a FIFO
 * without a peer), as under systemd.
 */
export function spawnAsync(spec: SpawnSpec, callback: SpawnCallback): PendingSpawn {
  checkSpawnSpec(spec);
  const seq = beginSpawn();
  let early: { failure: NativeFailure } | number;
  try {
    early = native.spawnAsync(spec, (outcome: NativeAsyncSpawnResult) => {
      const claimed = 'pid' in outcome ? outcome.pid : undefined;
      endSpawn(seq, outcome.dropped, claimed, () => {
        if ('error' in outcome) callback({ error: outcome.error });
        else if ('failure' in outcome) callback({ error: spawnError(outcome.failure, spec.path) });
        else {
          const { dropped: _dropped, ...result } = outcome;
          callback({ result });
        }
      });
    });
  } catch (error) {
    endSpawn(seq, [], undefined, () => {});
    throw error;
  }
  if (typeof early !== 'number') {
    endSpawn(seq, [], undefined, () => {});
    throw spawnError(early.failure, spec.path);
  }
  const token = early;
  return { pid: () => native.spawningPid(token) };
}

/** A spawn in flight: its child's pid as soon as the kernel has made it (0 before, and after the callback). */
export interface PendingSpawn {
  pid(): number;
}

/** spawnAsync() as a promise, for callers that register the pid in the same tick as they get it. */
export function spawnStarted(spec: SpawnSpec): Promise<SpawnResult> {
  return new Promise((resolve, reject) => spawnAsync(spec, (outcome) => ('error' in outcome ? reject(outcome.error) : resolve(outcome.result))));
}

// Running one command of a unit (ExecStartPre= ... ExecStopPost= of services and sockets):
// environment and credentials per its `-`/`+`/`!`/`@` prefixes (exec/spawn-spec.ts), the
// native spawn, output captured into the journal, and every way it can fail before the
// program runs turned into one error type carrying systemd's exit status.

import { basename } from 'node:path';
import { DirectorySetupError } from '../exec/directories.js';
import { EnvironmentFileError, type EnvironmentContext } from '../exec/environment.js';
import { SpawnError, type ChildExit, type PendingSpawn, type SpawnResult, type SpawnSpec } from '../exec/native.js';
import { exitStatusName } from '../units/values/exit-status.js';
import { signalToString as signalName } from '../units/values/signal.js';
import type { ExecCommand } from '../exec/settings.js';
import { ExecSetupError, prepareSpawn } from '../exec/spawn-spec.js';
import { fitCredentials, managerCredentials } from '../exec/unprivileged.js';
import { captureStream, PRIORITY, type CapturedStream } from './log-sink.js';
import type { UnitHost } from './unit-type.js';

/** How a command ended, as systemd numbers it in ExecMainCode= and the Exec*= records (CLD_EXITED, CLD_KILLED, CLD_DUMPED). */
export const EXIT_CODE_NUMBER = { exited: 1, killed: 2, dumped: 3 } as const;

/** systemd's wording of an exit: `code=exited, status=1/FAILURE`, `code=killed, status=15/TERM`. */
export function describeExit(exit: ChildExit): string {
  if (exit.code === 'exited') {
    const name = exitStatusName(exit.status);
    return `code=exited, status=${exit.status}${name ? '/' + name : ''}`;
  }
  return `code=${exit.code}, status=${exit.status}/${signalName(exit.status)}`;
}

/**
 * A unit's command that failed, with the whole story (execa's habit): which command, at which
 * stage (ExecStartPre= ...), its exit status or the signal that ended it, and systemd's one-line
 * message. A command that could not be started carries the status a forked child would have
 * exited with (203/EXEC, 216/GROUP ...).
 */
export class CommandError extends Error {
  constructor(
    readonly stage: string,
    readonly command: string,
    readonly exit: { exitCode: number; signal?: undefined } | { exitCode?: undefined; signal: number; coreDumped: boolean },
    message: string,
    /** The child that failed after the fork, already reaped (0: it failed before forking); status shows it. */
    readonly pid = 0,
  ) {
    super(message);
    this.name = 'CommandError';
  }

  /** The exit status a failed start is reported with (the synthetic exit of its pid). */
  get status(): number {
    return this.exit.exitCode ?? this.exit.signal;
  }
}

/** Every failure before the program runs, as one error: systemd's exit status and its one-line message. */
export function commandStartError(err: unknown, stage: string, command: string): CommandError {
  if (err instanceof CommandError) return err;
  const fail = (exitCode: number, message: string, pid = 0) => new CommandError(stage, command, { exitCode }, message, pid);
  if (err instanceof SpawnError) return fail(err.exitCode, err.message, err.pid);
  if (err instanceof ExecSetupError || err instanceof DirectorySetupError) return fail(err.exitCode, err.message);
  if (err instanceof EnvironmentFileError) return fail(1, err.message);
  return fail(1, `Failed to spawn: ${(err as Error).message}`);
}

/** The command as errors name it: its path and arguments. */
export function commandLine(cmd: ExecCommand | undefined): string {
  return cmd ? [cmd.path, ...cmd.argv.slice(1)].join(' ') : '';
}

/** A command that ran and ended unsuccessfully; the message is systemd's `code=..., status=...`. */
export function commandExitError(exit: ChildExit, stage: string, command: string): CommandError {
  const how = exit.code === 'exited' ? { exitCode: exit.status } : { signal: exit.status, coreDumped: exit.code === 'dumped' };
  return new CommandError(stage, command, how, describeExit(exit), exit.pid);
}

/** What a caller adds to the spawn besides the command and its environment: passed fds (sockets). */
export interface SpawnExtras {
  /** Dup'ed to fd 3, 4 ... with LISTEN_FDS/LISTEN_PID/LISTEN_FDNAMES when `listenFdNames` is given. */
  extraFds?: number[];
  listenFdNames?: string[];
  /** StandardInput=socket / StandardOutput=socket: this fd becomes stdin (and stdout/stderr where set to socket). */
  socketFd?: { fd: number; stdout: boolean; stderr: boolean };
}

export interface StartedCommand {
  pid: number;
  /** Output streams feeding the journal, keyed as `pid * 2 + (stderr ? 1 : 0)` by the caller. */
  stdout?: CapturedStream;
  stderr?: CapturedStream;
  commandLine: string;
}

/** The spec of `cmd` with the caller's extras: everything short of forking. */
function commandSpec(ctx: EnvironmentContext, cmd: ExecCommand, extras: SpawnExtras): { spec: SpawnSpec; commandLine: string } {
  const prepared = prepareSpawn(ctx, cmd);
  const spec: SpawnSpec = { ...prepared.spec };
  fitCredentials(spec, managerCredentials()); // non-root mode: only the manager's own identity
  if (extras.extraFds && extras.extraFds.length > 0) {
    spec.extraFds = extras.extraFds;
    if (extras.listenFdNames) spec.listenFdNames = extras.listenFdNames;
  }
  if (extras.socketFd) {
    const fdSpec = { kind: 'fd', fd: extras.socketFd.fd } as const;
    spec.stdin = fdSpec;
    if (extras.socketFd.stdout) spec.stdout = fdSpec;
    if (extras.socketFd.stderr) spec.stderr = extras.socketFd.stdout ? { kind: 'stdout' } : fdSpec;
  }
  return { spec, commandLine: prepared.commandLine };
}

/** The started process: watched for the unit, its output streams feeding the journal. */
function commandStarted(host: UnitHost, ctx: EnvironmentContext, cmd: ExecCommand, spec: SpawnSpec, line: string, result: SpawnResult): StartedCommand {
  const pid = result.pid;
  if (result.releasedTerminal === true) {
    // systemd's PID 1 never holds a terminal; unitd holds `docker run -t`'s until a service asks for it.
    host.log.info({ unit: ctx.unit }, `Gave up ${spec.terminal?.path ?? 'the terminal'} as controlling terminal to ${ctx.unit}; Ctrl-C no longer reaches unitd`);
  }
  host.watchPid(pid, ctx.unit);
  const s = ctx.settings;
  const identifier = s.syslogIdentifier ?? basename(spec.argv[0] ?? cmd.path);
  const capture = (fd: number | undefined): CapturedStream | undefined =>
    fd === undefined ? undefined : captureStream(fd, host.logSink, { unit: ctx.unit, identifier, pid, priority: s.syslogLevel ?? PRIORITY.info, levelPrefix: s.syslogLevelPrefix });
  return { pid, stdout: capture(result.stdout), stderr: capture(result.stderr), commandLine: line };
}

/**
 * Start `cmd` of `stage` (ExecStartPre= ...) for `unit`; the pid is watched for the unit. Throws CommandError when it
 * could not be started (the caller turns that into a synthetic exit, as systemd's forked
 * child exiting 2xx would be).
 */
export function runCommand(host: UnitHost, ctx: EnvironmentContext, stage: string, cmd: ExecCommand, extras: SpawnExtras = {}): StartedCommand {
  try {
    const { spec, commandLine: line } = commandSpec(ctx, cmd, extras);
    return commandStarted(host, ctx, cmd, spec, line, host.native.spawn(spec));
  } catch (err) {
    throw commandStartError(err, stage, commandLine(cmd));
  }
}

export type CommandOutcome = { started: StartedCommand } | { error: CommandError };

/**
 * runCommand() without holding the event loop until execve: `done` gets the started command,
 * or the CommandError of a child that failed before exec, once the spawner thread knows
 * (before this returns with a native layer that has no spawnAsync, as test doubles). Throws
 * CommandError for what fails before forking. The child's exit never reaches the unit before
 * `done` has run. Returns the spawn in flight (its pid once cloned), undefined when `done` ran already.
 */
export function startCommand(host: UnitHost, ctx: EnvironmentContext, stage: string, cmd: ExecCommand, extras: SpawnExtras, done: (outcome: CommandOutcome) => void): PendingSpawn | undefined {
  const spawnAsync = host.native.spawnAsync;
  if (!spawnAsync) {
    done({ started: runCommand(host, ctx, stage, cmd, extras) });
    return undefined;
  }
  try {
    const { spec, commandLine: line } = commandSpec(ctx, cmd, extras);
    return spawnAsync.call(host.native, spec, (outcome) => {
      if ('error' in outcome) {
        done({ error: commandStartError(outcome.error, stage, commandLine(cmd)) });
        return;
      }
      let started: StartedCommand;
      try {
        started = commandStarted(host, ctx, cmd, spec, line, outcome.result);
      } catch (err) {
        done({ error: commandStartError(err, stage, commandLine(cmd)) });
        return;
      }
      done({ started });
    });
  } catch (err) {
    throw commandStartError(err, stage, commandLine(cmd));
  }
}

/**
 * startCommand as a unit uses it: `started` when the command settled within the call (no
 * spawnAsync: the synchronous path of test fakes), else the spawn in flight, whose outcome goes
 * to `later` on a later turn. A failure within the call is thrown, as commandStartError().
 */
export function launchCommand(
  host: UnitHost,
  ctx: EnvironmentContext,
  stage: string,
  cmd: ExecCommand,
  extras: SpawnExtras,
  later: (outcome: CommandOutcome) => void,
): { started: StartedCommand } | { inFlight: PendingSpawn } {
  let settled: CommandOutcome | undefined;
  let waiting = false;
  const inFlight = startCommand(host, ctx, stage, cmd, extras, (outcome) => {
    if (waiting) later(outcome);
    else settled = outcome;
  });
  if (settled !== undefined) {
    if ('error' in settled) throw settled.error;
    return { started: settled.started };
  }
  if (inFlight === undefined) throw commandStartError(new Error('the spawn neither settled nor is in flight'), stage, commandLine(cmd));
  waiting = true;
  return { inFlight };
}

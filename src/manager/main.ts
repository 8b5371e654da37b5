// unitd's entry: what init/unitd runs as PID 1 (or as a subreaper when it is not).
// Read top to bottom like tini: set up the process, decide the signal set, start
// the manager and its control socket, boot the default target, stop everything on
// SIGTERM/SIGINT.

import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { constants as osConstants } from 'node:os';
import { createLogger as jsonLogger, type Logger } from '../journal/logger.js';
import { serveControl, type ControlServer } from '../control/server.js';
import { controlSocketPath, managerRuntimeDir, writableOrCreatable } from '../control/paths.js';
import { GENERATOR_OUTPUT } from './generators.js';
import { lookupUser } from '../exec/users.js';
import { BusNameWatcher } from './bus-names.js';
import { realNative } from '../exec/native.js';
import { prepareRunDirectory } from './early-boot.js';
import { ConsoleWriter, nowUSec, PRIORITY } from './log-sink.js';
import { adoptFd, reduceMemory, SignalWatcher, signalName, SIGRTMAX, SIGRTMIN } from '../native/index.js';
import { startMemoryReducer } from './memory-reducer.js';
import { stateDump } from './state-dump.js';
import { stopBudgetMs, stoppingUnit } from './stop-budget.js';
import { openDaemonJournal } from '../journal/daemon.js';
import { configuredJournalDir, unprivilegedJournalDir } from '../journal/segments.js';
import { DaemonLog, SHOWN_ON_CONSOLE } from '../journal/daemon-log.js';
import { Manager, VERSION } from './manager.js';
import { StoreUnitSource } from './unit-source.js';
import type { ExitRequestOptions } from './manager.js';
import { sweepLeftoverProcesses } from './shutdown.js';
import { chooseBootUnit } from './boot.js';
import { SkipList } from './skip-list.js';
import { readSystemConf } from './system-conf.js';
import { resumeManagerStart } from './clock.js';
import { CHECK_LOAD_ARG, checkLoadable, currentProgram, DESERIALIZE_ARG, execNow } from './reexec.js';
import { readStateFile, type StateFile } from './serialize.js';
import { InjectedFaults } from './fault-injection.js';

interface Arguments {
  /** --unit=X / systemd.unit=X, else default.target (multi-user.target when that is missing). */
  unit?: string;
  consoleStatus: boolean;
  /** Caps the orderly stop (UNITD_STOP_BUDGET, --stop-budget=); without it the units' TimeoutStopSec= decide (stop-budget.ts). */
  stopBudgetCapMs?: number;
  /** daemon-reexec: the state file the previous program wrote (reexec.ts). */
  deserialize?: string;
  /** The arguments a daemon-reexec passes on (all but --deserialize=). */
  passOn: string[];
}

function parseBudget(value: string | undefined, log: Logger): number | undefined {
  if (value === undefined || value === '') return undefined;
  const m = /^(\d+(?:\.\d+)?)(ms|s|min)?$/.exec(value.trim());
  if (!m) {
    log.warn({ value }, `Invalid stop budget '${value}', ignoring.`);
    return undefined;
  }
  const n = Number(m[1]);
  return Math.round(m[2] === 'ms' ? n : m[2] === 'min' ? n * 60_000 : n * 1000);
}

function parseArguments(argv: string[], env: NodeJS.ProcessEnv, log: Logger): Arguments {
  const args: Arguments = {
    consoleStatus: !['0', 'no', 'false', 'off'].includes((env.UNITD_CONSOLE_STATUS ?? '').toLowerCase()),
    stopBudgetCapMs: parseBudget(env.UNITD_STOP_BUDGET, log),
    passOn: argv.filter((a) => !a.startsWith(DESERIALIZE_ARG)),
  };
  for (const arg of argv) {
    if (arg.startsWith(DESERIALIZE_ARG)) args.deserialize = arg.slice(DESERIALIZE_ARG.length);
    else if (arg.startsWith('--unit=')) args.unit = arg.slice('--unit='.length);
    else if (arg.startsWith('systemd.unit=')) args.unit = arg.slice('systemd.unit='.length);
    else if (arg === '--no-console-status' || arg === 'quiet' || arg === 'systemd.show_status=0' || arg === 'systemd.show_status=false') args.consoleStatus = false;
    else if (arg === '--console-status' || arg === 'systemd.show_status=1' || arg === 'systemd.show_status=true') args.consoleStatus = true;
    else if (arg.startsWith('--stop-budget=')) args.stopBudgetCapMs = parseBudget(arg.slice('--stop-budget='.length), log) ?? args.stopBudgetCapMs;
    else if (arg === '--system' || arg === '--no-pager') continue;
    // systemd also accepts a bare unit name on the kernel command line style
    else if (/^[^-].*\.(target|service)$/.test(arg)) args.unit = arg;
    else log.warn({ arg }, `Unknown argument '${arg}', ignoring.`);
  }
  return args;
}

/**
 * unitd's own log: records go to <runtime dir>/unitd.log and the journal, and warnings to the
 * console as one `unitd[1]: ...` line each (daemon-log.ts); the console never sees JSON.
 */
function createLogger(daemonLog: DaemonLog): Logger {
  const level = process.env.UNITD_LOG_LEVEL ?? 'info';
  // `cause`: an error whose text the message already gives; the file still gets its stack.
  return jsonLogger({ level, base: { pid: process.pid }, name: 'unitd' }, daemonLog);
}

/**
 * Directories that must exist before anything runs: our runtime dir, and systemd's "booted"
 * marker (a non-root manager makes the marker only where it may: systemd's user manager never does).
 */
function createRuntimeDirectories(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  try {
    mkdirSync('/run/systemd/system', { recursive: true, mode: 0o755 });
  } catch (err) {
    if ((process.getuid?.() ?? 0) === 0) throw err;
  }
}

function becomeSubreaperUnlessPid1(log: Logger): void {
  if (process.pid === 1) return;
  try {
    realNative.setChildSubreaper();
  } catch (err) {
    log.warn({ err }, 'cannot become a child subreaper; orphans will not be reaped');
  }
}

/** Crashes in handlers are logged and survived: PID 1 must not exit by accident. */
function surviveErrors(log: Logger): void {
  process.on('uncaughtException', (err) => log.error({ err }, 'uncaught exception; continuing'));
  process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled rejection; continuing'));
}

/** What a signal to PID 1 does (systemd(1) "Signals", semantics §17.1). */
type SignalAction =
  | { do: 'shutdown'; kind: 'halt' | 'poweroff' | 'reboot'; immediate: boolean }
  | { do: 'isolate' | 'start'; unit: string }
  | { do: 'reload' }
  | { do: 're-execute' }
  | { do: 'show-status'; on: boolean }
  | { do: 'log-level'; debug: boolean }
  | { do: 'log-target'; target: 'console' | 'kmsg' | 'original' }
  | { do: 'dump' }
  | { do: 'nothing' }
  | { do: 'ignore' };

const orderly = (kind: 'halt' | 'poweroff' | 'reboot'): SignalAction => ({ do: 'shutdown', kind, immediate: false });
const immediate = (kind: 'halt' | 'poweroff' | 'reboot'): SignalAction => ({ do: 'shutdown', kind, immediate: true });

/**
 * The signal set, decided here only. SIGCHLD is the reaper's (manager.attachReaper).
 * SIGTERM and SIGINT are unitd's container choices: systemd re-executes on SIGTERM and
 * starts ctrl-alt-del.target on SIGINT; `docker stop` and Ctrl-C want a stop. kexec is a
 * reboot in a container (no kexec there). halt/poweroff/reboot end the container with exit
 * 0 after the stop, as systemd-shutdown does without CAP_SYS_BOOT ("Exiting container.").
 * Real-time signals not listed log "Got unhandled signal <RTMIN+N>." as systemd does.
 */
const SIGNALS: Readonly<Record<string, SignalAction>> = {
  SIGTERM: orderly('poweroff'),
  SIGINT: orderly('poweroff'),
  SIGHUP: { do: 'reload' },
  SIGPWR: { do: 'start', unit: 'sigpwr.target' },
  SIGWINCH: { do: 'start', unit: 'kbrequest.target' },
  SIGUSR2: { do: 'dump' },
  'SIGRTMIN+0': { do: 'isolate', unit: 'default.target' },
  'SIGRTMIN+1': { do: 'isolate', unit: 'rescue.target' },
  'SIGRTMIN+2': { do: 'isolate', unit: 'emergency.target' },
  'SIGRTMIN+3': orderly('halt'),
  'SIGRTMIN+4': orderly('poweroff'),
  'SIGRTMIN+5': orderly('reboot'),
  'SIGRTMIN+6': orderly('reboot'),
  'SIGRTMIN+13': immediate('halt'),
  'SIGRTMIN+14': immediate('poweroff'),
  'SIGRTMIN+15': immediate('reboot'),
  'SIGRTMIN+16': immediate('reboot'),
  'SIGRTMIN+20': { do: 'show-status', on: true },
  'SIGRTMIN+21': { do: 'show-status', on: false },
  'SIGRTMIN+22': { do: 'log-level', debug: true },
  'SIGRTMIN+23': { do: 'log-level', debug: false },
  'SIGRTMIN+24': { do: 'nothing' }, // exit: user managers only, a no-op for PID 1
  'SIGRTMIN+25': { do: 're-execute' },
  'SIGRTMIN+26': { do: 'log-target', target: 'original' },
  'SIGRTMIN+27': { do: 'log-target', target: 'console' },
  'SIGRTMIN+28': { do: 'log-target', target: 'kmsg' },
  'SIGRTMIN+29': { do: 'log-target', target: 'original' },
  // Never Node's default for these, which would end PID 1 (SIGPIPE: a closed console or client).
  SIGPIPE: { do: 'ignore' }, SIGUSR1: { do: 'ignore' }, SIGQUIT: { do: 'ignore' }, SIGTSTP: { do: 'ignore' },
  SIGTTIN: { do: 'ignore' }, SIGTTOU: { do: 'ignore' }, SIGALRM: { do: 'ignore' }, SIGVTALRM: { do: 'ignore' },
  SIGPROF: { do: 'ignore' }, SIGIO: { do: 'ignore' }, SIGURG: { do: 'ignore' }, SIGXCPU: { do: 'ignore' },
  SIGXFSZ: { do: 'ignore' }, SIGTRAP: { do: 'ignore' }, SIGSYS: { do: 'ignore' }, SIGSTKFLT: { do: 'ignore' },
  SIGCONT: { do: 'ignore' },
};

/**
 * Which signals Node's process.on() receives; the native watcher takes the rest, and every
 * real-time signal (Node cannot catch those), with the sender's pid. SIGUSR1 stays Node's
 * (its inspector owns the handler), SIGTERM/SIGINT/SIGHUP too (Node resets the terminal on them).
 */
const NODE_SIGNALS: ReadonlySet<string> = new Set([
  'SIGTERM', 'SIGINT', 'SIGHUP', 'SIGPIPE', 'SIGUSR1', 'SIGQUIT', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU', 'SIGALRM',
  'SIGVTALRM', 'SIGPROF', 'SIGIO', 'SIGURG', 'SIGXCPU', 'SIGXFSZ', 'SIGTRAP', 'SIGSYS', 'SIGSTKFLT', 'SIGCONT',
]);

interface SignalContext {
  manager: Manager;
  /** Check the program on disk, then execve it (reexec.ts); rejects when it cannot start. */
  reexecute(): Promise<void>;
  log: Logger;
  /** A manager message in the journal (identifier systemd) and unitd's own log. */
  note(message: string, priority: number): void;
  halt(code: number, options?: ExitRequestOptions): void;
  configuredLogLevel: string;
}

/** "Received SIGTERM from PID 679 (sh)." (systemd's log_received_signal), or without the sender when unknown. */
function receivedLine(name: string, pid: number): string {
  if (pid <= 0) return `Received ${name}.`;
  let comm = 'n/a';
  try {
    comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    /* already gone */
  }
  return `Received ${name} from PID ${pid} (${comm}).`;
}

function startTarget(ctx: SignalContext, unit: string, mode: 'isolate' | 'replace'): void {
  ctx.manager.enqueueJob({ unit, type: 'start', mode, wait: false }).catch((err: unknown) => {
    ctx.note(`Failed to enqueue ${mode} job for ${unit}: ${err instanceof Error ? err.message : String(err)}`, PRIORITY.err);
  });
}

function actOnSignal(ctx: SignalContext, name: string, pid: number): void {
  const action = SIGNALS[name];
  if (action?.do === 'ignore') {
    ctx.log.info({ signal: name }, 'signal ignored');
    return;
  }
  ctx.note(receivedLine(name, pid), PRIORITY.info);
  if (action === undefined) {
    ctx.note(`Got unhandled signal <${name.slice('SIG'.length)}>.`, PRIORITY.warning);
    return;
  }
  switch (action.do) {
    case 'shutdown':
      ctx.halt(0, { kind: action.kind, immediate: action.immediate });
      return;
    case 'isolate':
      if (action.unit === 'default.target') {
        void chooseBootUnit(undefined, async (u) => String((await ctx.manager.unitProperties([u]))[0]?.LoadState ?? '')).then((unit) => startTarget(ctx, unit, 'isolate'));
      } else startTarget(ctx, action.unit, 'isolate');
      return;
    case 'start':
      startTarget(ctx, action.unit, 'replace');
      return;
    case 'reload':
      ctx.note('Reloading.', PRIORITY.info);
      ctx.manager.daemonReload().catch((err: unknown) => ctx.log.error({ err }, 'daemon-reload failed'));
      return;
    case 're-execute':
      ctx.reexecute().catch((err: unknown) => ctx.note(`Failed to reexecute: ${err instanceof Error ? err.message : String(err)}`, PRIORITY.err));
      return;
    case 'show-status':
      ctx.manager.consoleStatus = action.on;
      ctx.note(`${action.on ? 'Enabling' : 'Disabling'} showing of status (signal).`, PRIORITY.debug);
      return;
    case 'log-level':
      if (action.debug) {
        ctx.note('Setting log level to debug.', PRIORITY.info);
        ctx.log.level = 'debug';
      } else {
        ctx.log.level = ctx.configuredLogLevel;
        ctx.note(`Restoring log level to original (${ctx.configuredLogLevel}).`, PRIORITY.info);
      }
      return;
    case 'log-target':
      // unitd's own log always goes to stderr (the console) and its journal; there is no kmsg in a container.
      if (action.target === 'kmsg') ctx.note('Setting log target to kmsg is not supported in a container; keeping console.', PRIORITY.notice);
      else if (action.target === 'console') ctx.note('Setting log target to console.', PRIORITY.info);
      else ctx.note('Restoring log target to original console.', PRIORITY.info);
      return;
    case 'dump':
      stateDump(ctx.manager, VERSION).then(
        (dump) => ctx.note(dump, PRIORITY.info),
        (err: unknown) => ctx.log.error({ err }, 'state dump failed'),
      );
      return;
    case 'nothing':
      return;
  }
}

/** Installs every handler of SIGNALS; returns the native watcher (closed at exit). */
function installSignalHandlers(ctx: SignalContext): SignalWatcher {
  for (const name of Object.keys(SIGNALS)) {
    if (!NODE_SIGNALS.has(name)) continue;
    try {
      process.on(name as NodeJS.Signals, () => actOnSignal(ctx, name, 0));
    } catch {
      /* not on this platform */
    }
  }
  const native = new Set<number>();
  for (let n = SIGRTMIN; n <= SIGRTMAX; n++) native.add(n);
  for (const name of Object.keys(SIGNALS)) {
    const number = osConstants.signals[name as NodeJS.Signals];
    if (!NODE_SIGNALS.has(name) && number !== undefined) native.add(number);
  }
  const watcher = new SignalWatcher([...native], (batch) => {
    for (const { signal, pid, count } of batch) {
      for (let i = 0; i < count; i++) actOnSignal(ctx, signalName(signal), pid);
    }
  });
  watcher.unref(); // signals alone do not keep PID 1 alive; the manager does
  return watcher;
}

/**
 * Non-root mode (`docker run --user`, USER in a Dockerfile, OpenShift's arbitrary uid): unitd
 * is then the manager of that user's units, as systemd's user manager is, in a runtime
 * directory the user can write (paths.ts managerRuntimeDir). Units asking for another user
 * fail with the reason (exec/unprivileged.ts). One console line says which mode this is.
 */
function announceUserMode(dir: string, console: ConsoleWriter): void {
  const uid = process.getuid?.() ?? 0;
  if (uid === 0) return;
  const name = lookupUser(String(uid))?.name;
  console.line(`unitd: running as uid ${uid}${name && name !== String(uid) ? ` (${name})` : ''}: managing this user's units only; runtime directory ${dir}.`);
}

/** Non-root mode: what this user may not create, said once instead of a warning per socket. */
function announceUserModeLimits(unservedSockets: readonly string[], runsGenerators: boolean, console: ConsoleWriter): void {
  const effects: string[] = [];
  if (unservedSockets.length > 0) effects.push(`${unservedSockets.join(', ')} are not served (syslog and journal-socket lines are not collected; services' stdout and stderr are)`);
  if (!runsGenerators) effects.push(`generators do not run (${GENERATOR_OUTPUT.normal} cannot be created)`);
  if (effects.length > 0) console.line(`unitd: as uid ${process.getuid?.() ?? 0}: ${effects.join('; ')}.`);
}

/** Exit status of a daemon that could not start (EX_SOFTWARE), distinct from a unit's `exit N`. */
const STARTUP_FAILURE_EXIT = 70;
/** Between answering `daemon-reexec` and execve: the reply is written before the connection ends. */
const REPLY_GRACE_MS = 100;
/** Time a halt may take beyond the stop budget (control drain, leftover sweep, journal close). */
const HALT_SLACK_MS = 6000;

/** The units that are up now and their TimeoutStopSec= chain, capped (stop-budget.ts). */
async function stopBudget(manager: Manager, capMs: number | undefined): Promise<number> {
  const up = (await manager.listUnits({ all: false })).filter((u) => u.activeState !== 'inactive' && u.activeState !== 'failed');
  const props = await manager.unitProperties(up.map((u) => u.id));
  return stopBudgetMs(props.map(stoppingUnit), capMs);
}

/** The previous program's state, or undefined (with the reason logged) to boot afresh. */
function readResumeState(path: string | undefined, log: Logger): StateFile | undefined {
  if (path === undefined) return undefined;
  try {
    return readStateFile(path);
  } catch (err) {
    log.error({ err }, `Failed to deserialize, booting afresh: ${(err as Error).message}`);
    return undefined;
  }
}

async function main(): Promise<void> {
  // The previous program's check before a daemon-reexec: every module loaded, nothing else done.
  if (process.argv.includes(CHECK_LOAD_ARG)) process.exit(0);
  const consoleWriter = new ConsoleWriter(process.stdout);
  const dir = managerRuntimeDir();
  announceUserMode(dir, consoleWriter);
  const resuming = process.argv.some((a) => a.startsWith(DESERIALIZE_ARG));
  const daemonLog = new DaemonLog({ file: join(dir, 'unitd.log'), console: (line) => consoleWriter.line(line), continueFile: resuming });
  const log = createLogger(daemonLog);
  surviveErrors(log);
  const args = parseArguments(process.argv.slice(2), process.env, log);
  const resumed = readResumeState(args.deserialize, log);
  if (resumed) resumeManagerStart(resumed.managerStart);
  // A resumed unitd keeps /run as it is: its services are running from it.
  else prepareRunDirectory(log); // a fresh /run and tmpfiles.d, as a machine's early boot
  daemonLog.reopen(); // emptying /run may have removed the log file
  // Chosen once (after the early boot, which leaves a private UNITD_RUNTIME_DIR alone): every
  // later runtimeDir() (the boot id, journalctl and systemctl run by units) finds this one.
  process.env.UNITD_RUNTIME_DIR = dir;
  createRuntimeDirectories(dir);
  becomeSubreaperUnlessPid1(log);

  const systemConf = readSystemConf();
  for (const w of systemConf.warnings) log.warn(w);
  const source = new StoreUnitSource();
  source.setManagerDefaults(systemConf);
  // A daemon-reload parses every unit again: its garbage goes back to the kernel once it is over.
  source.onReloadSettled(reduceMemory);
  const journal = openDaemonJournal(
    {
      console: (line) => consoleWriter.line(line),
      warn: (msg, details) => log.warn(details ?? {}, msg),
      warnShown: (msg, details) => log.warn({ ...details, [SHOWN_ON_CONSOLE]: true }, msg),
    },
    {
      // Non-root mode: where this user may write, unless UNITD_JOURNAL_DIR says.
      dir: (process.getuid?.() ?? 0) !== 0 && configuredJournalDir() === undefined ? unprivilegedJournalDir(dir) : undefined,
      ...(resumed ? { bootId: resumed.bootId } : {}),
    },
  );
  daemonLog.attach((entry) => journal.journal.append(entry, { console: false }));
  const runsGenerators = (process.getuid?.() ?? 0) === 0 || writableOrCreatable(GENERATOR_OUTPUT.normal);
  announceUserModeLimits(journal.unserved, runsGenerators, consoleWriter);
  let control: ControlServer | undefined;
  const faults = new InjectedFaults(process.env.UNITD_TEST_FAULTS);
  let halting: Promise<void> | undefined;
  const manager = new Manager({
    log,
    console: consoleWriter,
    logSink: journal.journal,
    native: realNative,
    runtimeDir: dir,
    source,
    busNames: new BusNameWatcher((message) => log.warn(message)),
    onExitRequest: (code, options) => halt(code, options),
    skipList: SkipList.load(),
    systemConf,
    consoleStatus: args.consoleStatus,
    generators: runsGenerators ? {} : undefined,
    onReexecRequest: () => reexecute(),
  });

  /** A manager message: systemd's wording under its identifier in the journal; the file gets a copy. */
  function note(message: string, priority: number): void {
    journal.journal.write({ timestamp: nowUSec(), unit: '', identifier: 'systemd', pid: process.pid, priority, message });
    if (priority <= PRIORITY.warning) consoleWriter.line(`unitd[${process.pid}]: ${message}`);
    log.debug(message);
  }

  let reexecuting = false;
  /** Checks the new program, then execs it once the client's reply is out (execve ends its connection). */
  async function reexecute(): Promise<void> {
    if (reexecuting) throw new Error('A reexecution is already under way.');
    reexecuting = true;
    try {
      await checkLoadable(realNative, currentProgram());
    } catch (err) {
      reexecuting = false;
      throw err;
    }
    setTimeout(() => {
      note('Reexecuting.', PRIORITY.notice);
      execNow({ manager, journal, control: () => control, native: realNative, runtimeDir: dir, version: VERSION, args: args.passOn }).catch((err: unknown) => {
        reexecuting = false;
        note((err as Error).message, PRIORITY.err);
      });
    }, REPLY_GRACE_MS);
  }

  function halt(code: number, options: ExitRequestOptions = {}): void {
    if (halting) return;
    const started = Date.now();
    // Whatever happens below, PID 1 exits: a hard deadline after the longest budget it may
    // get (the cap, else 90 s) plus the drain, the leftover sweep and the journal's close.
    const deadlineMs = (args.stopBudgetCapMs ?? 90_000) + HALT_SLACK_MS;
    setTimeout(() => {
      consoleWriter.line(`unitd: shutdown did not finish ${deadlineMs} ms after it began; exiting.`);
      process.exit(code);
    }, deadlineMs).unref();
    halting = (async () => {
      const budgetMs = await stopBudget(manager, args.stopBudgetCapMs).catch((err: unknown) => {
        log.error({ err }, 'cannot compute the stop budget; using the cap or 90 s');
        return args.stopBudgetCapMs ?? 90_000;
      });
      log.info({ kind: options.kind, code, budgetMs }, 'stopping all units');
      const force = options.force === true || options.immediate === true;
      const { timedOut } = await manager.stopAll({ budgetMs, kind: options.kind, force });
      if (timedOut.length > 0) consoleWriter.line(`unitd: stop budget of ${budgetMs} ms exceeded; killed ${timedOut.join(', ')}`);
      faults.fire('halt');
      // The client that asked for this (`systemctl poweroff`, `exit N`) may still be finishing.
      await control?.drain(1000).catch(() => undefined);
      // Leftovers (orphans, KillMode=none, units we never knew): TERM, then KILL (systemd-shutdown's spree).
      const remaining = budgetMs - (Date.now() - started);
      const sweep = await sweepLeftoverProcesses({
        termMs: options.immediate ? 0 : Math.min(Math.max(remaining, 300), 2000),
        killMs: 1000,
        log: (m) => log.info(m),
      });
      if (sweep.terminated > 0) consoleWriter.line(`unitd: sent SIGTERM to ${sweep.terminated} leftover process(es), SIGKILL to ${sweep.killed}.`);
      log.info({ ms: Date.now() - started }, 'shutdown finished');
      await journal.close(); // unbinds /dev/log, writes out what is queued
      await control?.close().catch(() => undefined);
      // systemd-shutdown's last word when reboot(2) is refused (no CAP_SYS_BOOT): the container ends.
      if (process.pid === 1) consoleWriter.line('Exiting container.');
      consoleWriter.line('unitd: all units stopped, exiting.');
    })()
      .catch((err: unknown) => {
        consoleWriter.line(`unitd: shutdown failed: ${err instanceof Error ? err.message : String(err)}; exiting.`);
      })
      .finally(() => {
        process.stdout.write('', () => process.exit(code));
        setTimeout(() => process.exit(code), 500).unref();
      });
  }

  // A resumed manager takes its units back before it reaps: an exit that happened while no
  // program ran is a zombie still, and must reach the unit that owns it.
  if (resumed) {
    manager.restoreState(resumed.manager);
    // Kept fds nothing took back (a unit gone from disk) stay ours, never a service's.
    for (const fd of resumed.keepFds) adoptFd(fd);
  }
  manager.attachReaper();
  journal.serveSyslog((sender) => manager.unitForSender(sender));
  journal.serveStreams((sender) => manager.unitForSender(sender));
  installSignalHandlers({ manager, reexecute, log, halt, configuredLogLevel: log.level, note });
  control = await serveControl(controlSocketPath(), manager, {
    // One line naming the request (`control method listUnits failed: ...`); the client has its answer.
    onError: (what, err) => log.warn({ err }, `${what} failed`),
    onRefusal: (line) => log.warn(line),
    ...(resumed?.controlFd != null && adoptFd(resumed.controlFd) ? { adoptFd: resumed.controlFd } : {}),
  });
  if (resumed) {
    // The generators' output of the previous program is still in /run; the units were loaded from it.
    log.info({ units: resumed.manager.units.length, by: resumed.writtenBy }, 'Deserialized state, resumed.');
    startMemoryReducer();
    return;
  }
  await manager.runGenerators(); // systemd.generator(7): before the first unit is loaded
  const bootUnit = await chooseBootUnit(args.unit, async (name) => String((await manager.unitProperties([name]))[0]?.LoadState ?? ''));
  const result = await manager.boot(bootUnit);
  log.info({ unit: bootUnit, result }, 'boot finished');
  // Loading and starting every unit grew V8's heap well past what the idle PID 1 keeps (1000
  // units: 37 MB committed for 24 MB in use) and V8 may never judge PID 1 idle enough to
  // compact it: one compacting collection now (README "Memory": 83.7 -> 74.7 MiB RSS), and
  // again whenever later work grew RSS (memory-reducer.ts).
  startMemoryReducer();
}

main().catch((err: unknown) => {
  // One line, and an exit status no unit's `exit N` is likely to mean (EX_SOFTWARE).
  process.stderr.write(`unitd: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(STARTUP_FAILURE_EXIT);
});

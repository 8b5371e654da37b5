// unitd's entry: what init/unitd runs as PID 1 (or as a subreaper when it is not).
// Read top to bottom like tini: set up the process, decide the signal set, start
// the manager and its control socket, boot the default target, stop everything on
// SIGTERM/SIGINT.

import { mkdirSync } from 'node:fs';
import pino, { type Logger } from 'pino';
import { serveControl, type ControlServer } from '../control/server.js';
import { controlSocketPath, runtimeDir } from '../control/paths.js';
import { realNative } from '../exec/native.js';
import { prepareRunDirectory } from './early-boot.js';
import { ConsoleWriter } from './log-sink.js';
import { openDaemonJournal } from '../journal/daemon.js';
import { Manager } from './manager.js';
import { StoreUnitSource } from './unit-source.js';
import type { ExitRequestOptions } from './manager.js';
import { sweepLeftoverProcesses } from './shutdown.js';
import { chooseBootUnit } from './boot.js';
import { SkipList } from './skip-list.js';
import { readSystemConf } from './system-conf.js';

interface Arguments {
  /** --unit=X / systemd.unit=X, else default.target (multi-user.target when that is missing). */
  unit?: string;
  consoleStatus: boolean;
  /** The whole orderly stop's bound (docker stop gives 10 s before SIGKILL). */
  stopBudgetMs: number;
}

const DEFAULT_STOP_BUDGET_MS = 9000;

function parseBudget(value: string | undefined, log: Logger): number | undefined {
  if (value === undefined || value === '') return undefined;
  const m = /^(\d+(?:\.\d+)?)(ms|s|min)?$/.exec(value.trim());
  if (!m) {
    log.warn({ value }, 'invalid stop budget ignored');
    return undefined;
  }
  const n = Number(m[1]);
  return Math.round(m[2] === 'ms' ? n : m[2] === 'min' ? n * 60_000 : n * 1000);
}

function parseArguments(argv: string[], env: NodeJS.ProcessEnv, log: Logger): Arguments {
  const args: Arguments = {
    consoleStatus: !['0', 'no', 'false', 'off'].includes((env.UNITD_CONSOLE_STATUS ?? '').toLowerCase()),
    stopBudgetMs: parseBudget(env.UNITD_STOP_BUDGET, log) ?? DEFAULT_STOP_BUDGET_MS,
  };
  for (const arg of argv) {
    if (arg.startsWith('--unit=')) args.unit = arg.slice('--unit='.length);
    else if (arg.startsWith('systemd.unit=')) args.unit = arg.slice('systemd.unit='.length);
    else if (arg === '--no-console-status' || arg === 'quiet' || arg === 'systemd.show_status=0' || arg === 'systemd.show_status=false') args.consoleStatus = false;
    else if (arg === '--console-status' || arg === 'systemd.show_status=1' || arg === 'systemd.show_status=true') args.consoleStatus = true;
    else if (arg.startsWith('--stop-budget=')) args.stopBudgetMs = parseBudget(arg.slice('--stop-budget='.length), log) ?? args.stopBudgetMs;
    else if (arg === '--system' || arg === '--no-pager') continue;
    // systemd also accepts a bare unit name on the kernel command line style
    else if (/^[^-].*\.(target|service)$/.test(arg)) args.unit = arg;
    else log.warn({ arg }, 'unknown argument ignored');
  }
  return args;
}

function createLogger(): Logger {
  const level = process.env.UNITD_LOG_LEVEL ?? 'warn';
  // Async with a bound: a stuck stderr drops log lines instead of blocking PID 1.
  return pino({ level, base: { pid: process.pid }, name: 'unitd' }, pino.destination({ fd: 2, sync: false, maxLength: 1 << 20 }));
}

/** Directories that must exist before anything runs: our runtime dir, and systemd's "booted" marker. */
function createRuntimeDirectories(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  mkdirSync('/run/systemd/system', { recursive: true, mode: 0o755 });
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

/**
 * The signal set, decided here only:
 *   SIGCHLD          reap (installed by the native reaper through manager.attachReaper)
 *   SIGTERM, SIGINT  orderly poweroff, exit 0 (docker stop, Ctrl-C). systemd re-executes on
 *                    SIGTERM and starts ctrl-alt-del.target on SIGINT; a container wants a stop.
 *   SIGPWR           orderly poweroff too (systemd starts sigpwr.target, nothing runs it here)
 *   SIGHUP           daemon-reload
 *   SIGPIPE          ignored (a closed console or client must not kill us)
 *   SIGUSR1, SIGUSR2, SIGWINCH, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU, SIGALRM, SIGVTALRM,
 *   SIGPROF, SIGIO, SIGURG, SIGXCPU, SIGXFSZ, SIGTRAP, SIGSYS, SIGSTKFLT, SIGCONT
 *                    logged and otherwise ignored (never Node's default, which would end PID 1)
 *   SIGRTMIN+3/+4/+5 (halt/poweroff/reboot, `STOPSIGNAL SIGRTMIN+3` in systemd images): Node
 *                    cannot install handlers for real-time signals. As PID 1 of a container the
 *                    kernel drops signals we do not handle, so they do nothing: use SIGTERM
 *                    (Docker's default) or `systemctl poweroff`.
 */
function installSignalHandlers(manager: Manager, log: Logger, halt: (code: number, options?: ExitRequestOptions) => void): void {
  process.on('SIGTERM', () => halt(0, { kind: 'poweroff' }));
  process.on('SIGINT', () => halt(0, { kind: 'poweroff' }));
  process.on('SIGPWR', () => halt(0, { kind: 'poweroff' }));
  process.on('SIGHUP', () => {
    log.info('SIGHUP: reloading unit files');
    manager.daemonReload().catch((err: unknown) => log.error({ err }, 'daemon-reload failed'));
  });
  process.on('SIGPIPE', () => undefined);
  const ignored = [
    'SIGUSR1', 'SIGUSR2', 'SIGWINCH', 'SIGQUIT', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU', 'SIGALRM', 'SIGVTALRM',
    'SIGPROF', 'SIGIO', 'SIGURG', 'SIGXCPU', 'SIGXFSZ', 'SIGTRAP', 'SIGSYS', 'SIGSTKFLT', 'SIGCONT',
  ] as const;
  for (const sig of ignored) {
    try {
      process.on(sig, () => log.info({ signal: sig }, 'signal ignored'));
    } catch {
      /* not on this platform */
    }
  }
}

/**
 * unitd is a system manager only. As a non-root user (`docker run --user`,
 * USER in a Dockerfile) it could neither create /run/unitd nor switch to the
 * users that units ask for, so it says so in one line and exits 1. A private
 * UNITD_RUNTIME_DIR (tests, development) is allowed to run unprivileged.
 */
function refuseUserManager(): void {
  const uid = process.getuid?.() ?? 0;
  if (uid === 0 || process.env.UNITD_RUNTIME_DIR) return;
  process.stderr.write(`unitd: running as uid ${uid}: user managers are not supported; run unitd as root (drop USER/--user and set User= in the units instead)\n`);
  process.exit(1);
}

/** Exit status of a daemon that could not start (EX_SOFTWARE), distinct from a unit's `exit N`. */
const STARTUP_FAILURE_EXIT = 70;
/** Time a halt may take beyond the stop budget (control drain, leftover sweep, journal close). */
const HALT_SLACK_MS = 6000;

async function main(): Promise<void> {
  refuseUserManager();
  const log = createLogger();
  surviveErrors(log);
  const args = parseArguments(process.argv.slice(2), process.env, log);
  prepareRunDirectory(log); // a fresh /run and tmpfiles.d, as a machine's early boot
  const dir = runtimeDir();
  createRuntimeDirectories(dir);
  becomeSubreaperUnlessPid1(log);

  const consoleWriter = new ConsoleWriter(process.stdout);
  const systemConf = readSystemConf();
  for (const w of systemConf.warnings) log.warn(w);
  const source = new StoreUnitSource();
  source.setManagerDefaults(systemConf);
  const journal = openDaemonJournal({ console: (line) => consoleWriter.line(line), warn: (msg, details) => log.warn(details ?? {}, msg) });
  let control: ControlServer | undefined;
  let halting: Promise<void> | undefined;
  const manager = new Manager({
    log,
    console: consoleWriter,
    logSink: journal.journal,
    native: realNative,
    runtimeDir: dir,
    source,
    onExitRequest: (code, options) => halt(code, options),
    skipList: SkipList.load(),
    systemConf,
    consoleStatus: args.consoleStatus,
    generators: {},
  });

  function halt(code: number, options: ExitRequestOptions = {}): void {
    if (halting) return;
    const started = Date.now();
    const budgetMs = args.stopBudgetMs;
    // Whatever happens below, PID 1 exits: a hard deadline after the stop budget plus the
    // drain (1 s), the leftover sweep (at most 2 s + 1 s) and the journal's close.
    setTimeout(() => {
      consoleWriter.line(`unitd: shutdown did not finish ${budgetMs + HALT_SLACK_MS} ms after it began; exiting.`);
      process.exit(code);
    }, budgetMs + HALT_SLACK_MS).unref();
    halting = (async () => {
      log.info({ kind: options.kind, code, budgetMs }, 'stopping all units');
      const force = options.force === true || options.immediate === true;
      const { timedOut } = await manager.stopAll({ budgetMs, kind: options.kind, force });
      if (timedOut.length > 0) consoleWriter.line(`unitd: stop budget of ${budgetMs} ms exceeded; killed ${timedOut.join(', ')}`);
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

  manager.attachReaper();
  journal.serveSyslog((sender) => manager.unitForSender(sender));
  journal.serveStreams((sender) => manager.unitForSender(sender));
  installSignalHandlers(manager, log, halt);
  control = await serveControl(controlSocketPath(), manager, {
    onError: (what, err) => log.warn({ what, err }, 'control server'),
  });
  await manager.runGenerators(); // systemd.generator(7): before the first unit is loaded
  const bootUnit = await chooseBootUnit(args.unit, async (name) => String((await manager.unitProperties([name]))[0]?.LoadState ?? ''));
  const result = await manager.boot(bootUnit);
  log.info({ unit: bootUnit, result }, 'boot finished');
}

main().catch((err: unknown) => {
  // One line, and an exit status no unit's `exit N` is likely to mean (EX_SOFTWARE).
  process.stderr.write(`unitd: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(STARTUP_FAILURE_EXIT);
});

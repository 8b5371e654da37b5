// unitd's entry: what init/unitd runs as PID 1 (or as a subreaper when it is not).
// Read top to bottom like tini: set up the process, decide the signal set, start
// the manager and its control socket, boot the default target, stop everything on
// SIGTERM/SIGINT.

import { mkdirSync } from 'node:fs';
import pino, { type Logger } from 'pino';
import { serveControl, type ControlServer } from '../control/server.js';
import { controlSocketPath, runtimeDir } from '../control/paths.js';
import { realNative } from '../exec/native.js';
import { ConsoleWriter, RingLogSink } from './log-sink.js';
import { Manager } from './manager.js';
import { StoreUnitSource } from './unit-source.js';

interface Arguments {
  unit: string;
}

function parseArguments(argv: string[], log: Logger): Arguments {
  const args: Arguments = { unit: 'default.target' };
  for (const arg of argv) {
    if (arg.startsWith('--unit=')) args.unit = arg.slice('--unit='.length);
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
 *   SIGTERM, SIGINT  stop all units, then exit 0 (docker stop, Ctrl-C)
 *   SIGHUP           daemon-reload
 *   SIGPIPE          ignored (a closed console or client must not kill us)
 *   SIGUSR1, SIGUSR2 logged and otherwise ignored
 */
function installSignalHandlers(manager: Manager, log: Logger, halt: (code: number) => void): void {
  process.on('SIGTERM', () => halt(0));
  process.on('SIGINT', () => halt(0));
  process.on('SIGHUP', () => {
    log.info('SIGHUP: reloading unit files');
    manager.daemonReload().catch((err: unknown) => log.error({ err }, 'daemon-reload failed'));
  });
  process.on('SIGPIPE', () => undefined);
  for (const sig of ['SIGUSR1', 'SIGUSR2'] as const) process.on(sig, () => log.info({ signal: sig }, 'signal ignored'));
}

async function main(): Promise<void> {
  const log = createLogger();
  surviveErrors(log);
  const args = parseArguments(process.argv.slice(2), log);
  const dir = runtimeDir();
  createRuntimeDirectories(dir);
  becomeSubreaperUnlessPid1(log);

  const consoleWriter = new ConsoleWriter(process.stdout);
  let control: ControlServer | undefined;
  let halting: Promise<void> | undefined;
  const manager = new Manager({
    log,
    console: consoleWriter,
    logSink: new RingLogSink(consoleWriter),
    native: realNative,
    runtimeDir: dir,
    source: new StoreUnitSource(),
    onExitRequest: (code) => halt(code),
  });

  function halt(code: number): void {
    halting ??= (async () => {
      log.info('stopping all units');
      await manager.stopAll();
      await control?.close().catch(() => undefined);
      consoleWriter.line('unitd: all units stopped, exiting.');
      process.stdout.write('', () => process.exit(code));
      setTimeout(() => process.exit(code), 500).unref();
    })();
  }

  manager.attachReaper();
  installSignalHandlers(manager, log, halt);
  control = await serveControl(controlSocketPath(), manager, {
    onError: (what, err) => log.warn({ what, err }, 'control server'),
  });
  const result = await manager.boot(args.unit);
  log.info({ unit: args.unit, result }, 'boot finished');
}

main().catch((err: unknown) => {
  process.stderr.write(`unitd: failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

// Boots the built unitd as a real PID 1 in private PID and mount namespaces,
// the way `docker run` would, and runs the real clients inside it.
//
//   const sys = await boot({ units: { 'web.service': '...' }, enable: ['web.service'] });
//   const r = await sys.ctl('is-active', 'web.service');   // { stdout, stderr, code }
//   await sys.stop();
//
// Unit files live in a temp dir bind-mounted over /etc/systemd/system inside the
// namespace, and SYSTEMD_UNIT_PATH points there only, so host units never leak in.
// /run and /tmp are private tmpfs. Teardown kills the namespace's PID 1 by PID
// (the kernel then kills everything else in the namespace).

import { orAfter } from '../timing.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, mkdirSync, writeFileSync, symlinkSync, rmSync, existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectControl, type ControlClient } from '../../src/control/client.js';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** A scriptable sd_notify client (see the file for its steps). */
export const NOTIFIER = join(REPO, 'test/integration/fixtures/notifier.py');
const UNIT_DIR_INSIDE = '/etc/systemd/system';

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
}

export interface BootOptions {
  /** filename → content, written to /etc/systemd/system; content starting with `#!` is made executable. */
  units: Record<string, string>;
  /** Units linked into multi-user.target.wants (the default target). */
  enable?: string[];
  /** Extra environment for unitd (e.g. UNITD_LOG_LEVEL). */
  env?: Record<string, string>;
  /** Shell commands run as the namespace's PID 1 after /run and /tmp are mounted, before unitd starts (mounts, files). */
  setup?: string;
  /** How long to wait for the control socket, ms (default 10 s). */
  bootTimeoutMs?: number;
  /** Host directories bind-mounted over paths inside (inside path → host dir), e.g. a private /var/lib/systemd/timers. */
  binds?: Record<string, string>;
  /**
   * Run unitd (after the setup, through setpriv) and ctl()/exec() as this uid:gid instead of
   * root: non-root mode, as `docker run --user`. Groups are cleared.
   */
  user?: { uid: number; gid: number };
  /** Where unitd's control socket is expected inside (default /run/unitd; non-root mode may choose another). */
  runtimeDir?: string;
  /** The unitd tree whose init/unitd runs (default: this repo); a copy lets a test replace its files in place. */
  tree?: string;
}

export interface System {
  /** Host PID of the namespace's PID 1 (unitd). */
  pid: number;
  unitDir: string;
  ctl(...args: string[]): Promise<RunResult>;
  exec(...argv: string[]): Promise<RunResult>;
  /**
   * A control client talking to this unitd from the host, through
   * /proc/PID/root (for tests that need the raw ManagerApi). Closed by stop().
   */
  api(): Promise<ControlClient>;
  /** `systemctl show -p NAME --value` for each name, read straight from the API. */
  props(unit: string, ...names: string[]): Promise<Record<string, unknown>>;
  /** Everything unitd wrote to stdout and stderr so far. */
  console(): string;
  /** Wait until `predicate(console())` holds, up to timeoutMs. */
  waitConsole(predicate: (text: string) => boolean, timeoutMs?: number): Promise<boolean>;
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const DEFAULT_TARGET = `[Unit]
Description=Multi-User System
`;

function writeUnits(dir: string, options: BootOptions): void {
  for (const [name, content] of Object.entries(options.units)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true }); // drop-ins: `x.service.d/y.conf`
    writeFileSync(join(dir, name), content);
    if (content.startsWith('#!')) chmodSync(join(dir, name), 0o755); // scripts: init.d fixtures, PATH shims
  }
  if (!('multi-user.target' in options.units)) writeFileSync(join(dir, 'multi-user.target'), DEFAULT_TARGET);
  if (!('default.target' in options.units)) symlinkSync('multi-user.target', join(dir, 'default.target'));
  if (options.enable && options.enable.length > 0) {
    const wants = join(dir, 'multi-user.target.wants');
    mkdirSync(wants, { recursive: true });
    for (const unit of options.enable) symlinkSync(join(UNIT_DIR_INSIDE, unit), join(wants, unit));
  }
}

function childPidOf(parent: number): number | undefined {
  try {
    const children = readFileSync(`/proc/${parent}/task/${parent}/children`, 'utf8').trim().split(/\s+/);
    if (children[0]) return Number(children[0]);
  } catch {
    /* fall back to scanning /proc */
  }
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent) return Number(entry);
    } catch {
      /* raced with an exit */
    }
  }
  return undefined;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
// A stop's or failed boot's timeout must not hold the test process (8 s per file): see timing.ts.


/**
 * The namespace's own control socket exists: its /run is the private tmpfs already (until the
 * mount, /proc/PID/root/run is the host's /run, which may hold another unitd's socket).
 */
/**
 * The namespace's own control socket exists: its /run is already the private tmpfs (a socket left
 * on the host's /run by a stray unitd must not be mistaken for it).
 */
function controlSocketInside(pid: number, socketPath: string): boolean {
  try {
    return statSync(`/proc/${pid}/root/run`).dev !== statSync('/run').dev && existsSync(`/proc/${pid}/root${socketPath}`);
  } catch {
    return false;
  }
}

/** Run a command on the host with a time bound; never rejects. */
export function run(argv: string[], options: { timeoutMs?: number; env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<RunResult> {
  return new Promise((resolvePromise) => {
    const child = spawn(argv[0], argv.slice(1), { env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.on('error', () => undefined); // the command may exit without reading its input
    child.stdin.end(options.input ?? '');
    const timer = setTimeout(() => {
      stderr += `\n[harness] ${argv.join(' ')} timed out after ${options.timeoutMs ?? 15000} ms\n`;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 15000);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolvePromise({ stdout, stderr: stderr + String(err), code: 127 });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ stdout, stderr, code: code ?? 128 + (signal ? 9 : 0) });
    });
  });
}

export async function boot(options: BootOptions): Promise<System> {
  const unitDir = mkdtempSync(join(tmpdir(), 'unitd-units-'));
  writeUnits(unitDir, options);
  if (options.user) chmodSync(unitDir, 0o755); // mkdtemp's 0700 would hide the units from a non-root unitd
  const env: NodeJS.ProcessEnv = {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    LANG: 'C.UTF-8',
    SYSTEMD_UNIT_PATH: UNIT_DIR_INSIDE,
    UNITD_LOG_LEVEL: 'info',
    // The journal store lives on the namespace's private /run, not the host's /var/log/journal.
    UNITD_JOURNAL_DIR: '/run/log/journal',
    ...options.env,
  };
  // The bind mounts come before the tmpfs on /tmp, because unitDir (and binds) may live under /tmp.
  const script = [
    'set -e',
    `mount --bind "$1" ${UNIT_DIR_INSIDE}`,
    ...Object.entries(options.binds ?? {}).map(([inside, host]) => `mkdir -p '${inside}' && mount --bind '${host}' '${inside}'`),
    'mount -t tmpfs tmpfs /run',
    'mount -t tmpfs tmpfs /tmp',
    ...(options.setup ? [options.setup] : []),
    // Through the launcher, as an image runs it: it sets the daemon's V8 heap limit.
    options.user
      ? `exec setpriv --reuid=${options.user.uid} --regid=${options.user.gid} --clear-groups "$2/init/unitd"`
      : `exec "$2/init/unitd"`,
  ].join('; ');
  const child: ChildProcess = spawn(
    'unshare',
    ['--pid', '--fork', '--mount', '--propagation', 'private', '--mount-proc', 'sh', '-c', script, 'sh', unitDir, options.tree ?? REPO],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const socketInside = join(options.runtimeDir ?? '/run/unitd', 'control.sock');
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.on('exit', (code, signal) => r({ code, signal })),
  );
  let hasExited = false;
  void exited.then(() => (hasExited = true));

  const deadline = Date.now() + (options.bootTimeoutMs ?? 10000);
  let pid: number | undefined;
  while (Date.now() < deadline && !hasExited) {
    pid ??= childPidOf(child.pid ?? -1);
    if (pid !== undefined && controlSocketInside(pid, socketInside)) break;
    await sleep(25);
  }
  if (pid === undefined || hasExited || !controlSocketInside(pid, socketInside)) {
    if (!hasExited) child.kill('SIGKILL');
    if (pid !== undefined) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    await orAfter(exited, 3000, undefined);
    rmSync(unitDir, { recursive: true, force: true });
    throw new Error(`unitd did not come up (control socket missing). Console:\n${output}`);
  }
  const nsPid = pid;

  const inside = (argv: string[], timeoutMs = 20000) =>
    run(['nsenter', '-t', String(nsPid), '-m', '-p', ...(options.user ? ['-S', String(options.user.uid), '-G', String(options.user.gid)] : []), '--', ...argv], {
      timeoutMs,
      env: { ...env, SYSTEMD_COLORS: '0', SYSTEMD_PAGER: '', PAGER: 'cat' },
    });

  const clients: ControlClient[] = [];
  let shared: ControlClient | undefined;
  const api = async () => {
    const client = await connectControl(`/proc/${nsPid}/root${socketInside}`, 20000);
    clients.push(client);
    return client;
  };

  // The control socket comes up before the default target is reached: wait for the boot job too.
  try {
    const client = await api();
    const bootEnd = Date.now() + (options.bootTimeoutMs ?? 10000);
    while (Date.now() < bootEnd && ['initializing', 'starting'].includes(await client.systemState())) await sleep(20);
  } catch {
    /* a test of a broken boot will see it through ctl() */
  }

  return {
    pid: nsPid,
    api,
    async props(unit, ...names) {
      shared ??= await api();
      // A daemon-reexec ends every connection: one fresh connection, once.
      const [all] = await shared.unitProperties([unit]).catch(async () => {
        shared = await api();
        return shared.unitProperties([unit]);
      });
      const out: Record<string, unknown> = {};
      for (const n of names) out[n] = all[n];
      return out;
    },
    unitDir,
    ctl: (...args) => inside(['node', join(REPO, 'init/systemctl'), ...args]),
    exec: (...argv) => inside(argv),
    console: () => output,
    async waitConsole(predicate, timeoutMs = 5000) {
      const end = Date.now() + timeoutMs;
      while (Date.now() < end) {
        if (predicate(output)) return true;
        await sleep(20);
      }
      return predicate(output);
    },
    async stop() {
      for (const c of clients) c.close();
      if (!hasExited) {
        try {
          process.kill(nsPid, 'SIGTERM');
        } catch {
          /* gone */
        }
        const graceful = await orAfter(exited, 8000, undefined);
        if (!graceful) {
          try {
            process.kill(nsPid, 'SIGKILL');
          } catch {
            /* gone */
          }
          child.kill('SIGKILL');
        }
      }
      const result = await orAfter(exited, 3000, { code: null, signal: null });
      rmSync(unitDir, { recursive: true, force: true });
      return result;
    },
  };
}

/** Poll the unit's properties until `predicate` holds (or the time is up); returns the last read. */
export async function waitProps(
  sys: System,
  unit: string,
  names: string[],
  predicate: (p: Record<string, unknown>) => boolean,
  timeoutMs = 5000,
): Promise<Record<string, unknown>> {
  const end = Date.now() + timeoutMs;
  let p = await sys.props(unit, ...names);
  while (!predicate(p) && Date.now() < end) {
    await sleep(20);
    p = await sys.props(unit, ...names);
  }
  return p;
}

/** The real journalctl of this repo, run inside the namespace. */
export function journalctl(sys: System, ...args: string[]): Promise<RunResult> {
  return sys.exec('node', join(REPO, 'init/journalctl'), '--no-pager', ...args);
}

/** journalctl's output once `predicate` holds, or the last output when `timeoutMs` passes. */
export async function waitJournal(sys: System, args: string[], predicate: (out: string) => boolean, timeoutMs = 5000): Promise<string> {
  const end = Date.now() + timeoutMs;
  let out = (await journalctl(sys, ...args)).stdout;
  while (!predicate(out) && Date.now() < end) {
    await sleep(100);
    out = (await journalctl(sys, ...args)).stdout;
  }
  return out;
}

export { orAfter, sleep };

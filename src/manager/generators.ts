// systemd generators (systemd.generator(7)): small programs run at boot and at
// every daemon-reload, before unit files are loaded, that write units and
// .wants/ links into /run/systemd/generator{.early,,.late}. Packages rely on
// them: PostgreSQL's cluster instances (postgresql@15-main.service) are wanted
// only through /lib/systemd/system-generators/postgresql-generator.
//
// They run through the native spawn and exit through the single reaper
// (native.onChildExit), never child_process: libuv would race PID 1's reaper.

import { chmodSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ChildExit, NativeModule } from '../exec/native.js';
import { SYSV_DEFAULTS, generateSysvUnits, sysvSearchPath } from './sysv-generator.js';

/** Where generators live, in systemd's order; an earlier directory's name masks a later one's. */
export const GENERATOR_DIRS = [
  '/etc/systemd/system-generators',
  '/run/systemd/system-generators',
  '/usr/local/lib/systemd/system-generators',
  '/lib/systemd/system-generators',
  '/usr/lib/systemd/system-generators',
] as const;

/** Output directories, in argv order: normal, early, late (all on the unit search path). */
export const GENERATOR_OUTPUT = {
  normal: '/run/systemd/generator',
  early: '/run/systemd/generator.early',
  late: '/run/systemd/generator.late',
} as const;

/**
 * systemd's own generators that describe a machine, not a container's
 * services: disks, ttys, the kernel command line, boot loaders. Running them
 * in a container would add units for hardware that is not there.
 * systemd-sysv-generator is not run either: BUILTIN_GENERATORS does its job.
 */
export const SKIPPED_GENERATORS: ReadonlySet<string> = new Set([
  'systemd-bless-boot-generator',
  'systemd-cryptsetup-generator',
  'systemd-debug-generator',
  'systemd-fstab-generator',
  'systemd-getty-generator',
  'systemd-gpt-auto-generator',
  'systemd-hibernate-resume-generator',
  'systemd-integritysetup-generator',
  'systemd-run-generator',
  'systemd-system-update-generator',
  'systemd-veritysetup-generator',
  'systemd-tpm2-generator',
  'systemd-ssh-generator',
  'systemd-factory-reset-generator',
  'systemd-import-generator',
  'systemd-storagetm-generator',
]);

/** What a generator built into unitd gets: the root and the environment an external one would see. */
export interface BuiltinGeneratorContext {
  root: string;
  environment: ReadonlyMap<string, string>;
}

/** Lines a built-in generator logs at warning level (as an external one writes to stderr). */
export type BuiltinGenerator = (context: BuiltinGeneratorContext) => string[];

/**
 * Generators unitd implements itself. They run even when the program of the
 * same name is not installed (an image without systemd still has its
 * /etc/init.d scripts), and an installed program of that name is not run.
 */
export const BUILTIN_GENERATORS: ReadonlyMap<string, BuiltinGenerator> = new Map([
  [
    'systemd-sysv-generator',
    ({ root, environment }: BuiltinGeneratorContext) =>
      generateSysvUnits({
        root,
        initPaths: sysvSearchPath(environment.get('SYSTEMD_SYSVINIT_PATH'), SYSV_DEFAULTS.initPath),
        rcPaths: sysvSearchPath(environment.get('SYSTEMD_SYSVRCND_PATH'), SYSV_DEFAULTS.rcPath),
        outputDir: GENERATOR_OUTPUT.late,
        unitPathEnv: environment.get('SYSTEMD_UNIT_PATH'),
      }).messages,
  ],
]);

export const DEFAULT_GENERATOR_TIMEOUT_MS = 10_000;

export interface GeneratorOptions {
  /** Root prefix for every path (tests); '' or undefined for the real root. */
  root?: string;
  /** Directories to search instead of GENERATOR_DIRS (root is still prefixed). */
  dirs?: readonly string[];
  /** Per generator; it is SIGKILLed when it runs longer. */
  timeoutMs?: number;
  /** Names never run, instead of SKIPPED_GENERATORS. */
  skip?: ReadonlySet<string>;
  /** Generators run in-process, instead of BUILTIN_GENERATORS. */
  builtin?: ReadonlyMap<string, BuiltinGenerator>;
  /** PATH and the like for the generators; SYSTEMD_* variables are added. */
  environment?: string[];
}

export interface GeneratorResult {
  name: string;
  path: string;
  /** 'exited' with status 0 is success; 'timeout' means it was killed after timeoutMs. */
  outcome: 'exited' | 'killed' | 'dumped' | 'timeout' | 'spawn-failed';
  status: number;
  message?: string;
  milliseconds: number;
}

export interface GeneratorReport {
  results: GeneratorResult[];
  skipped: string[];
  /** Built-in generators that ran, with what each logged. */
  builtin: { name: string; messages: string[] }[];
}

function isExecutableFile(file: string): boolean {
  try {
    const st = statSync(file);
    return st.isFile() && (st.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

/** The generators to run: one per name, the first directory holding it wins; sorted by name. */
export function findGenerators(root: string, dirs: readonly string[] = GENERATOR_DIRS): Map<string, string> {
  const found = new Map<string, string>();
  const seenDirs = new Set<string>();
  for (const dir of dirs) {
    const real = path.join(root || '/', dir);
    let entries: string[];
    try {
      entries = readdirSync(real);
    } catch {
      continue;
    }
    // /lib and /usr/lib are one directory on merged-/usr systems.
    let key = real;
    try {
      const st = statSync(real);
      key = `${st.dev}:${st.ino}`;
    } catch {
      // listed a moment ago; keep the path as the key
    }
    if (seenDirs.has(key)) continue;
    seenDirs.add(key);
    for (const name of entries.sort()) {
      if (found.has(name)) continue;
      const file = path.join(real, name);
      // A name in an earlier directory linked to /dev/null masks the later ones.
      found.set(name, file);
    }
  }
  return new Map([...found].filter(([, file]) => isExecutableFile(file)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Empty output directories, as systemd leaves them before each run. */
export function prepareOutputDirectories(root: string): void {
  for (const dir of Object.values(GENERATOR_OUTPUT)) {
    const real = path.join(root || '/', dir);
    rmSync(real, { recursive: true, force: true });
    mkdirSync(real, { recursive: true, mode: 0o755 });
    chmodSync(real, 0o755);
  }
}

function runBuiltins(builtins: ReadonlyMap<string, BuiltinGenerator>, root: string, environment: readonly string[] | undefined): GeneratorReport['builtin'] {
  const env = new Map<string, string>();
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env.set(k, v);
  for (const line of environment ?? []) {
    const eq = line.indexOf('=');
    if (eq > 0) env.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return [...builtins].map(([name, generate]) => {
    try {
      return { name, messages: generate({ root, environment: env }) };
    } catch (err) {
      // A bug in one generator must not stop the boot (an external one would just exit non-zero).
      return { name, messages: [`${name} failed: ${(err as Error).message}`] };
    }
  });
}

/**
 * Runs every generator once, all at the same time, and resolves when each has
 * exited or been killed. A failing generator is reported, never thrown: the
 * boot goes on with whatever units exist (systemd does the same).
 */
export async function runGenerators(native: Pick<NativeModule, 'spawn' | 'onChildExit'>, options: GeneratorOptions = {}): Promise<GeneratorReport> {
  const root = options.root ?? '';
  const skip = options.skip ?? SKIPPED_GENERATORS;
  const timeoutMs = options.timeoutMs ?? DEFAULT_GENERATOR_TIMEOUT_MS;
  const builtins = options.builtin ?? BUILTIN_GENERATORS;
  prepareOutputDirectories(root);
  const all = findGenerators(root, options.dirs ?? GENERATOR_DIRS);
  const skipped = [...all.keys()].filter((name) => skip.has(name));
  const toRun = [...all].filter(([name]) => !skip.has(name) && !builtins.has(name));
  const builtin = runBuiltins(builtins, root, options.environment);
  if (toRun.length === 0) return { results: [], skipped, builtin };

  const outDirs = [GENERATOR_OUTPUT.normal, GENERATOR_OUTPUT.early, GENERATOR_OUTPUT.late].map((d) => path.join(root || '/', d));
  const env = [
    ...(options.environment ?? ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']),
    'SYSTEMD_SCOPE=system',
    'SYSTEMD_IN_INITRD=0',
  ];

  const waiting = new Map<number, (exit: ChildExit) => void>();
  const unsubscribe = native.onChildExit((exit) => {
    const done = waiting.get(exit.pid);
    if (done === undefined) return;
    waiting.delete(exit.pid);
    done(exit);
  });
  // Exits arrive through SIGCHLD, whose handler does not keep Node's loop alive.
  const keepAlive = setInterval(() => undefined, 60_000);
  try {
    const runs = toRun.map(([name, file]) => {
      const started = process.hrtime.bigint();
      const elapsed = (): number => Number((process.hrtime.bigint() - started) / 1_000_000n);
      let pid: number;
      try {
        pid = native.spawn({
          path: file,
          argv: [file, ...outDirs],
          env,
          cwd: '/',
          stdin: { kind: 'null' },
          stdout: { kind: 'null' },
          stderr: { kind: 'inherit' },
        }).pid;
      } catch (err) {
        const result: GeneratorResult = { name, path: file, outcome: 'spawn-failed', status: -1, message: (err as Error).message, milliseconds: elapsed() };
        return Promise.resolve(result);
      }
      return new Promise<GeneratorResult>((resolve) => {
        let timedOut = false;
        const timer = setTimeout(() => {
          timedOut = true;
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // already gone; its exit is on the way
          }
        }, timeoutMs);
        waiting.set(pid, (exit) => {
          clearTimeout(timer);
          resolve({ name, path: file, outcome: timedOut ? 'timeout' : exit.code, status: exit.status, milliseconds: elapsed() });
        });
      });
    });
    return { results: await Promise.all(runs), skipped, builtin };
  } finally {
    clearInterval(keepAlive);
    unsubscribe();
  }
}

/** One line per generator that did not succeed, in systemd's wording where it has one. */
export function describeFailures(report: GeneratorReport): string[] {
  const builtin = report.builtin.flatMap((b) => b.messages);
  return builtin.concat(report.results
    .filter((r) => !(r.outcome === 'exited' && r.status === 0))
    .map((r) => {
      switch (r.outcome) {
        case 'timeout':
          return `${r.path} timed out after ${r.milliseconds} ms, killed.`;
        case 'spawn-failed':
          return `${r.path} failed to start: ${r.message ?? 'unknown error'}`;
        case 'exited':
          return `${r.path} failed with exit status ${r.status}.`;
        default:
          return `${r.path} terminated by signal ${r.status}.`;
      }
    }));
}

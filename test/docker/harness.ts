// Real-container test harness: engine, images, containers.
//
// Every container runs with `--network none` and a unique name, carries the
// label org.unitd.test.owner=<pid of this test process>, and is removed by the
// test's teardown, or at process exit if the teardown never ran (a test that
// timed out). Images are built with the legacy builder (Debian's dockerd 20.10
// has no buildx) and `--network host`, so apt and npm reach their registries.
import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const dockerDir = path.join(repoRoot, 'docker');

const DOCKER = process.env.UNITD_DOCKER_CLI || 'docker';
const OWNER_LABEL = 'org.unitd.test.owner';
const HASH_LABEL = 'org.unitd.test.hash';

/** What a test needs of tap's `t`: a place to hang cleanup. */
export interface Teardown {
  teardown(fn: () => unknown): void;
}

export interface CommandResult {
  command: string;
  stdout: string;
  stderr: string;
  /** Exit code, or null when killed by a signal (including our timeout). */
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  seconds: number;
}

export interface RunCommandOptions {
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  input?: string;
}

/** Runs a command to completion; never rejects for a non-zero exit. */
export function runCommand(
  file: string,
  args: readonly string[],
  { timeoutMs = 60_000, env, input }: RunCommandOptions = {},
): Promise<CommandResult> {
  const command = [file, ...args].join(' ');
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(file, args, {
      env: env ?? process.env,
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
    if (input !== undefined) child.stdin?.end(input);
    const finish = (code: number | null, signal: NodeJS.Signals | null, extra = ''): void => {
      clearTimeout(timer);
      resolve({
        command,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString() + extra,
        code,
        signal,
        timedOut,
        seconds: (performance.now() - started) / 1000,
      });
    };
    child.on('error', (e) => finish(null, null, `\n${file}: ${e.message}`));
    child.on('close', (code, signal) => finish(code, signal));
  });
}

/** The docker client with these arguments (UNITD_DOCKER_CLI overrides which client). */
export function docker(args: readonly string[], opts: RunCommandOptions = {}): Promise<CommandResult> {
  return runCommand(DOCKER, args, opts);
}

function tail(text: string, lines = 20): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Throws an error that tells the whole story of a failed command. */
function failed(what: string, r: CommandResult): Error {
  const how = r.timedOut ? 'timed out' : r.code === null ? `killed by ${r.signal}` : `exited ${r.code}`;
  // docker build reports a failed step's output on stdout, the verdict on stderr.
  const output = [tail(r.stdout, 30), tail(r.stderr, 10)].filter(Boolean).join('\n');
  return new Error(`${what}: \`${r.command}\` ${how}\n${output}`);
}

// ---------------------------------------------------------------- engine

export type EngineStatus = { ok: true; message: string } | { ok: false; skip: string };

let engine: Promise<EngineStatus> | undefined;

/**
 * Makes sure a Docker engine answers (docker/engine.sh ensure; may install
 * docker.io and start dockerd). `skip` carries engine.sh's one-line reason.
 */
export function ensureEngine(): Promise<EngineStatus> {
  engine ??= (async (): Promise<EngineStatus> => {
    const r = await runCommand('bash', [path.join(dockerDir, 'engine.sh'), 'ensure'], {
      timeoutMs: 15 * 60_000,
    });
    if (r.code !== 0) {
      const reason = r.timedOut ? 'engine.sh: timed out' : tail(r.stderr || r.stdout, 1);
      return { ok: false, skip: reason || `engine.sh exited ${r.code}` };
    }
    await removeOrphanedContainers();
    return { ok: true, message: r.stdout.trim() };
  })();
  return engine;
}

export type BaseImageStatus = { ok: true; message: string } | { ok: false; reason: string };

let baseImage: Promise<BaseImageStatus> | undefined;

/** Builds or reuses unitd-base:bookworm (docker/base-image.sh). */
export function ensureBaseImage(): Promise<BaseImageStatus> {
  baseImage ??= (async (): Promise<BaseImageStatus> => {
    const r = await runCommand('bash', [path.join(dockerDir, 'base-image.sh')], {
      timeoutMs: 20 * 60_000,
    });
    if (r.code !== 0) return { ok: false, reason: tail(r.stderr || r.stdout, 12) };
    return { ok: true, message: r.stdout.trim() };
  })();
  return baseImage;
}

export const BASE_IMAGE = 'unitd-base:bookworm';

/** Containers of test processes that died before their teardown ran. */
async function removeOrphanedContainers(): Promise<void> {
  const r = await docker(['ps', '-a', '--filter', `label=${OWNER_LABEL}`, '--format', `{{.ID}} {{.Label "${OWNER_LABEL}"}}`]);
  if (r.code !== 0) return;
  const orphans = r.stdout
    .split('\n')
    .map((line) => line.trim().split(' '))
    .filter(([id, pid]) => id && pid && !processAlive(Number(pid)))
    .map(([id]) => id as string);
  if (orphans.length > 0) await docker(['rm', '-f', '-v', ...orphans]);
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return true; // not ours to judge
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// ---------------------------------------------------------------- images

export interface BuildOptions {
  /** --build-arg NAME=VALUE */
  buildArgs?: Record<string, string>;
  /** Dockerfile path, relative to the context; default "Dockerfile". */
  dockerfile?: string;
  timeoutMs?: number;
}

export interface BuildResult {
  image: string;
  /** True when an image with the same content hash was already there. */
  cached: boolean;
  seconds: number;
  hash: string;
}

/**
 * Builds `name` from `contextDir`, or reuses it when its content hash label
 * matches. The hash covers the Dockerfile, the build args, the files the
 * Dockerfile COPYs or ADDs (minus .dockerignore), and the IDs of the images
 * it starts FROM, so a rebuilt parent rebuilds its children.
 */
export async function buildImage(
  name: string,
  contextDir: string,
  { buildArgs = {}, dockerfile = 'Dockerfile', timeoutMs = 30 * 60_000 }: BuildOptions = {},
): Promise<BuildResult> {
  const started = performance.now();
  const dockerfilePath = path.resolve(contextDir, dockerfile);
  const hash = await contextHash(contextDir, dockerfilePath, buildArgs);
  const seconds = (): number => (performance.now() - started) / 1000;

  const upToDate = async (): Promise<boolean> => {
    const existing = await docker(['image', 'inspect', '--format', `{{index .Config.Labels "${HASH_LABEL}"}}`, name]);
    return existing.code === 0 && existing.stdout.trim() === hash;
  };
  if (await upToDate()) return { image: name, cached: true, seconds: seconds(), hash };
  // Test files run in parallel and share images: one builds, the others wait and reuse.
  const release = await buildLock(name, timeoutMs);
  try {
    if (await upToDate()) return { image: name, cached: true, seconds: seconds(), hash };
    return await buildLocked(name, contextDir, dockerfilePath, hash, buildArgs, timeoutMs, started);
  } finally {
    release();
  }
}

async function buildLocked(
  name: string,
  contextDir: string,
  dockerfilePath: string,
  hash: string,
  buildArgs: Record<string, string>,
  timeoutMs: number,
  started: number,
): Promise<BuildResult> {
  const seconds = (): number => (performance.now() - started) / 1000;

  const args = ['build', '--network', 'host', '--force-rm', '-t', name, '-f', dockerfilePath, '--label', `${HASH_LABEL}=${hash}`];
  for (const [key, value] of Object.entries(buildArgs)) args.push('--build-arg', `${key}=${value}`);
  args.push(contextDir);
  const r = await docker(args, { timeoutMs, env: { ...process.env, DOCKER_BUILDKIT: '0' } });
  if (r.code !== 0) throw failed(`building ${name} from ${path.relative(repoRoot, dockerfilePath)}`, r);
  // Earlier versions of our test images, now untagged.
  await docker(['image', 'prune', '-f', '--filter', `label=${HASH_LABEL}`]);
  return { image: name, cached: false, seconds: seconds(), hash };
}

/**
 * A lock directory per image name under /run/lock, holding the
 * owner's pid; a lock whose owner died is taken over.
 */
async function buildLock(name: string, timeoutMs: number): Promise<() => void> {
  // Not under $TMPDIR: tap may give each test process its own.
  const base = existsSync('/run/lock') ? '/run/lock' : tmpdir();
  const dir = path.join(base, `unitd-build-${name.replace(/[^a-zA-Z0-9_.-]/g, '_')}.lock`);
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(dir);
      writeFileSync(path.join(dir, 'pid'), String(process.pid));
      return () => rmSync(dir, { recursive: true, force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let owner = NaN;
    try {
      owner = Number(readFileSync(path.join(dir, 'pid'), 'utf8'));
    } catch {
      // being created or removed right now
    }
    if (Number.isInteger(owner) && owner > 0 && !processAlive(owner)) rmSync(dir, { recursive: true, force: true });
    if (performance.now() > deadline) throw new Error(`waited too long for another build of ${name} (${dir})`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

async function contextHash(contextDir: string, dockerfilePath: string, buildArgs: Record<string, string>): Promise<string> {
  const h = createHash('sha256');
  const text = readFileSync(dockerfilePath, 'utf8');
  h.update(`dockerfile\0${text}\0`);
  for (const key of Object.keys(buildArgs).sort()) h.update(`arg\0${key}=${buildArgs[key]}\0`);

  const { sources, parents } = parseDockerfile(text, buildArgs);
  for (const parent of parents) {
    const r = await docker(['image', 'inspect', '--format', '{{.Id}}', parent]);
    h.update(`from\0${parent}\0${r.code === 0 ? r.stdout.trim() : 'absent'}\0`);
  }
  const ignored = dockerignore(contextDir);
  const files = new Set<string>();
  for (const source of sources) {
    for (const file of expandSource(contextDir, source)) if (!ignored(file)) files.add(file);
  }
  for (const file of [...files].sort()) {
    const full = path.join(contextDir, file);
    const st = statSync(full);
    h.update(`file\0${file}\0${st.mode}\0`);
    h.update(readFileSync(full));
  }
  return h.digest('hex').slice(0, 32);
}

interface ParsedDockerfile {
  /** COPY/ADD sources taken from the build context. */
  sources: string[];
  /** Images named in FROM lines (not earlier stages, not scratch). */
  parents: string[];
}

/** Enough of the Dockerfile grammar for hashing: ARG, FROM, COPY, ADD. */
export function parseDockerfile(text: string, buildArgs: Record<string, string>): ParsedDockerfile {
  const instructions = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const args: Record<string, string> = {};
  const stages = new Set<string>();
  const parents: string[] = [];
  const sources: string[] = [];
  const expand = (s: string): string =>
    s.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string | undefined, b: string | undefined) => {
      const key = (a ?? b) as string;
      return buildArgs[key] ?? args[key] ?? '';
    });
  let seenFrom = false;
  for (const line of instructions) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const op = keyword.toUpperCase();
    if (op === 'ARG' && !seenFrom) {
      const [key = '', value = ''] = (rest[0] ?? '').split('=');
      args[key] = value;
    } else if (op === 'FROM') {
      seenFrom = true;
      const words = rest.filter((w) => !w.startsWith('--'));
      const image = expand(words[0] ?? '');
      if (words[1]?.toUpperCase() === 'AS' && words[2]) stages.add(words[2]);
      if (image && image !== 'scratch' && !stages.has(image)) parents.push(image);
    } else if (op === 'COPY' || op === 'ADD') {
      if (rest.some((w) => w.startsWith('--from'))) continue;
      const body = rest.filter((w) => !w.startsWith('--')).join(' ');
      const words = body.startsWith('[') ? (JSON.parse(body) as string[]) : body.split(/\s+/);
      sources.push(...words.slice(0, -1).map(expand));
    }
  }
  return { sources, parents };
}

/** Context-relative files a COPY source names: a file, a folder, or a glob in one folder. */
function expandSource(contextDir: string, source: string): string[] {
  const clean = path.posix.normalize(source.replace(/^\.?\/+/, '')).replace(/\/$/, '');
  if (/[*?[]/.test(clean)) {
    const dir = path.posix.dirname(clean);
    const re = globToRegExp(path.posix.basename(clean));
    const abs = path.join(contextDir, dir);
    if (!existsSync(abs)) return [];
    return readdirSync(abs)
      .filter((entry) => re.test(entry))
      .flatMap((entry) => walk(contextDir, path.posix.join(dir, entry)));
  }
  return walk(contextDir, clean === '.' ? '' : clean);
}

function walk(contextDir: string, rel: string): string[] {
  const abs = path.join(contextDir, rel);
  if (!existsSync(abs)) return [];
  const st = statSync(abs);
  if (!st.isDirectory()) return [rel];
  return readdirSync(abs)
    .sort()
    .flatMap((entry) => walk(contextDir, rel ? path.posix.join(rel, entry) : entry));
}

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/**
 * The common subset of .dockerignore: patterns anchored at the context root,
 * with * and ** globs; "!" exceptions are not supported.
 */
function dockerignore(contextDir: string): (file: string) => boolean {
  const file = path.join(contextDir, '.dockerignore');
  if (!existsSync(file)) return () => false;
  const patterns = readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.trim().replace(/^\/+|\/+$/g, ''))
    .filter((line) => line && !line.startsWith('#') && !line.startsWith('!'))
    .map(globToRegExp);
  // A pattern matches a path or any folder above it.
  return (rel) => {
    const parts = rel.split('/');
    for (let i = 1; i <= parts.length; i++) {
      const prefix = parts.slice(0, i).join('/');
      if (patterns.some((re) => re.test(prefix))) return true;
    }
    return false;
  };
}

// ---------------------------------------------------------------- containers

export interface Container {
  id: string;
  name: string;
  image: string;
}

export interface RunOptions {
  /** Command (and arguments) after the image name. */
  command?: string[];
  /** Name prefix; a unique suffix is always added. */
  name?: string;
  env?: Record<string, string>;
  entrypoint?: string;
  /** docker run --stop-timeout */
  stopTimeoutSec?: number;
  /** Mount points for --tmpfs, e.g. "/run". */
  tmpfs?: string[];
  /** More `docker run` flags; network flags are refused. */
  extraArgs?: string[];
  timeoutMs?: number;
}

const live = new Set<string>();
let exitHookInstalled = false;

/** Last-resort cleanup when the test process ends before its teardowns ran. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    if (live.size === 0) return;
    try {
      execFileSync(DOCKER, ['rm', '-f', '-v', ...live], { stdio: 'ignore', timeout: 30_000 });
    } catch {
      // Nothing more to do at exit; removeOrphanedContainers catches the rest.
    }
  });
}

/**
 * `docker run -d --network none` with a unique name; the container is removed
 * in t.teardown whatever the test's outcome.
 */
export async function runContainer(t: Teardown, image: string, opts: RunOptions = {}): Promise<Container> {
  const extra = opts.extraArgs ?? [];
  if (extra.some((a) => /^--(net|network)(=|$)/.test(a))) {
    throw new Error('runContainer: containers always run with --network none; do not pass a network');
  }
  const prefix = (opts.name ?? 'unitd-test').replace(/[^a-zA-Z0-9_.-]/g, '-');
  const name = `${prefix}-${process.pid}-${randomBytes(4).toString('hex')}`;
  const args = ['run', '-d', '--network', 'none', '--name', name, '--label', `${OWNER_LABEL}=${process.pid}`];
  for (const [key, value] of Object.entries(opts.env ?? {})) args.push('--env', `${key}=${value}`);
  if (opts.entrypoint !== undefined) args.push('--entrypoint', opts.entrypoint);
  if (opts.stopTimeoutSec !== undefined) args.push('--stop-timeout', String(opts.stopTimeoutSec));
  for (const mount of opts.tmpfs ?? []) args.push('--tmpfs', mount);
  args.push(...extra, image, ...(opts.command ?? []));

  installExitHook();
  live.add(name);
  const container: Container = { id: name, name, image };
  t.teardown(() => remove(container));
  const r = await docker(args, { timeoutMs: opts.timeoutMs ?? 60_000 });
  if (r.code !== 0) throw failed(`starting a container from ${image}`, r);
  container.id = r.stdout.trim();
  return container;
}

/**
 * `docker run --rm --network none IMAGE COMMAND` in the foreground: for a
 * command whose output is the point. On timeout the container is removed.
 */
export async function runOnce(
  t: Teardown,
  image: string,
  command: readonly string[],
  { timeoutMs = 60_000, entrypoint }: { timeoutMs?: number; entrypoint?: string } = {},
): Promise<CommandResult> {
  const name = `unitd-once-${process.pid}-${randomBytes(4).toString('hex')}`;
  const container: Container = { id: name, name, image };
  installExitHook();
  live.add(name);
  t.teardown(() => remove(container));
  const args = ['run', '--rm', '--network', 'none', '--name', name, '--label', `${OWNER_LABEL}=${process.pid}`];
  if (entrypoint !== undefined) args.push('--entrypoint', entrypoint);
  const r = await docker([...args, image, ...command], { timeoutMs });
  if (r.timedOut) await remove(container);
  else live.delete(name);
  return r;
}

export interface ExecOptions {
  timeoutMs?: number;
  user?: string;
  env?: Record<string, string>;
  input?: string;
}

/**
 * `docker exec` of argv; the timeout stops the client (and so the test's
 * wait), not necessarily the process inside the container.
 */
export function exec(container: Container, argv: readonly string[], opts: ExecOptions = {}): Promise<CommandResult> {
  const args = ['exec'];
  if (opts.input !== undefined) args.push('-i');
  if (opts.user !== undefined) args.push('--user', opts.user);
  for (const [key, value] of Object.entries(opts.env ?? {})) args.push('--env', `${key}=${value}`);
  args.push(container.id, ...argv);
  const runOpts: RunCommandOptions = { timeoutMs: opts.timeoutMs ?? 30_000 };
  if (opts.input !== undefined) runOpts.input = opts.input;
  return docker(args, runOpts);
}

/** What the container wrote so far (its PID 1's stdout and stderr). */
export async function logs(container: Container): Promise<{ stdout: string; stderr: string }> {
  const r = await docker(['logs', container.id], { timeoutMs: 30_000 });
  if (r.code !== 0) throw failed(`reading logs of ${container.name}`, r);
  return { stdout: r.stdout, stderr: r.stderr };
}

export interface ContainerState {
  status: string;
  running: boolean;
  exitCode: number;
  /** Health status when the image has a HEALTHCHECK, else undefined. */
  health: string | undefined;
}

export async function state(container: Container): Promise<ContainerState> {
  const r = await docker(['inspect', '--format', '{{json .State}}', container.id], { timeoutMs: 30_000 });
  if (r.code !== 0) throw failed(`inspecting ${container.name}`, r);
  const s = JSON.parse(r.stdout) as { Status: string; Running: boolean; ExitCode: number; Health?: { Status: string } };
  return { status: s.Status, running: s.Running, exitCode: s.ExitCode, health: s.Health?.Status };
}

export interface StopResult {
  /** Wall time of `docker stop`, from the stop signal to the container's exit. */
  seconds: number;
  exitCode: number;
}

/** `docker stop -t graceSec`: STOPSIGNAL, then SIGKILL after the grace period. */
export async function stop(container: Container, graceSec: number): Promise<StopResult> {
  const r = await docker(['stop', '-t', String(graceSec), container.id], { timeoutMs: (graceSec + 60) * 1000 });
  if (r.code !== 0) throw failed(`stopping ${container.name}`, r);
  const { exitCode } = await state(container);
  return { seconds: r.seconds, exitCode };
}

/** `docker rm -f -v`; a container that is already gone is fine. */
export async function remove(container: Container): Promise<void> {
  const r = await docker(['rm', '-f', '-v', container.id], { timeoutMs: 60_000 });
  if (r.code !== 0 && !/no such container/i.test(r.stderr)) throw failed(`removing ${container.name}`, r);
  live.delete(container.name);
}

/** Is there a container with this id or name (running or not)? */
export async function exists(idOrName: string): Promise<boolean> {
  const r = await docker(['container', 'inspect', '--format', '{{.Id}}', idOrName], { timeoutMs: 30_000 });
  return r.code === 0;
}

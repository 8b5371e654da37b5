// Where unit files live (systemd.unit(5) "Unit File Load Path"), all under an
// optional root directory for `systemctl --root=DIR`. Every path handed out
// here is a real filesystem path (root prefix included); `skipRoot` turns one
// back into the path as seen inside the root, which is what symlinks contain
// and what messages show as link targets.

import * as fs from 'node:fs';
import * as path from 'node:path';

/** System search path in systemd's priority order (`systemd-analyze unit-paths` on Debian 12). */
export const SYSTEM_UNIT_PATH = [
  '/etc/systemd/system.control',
  '/run/systemd/system.control',
  '/run/systemd/transient',
  '/run/systemd/generator.early',
  '/etc/systemd/system',
  '/etc/systemd/system.attached',
  '/run/systemd/system',
  '/run/systemd/system.attached',
  '/run/systemd/generator',
  '/usr/local/lib/systemd/system',
  '/lib/systemd/system',
  '/usr/lib/systemd/system',
  '/run/systemd/generator.late',
] as const;

export const SYSTEM_PRESET_PATH = [
  '/etc/systemd/system-preset',
  '/run/systemd/system-preset',
  '/usr/local/lib/systemd/system-preset',
  '/lib/systemd/system-preset',
  '/usr/lib/systemd/system-preset',
] as const;

export interface LookupPaths {
  /** Root prefix without trailing slash; '' for the real root. */
  root: string;
  /** Directories searched for unit files, highest priority first, root included. */
  searchPath: string[];
  persistentConfig: string;
  runtimeConfig: string;
  persistentControl: string;
  runtimeControl: string;
  transient: string;
  generator: string;
  generatorEarly: string;
  generatorLate: string;
  presetPath: string[];
}

function normaliseRoot(root: string | undefined): string {
  if (root === undefined || root === '') return '';
  const r = path.resolve(root);
  return r === '/' ? '' : r;
}

/** Prefix a path as seen inside the root with the root. */
export function withRoot(root: string, p: string): string {
  return root === '' ? p : path.join(root, p);
}

/** The path as seen inside the root, or undefined when it lies outside it. */
export function skipRoot(root: string, p: string): string | undefined {
  if (root === '') return p;
  if (p === root) return '/';
  if (p.startsWith(root + '/')) return p.slice(root.length);
  return undefined;
}

/**
 * `$SYSTEMD_UNIT_PATH` replaces the search path; a trailing `:` (an empty last
 * element) means "followed by the defaults".
 */
export function unitSearchPath(env: string | undefined): string[] {
  if (env === undefined || env === '') return [...SYSTEM_UNIT_PATH];
  const parts = env.split(':');
  const appendDefaults = parts[parts.length - 1] === '';
  const own = parts.filter((p) => p !== '');
  const all = appendDefaults ? [...own, ...SYSTEM_UNIT_PATH] : own;
  return [...new Set(all.map((p) => path.normalize(p)))];
}

export interface LookupOptions {
  root?: string;
  /** Defaults to process.env.SYSTEMD_UNIT_PATH. */
  unitPathEnv?: string;
}

export function lookupPaths(opts: LookupOptions = {}): LookupPaths {
  const root = normaliseRoot(opts.root);
  const env = 'unitPathEnv' in opts ? opts.unitPathEnv : process.env.SYSTEMD_UNIT_PATH;
  const r = (p: string): string => withRoot(root, p);
  return {
    root,
    searchPath: unitSearchPath(env).map(r),
    persistentConfig: r('/etc/systemd/system'),
    runtimeConfig: r('/run/systemd/system'),
    persistentControl: r('/etc/systemd/system.control'),
    runtimeControl: r('/run/systemd/system.control'),
    transient: r('/run/systemd/transient'),
    generator: r('/run/systemd/generator'),
    generatorEarly: r('/run/systemd/generator.early'),
    generatorLate: r('/run/systemd/generator.late'),
    presetPath: SYSTEM_PRESET_PATH.map(r),
  };
}

/** True when `p` is below one of the directories (or is one of them). */
export function pathStartsWithAny(p: string, dirs: readonly string[]): string | undefined {
  for (const d of dirs) if (p === d || p.startsWith(d + '/')) return d;
  return undefined;
}

/** True when the file's directory is itself on the search path (not merely below it). */
export function inSearchPath(lp: LookupPaths, file: string): boolean {
  return lp.searchPath.includes(path.dirname(file));
}

export function isRuntimePath(lp: LookupPaths, p: string): boolean {
  const dir = [lp.runtimeConfig, lp.runtimeControl, lp.transient, lp.generator, lp.generatorEarly, lp.generatorLate];
  return pathStartsWithAny(p, dir) !== undefined || p.startsWith(withRoot(lp.root, '/run/'));
}

export function isGeneratorPath(lp: LookupPaths, p: string): boolean {
  return pathStartsWithAny(p, [lp.generator, lp.generatorEarly, lp.generatorLate]) !== undefined;
}

export function isTransientPath(lp: LookupPaths, p: string): boolean {
  return pathStartsWithAny(p, [lp.transient]) !== undefined;
}

export function isConfigPath(lp: LookupPaths, p: string): boolean {
  const dir = [lp.persistentConfig, lp.runtimeConfig, lp.persistentControl, lp.runtimeControl];
  return pathStartsWithAny(path.dirname(p), dir) !== undefined;
}

/** The maximum number of symlinks followed before giving up (systemd's CHASE_SYMLINKS_MAX). */
export const SYMLINK_MAX = 32;

export class SymlinkLoopError extends Error {
  readonly code = 'ELOOP';
  constructor(readonly file: string) {
    super(`Too many levels of symbolic links: ${file}`);
  }
}

export interface ChaseOptions {
  /** Accept a path whose last components do not exist (returns the would-be path). */
  nonexistent?: boolean;
  /** Do not follow a symlink in the last component. */
  noFollowLast?: boolean;
}

/**
 * Resolve `p` (a full path below `root`) following symlinks the way
 * chase_symlinks() does with a root: absolute link targets are taken relative
 * to the root and `..` never climbs above it. Returns the full path, or
 * undefined when a component is missing and `nonexistent` is not set.
 * Throws SymlinkLoopError after too many links.
 */
export function chaseInRoot(root: string, p: string, opts: ChaseOptions = {}): string | undefined {
  const inside = skipRoot(root, path.resolve(p)) ?? path.resolve(p);
  let todo = inside.split('/').filter((x) => x !== '');
  const done: string[] = [];
  let links = 0;
  while (todo.length > 0) {
    const part = todo.shift() as string;
    if (part === '.') continue;
    if (part === '..') {
      done.pop();
      continue;
    }
    const candidate = withRoot(root, '/' + [...done, part].join('/'));
    let st: fs.Stats;
    try {
      st = fs.lstatSync(candidate);
    } catch {
      if (!opts.nonexistent) return undefined;
      done.push(part, ...todo.filter((x) => x !== '.'));
      todo = [];
      break;
    }
    if (st.isSymbolicLink() && !(opts.noFollowLast && todo.length === 0)) {
      if (++links > SYMLINK_MAX) throw new SymlinkLoopError(p);
      const target = fs.readlinkSync(candidate);
      const parts = target.split('/').filter((x) => x !== '');
      if (target.startsWith('/')) done.length = 0;
      todo = [...parts, ...todo];
      continue;
    }
    done.push(part);
  }
  return withRoot(root, '/' + done.join('/'));
}

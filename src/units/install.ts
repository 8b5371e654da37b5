// The unit-file operations of systemctl that work without a daemon (systemd.unit(5)
// "[Install] Section Options", systemctl(1)): enable, disable, reenable, link,
// mask, unmask, add-wants/add-requires, set-default/get-default and revert.
// They follow systemd 252's install.c closely because scripts compare their
// output and the symlinks they leave behind.

import { builtinUnitText } from '../manager/builtin-units.js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ChangeList } from './install-changes.js';
import {
  InstallContext,
  InstallError,
  InstallErrno,
  InstallInfo,
  SEARCH_FOLLOW_CONFIG_SYMLINKS,
  SEARCH_LOAD,
  errnoOf,
  installPrintf,
  isNullOrEmpty,
  searchUnitFile,
  traverse,
} from './install-info.js';
import { LookupPaths, chaseInRoot, inSearchPath, isGeneratorPath, isTransientPath, pathStartsWithAny, skipRoot, withRoot } from './paths.js';
import { isValidUnitName, parseUnitName, templateOf, unitTypeOf, withInstance } from './unit-name.js';

export interface InstallFlags {
  runtime?: boolean;
  force?: boolean;
  /** Presets: do not report destination template mismatches (UNIT_FILE_IGNORE_AUXILIARY_FAILURE). */
  ignoreAuxiliaryFailure?: boolean;
}

/** An operation's outcome: how many links it meant to create, or the errno it stopped with. */
export interface InstallResult {
  count: number;
  error?: InstallErrno;
}

export function configPathFor(lp: LookupPaths, flags: InstallFlags): string {
  return flags.runtime ? lp.runtimeConfig : lp.persistentConfig;
}

/** install_info_discover(): queue the name and follow it to its file; errors are recorded as changes. */
export function discover(ctx: InstallContext, lp: LookupPaths, nameOrPath: string, flags: number, changes?: ChangeList): InstallInfo {
  try {
    const info = ctx.add(nameOrPath, false, lp.root);
    return traverse(ctx, lp, info, flags);
  } catch (e) {
    const errno = errnoOf(e);
    changes?.error(errno, nameOrPath);
    throw new InstallError(errno);
  }
}

/** install_info_may_process(): masked, generated and transient units are not ours to change. */
export function mayProcess(lp: LookupPaths, info: InstallInfo, changes?: ChangeList): void {
  if (info.mode === 'masked') {
    changes?.error('ERFKILL', info.path ?? info.name);
    throw new InstallError('ERFKILL');
  }
  if (info.path !== undefined && (isGeneratorPath(lp, info.path) || isTransientPath(lp, info.path))) {
    changes?.error('EADDRNOTAVAIL', info.path);
    throw new InstallError('EADDRNOTAVAIL');
  }
}

export function discoverAndCheck(ctx: InstallContext, lp: LookupPaths, name: string, flags: number, changes?: ChangeList): InstallInfo {
  const info = discover(ctx, lp, name, flags, changes);
  mayProcess(lp, info, changes);
  return info;
}

/** Whether a unit name resolves to a file on the search path (unit_file_exists). */
export function unitFileExists(lp: LookupPaths, name: string): boolean {
  const ctx = new InstallContext();
  try {
    const info = ctx.add(name);
    searchUnitFile(undefined, lp, info, 0);
    return true;
  } catch {
    return false;
  }
}

/** chroot_unit_symlinks_equivalent(): do two link targets name the same unit file? */
function symlinksEquivalent(lp: LookupPaths, linkPath: string, a: string, b: string): boolean {
  const root = lp.root === '' ? '/' : lp.root;
  const fa = a.startsWith('/') ? path.join(root, a) : path.join(path.dirname(linkPath), a);
  const fb = b.startsWith('/') ? path.join(root, b) : path.join(path.dirname(linkPath), b);
  if (path.normalize(fa) === path.normalize(fb)) return true;
  try {
    const sa = fs.statSync(fa);
    const sb = fs.statSync(fb);
    if (sa.dev === sb.dev && sa.ino === sb.ino) return true;
  } catch {
    // fall through to the name comparison
  }
  return (
    path.basename(fa) === path.basename(fb) &&
    pathStartsWithAny(fa, lp.searchPath) !== undefined &&
    pathStartsWithAny(fb, lp.searchPath) !== undefined
  );
}

function mkdirParents(file: string): void {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
  } catch {
    // symlink() below reports the real problem
  }
}

/** create_symlink(): link `newPath` → `oldPath` (as seen inside the root), idempotently. */
export function createSymlink(lp: LookupPaths, oldPath: string, newPath: string, force: boolean, changes: ChangeList): InstallErrno | undefined {
  const target = skipRoot(lp.root, oldPath) ?? oldPath;
  mkdirParents(newPath);
  try {
    fs.symlinkSync(target, newPath);
    changes.add('symlink', newPath, target);
    return undefined;
  } catch (e) {
    if (errnoOf(e) !== 'EEXIST') {
      changes.error(errnoOf(e), newPath);
      return errnoOf(e);
    }
  }
  let dest: string;
  try {
    dest = fs.readlinkSync(newPath);
  } catch (e) {
    const errno = (e as NodeJS.ErrnoException).code === 'EINVAL' ? 'EEXIST' : errnoOf(e);
    changes.error(errno, newPath);
    return errno;
  }
  if (symlinksEquivalent(lp, newPath, dest, target)) return undefined;
  if (!force) {
    changes.error('EEXIST', newPath, dest);
    return 'EEXIST';
  }
  const tmp = `${newPath}.unitd-tmp-${process.pid}`;
  try {
    fs.symlinkSync(target, tmp);
    fs.renameSync(tmp, newPath);
  } catch (e) {
    changes.error(errnoOf(e), newPath);
    return errnoOf(e);
  }
  changes.add('unlink', newPath);
  changes.add('symlink', newPath, target);
  return undefined;
}

/** unit_file_verify_alias(): Alias= must keep the type, and template-ness must fit. */
function verifyAlias(info: InstallInfo, dst: string, changes: ChangeList): string | InstallErrno {
  const src = parseUnitName(info.name);
  const d = parseUnitName(dst);
  if (!d || !src) {
    changes.error('EUCLEAN', dst);
    return 'EUCLEAN';
  }
  if (d.type !== src.type) {
    changes.error('EXDEV', dst, info.name);
    return 'EXDEV';
  }
  if (d.isTemplate && src.instance !== undefined && !src.isTemplate) {
    // An instance aliased by a template name gets its own instance filled in.
    return withInstance(dst, src.instance);
  }
  if (src.isTemplate && d.instance !== undefined && !d.isTemplate) {
    if (info.defaultInstance === undefined || d.instance !== info.defaultInstance) {
      changes.error('EXDEV', dst, info.name);
      return 'EXDEV';
    }
    return dst;
  }
  if ((src.instance === undefined) !== (d.instance === undefined)) {
    changes.error('EXDEV', dst, info.name);
    return 'EXDEV';
  }
  return dst;
}

function symlinkAliases(lp: LookupPaths, info: InstallInfo, configPath: string, force: boolean, changes: ChangeList): InstallResult {
  const res: InstallResult = { count: 0 };
  for (const alias of info.aliases) {
    let dst: string;
    try {
      dst = installPrintf(info, alias);
    } catch (e) {
      changes.error(errnoOf(e), alias);
      res.error ??= errnoOf(e);
      continue;
    }
    const verified = verifyAlias(info, dst, changes);
    if (!isValidUnitName(verified)) {
      res.error ??= verified as InstallErrno;
      continue;
    }
    if (info.path === undefined) continue;
    const err = createSymlink(lp, info.path, path.join(configPath, verified), force, changes);
    if (err) res.error ??= err;
  }
  return res;
}

function symlinkWants(
  lp: LookupPaths,
  flags: InstallFlags,
  info: InstallInfo,
  configPath: string,
  list: string[],
  suffix: '.wants/' | '.requires/',
  changes: ChangeList,
): InstallResult {
  const res: InstallResult = { count: 0 };
  if (list.length === 0 || info.path === undefined) return res;
  const parsed = parseUnitName(info.name);
  let n = info.name;
  let templatesOnly = false;
  if (parsed?.isTemplate) {
    if (info.defaultInstance !== undefined) {
      n = withInstance(info.name, info.defaultInstance);
      const inst = new InstallContext().add(n);
      searchUnitFile(undefined, lp, inst, SEARCH_FOLLOW_CONFIG_SYMLINKS);
      if (inst.mode === 'masked') return { count: 0, error: 'ERFKILL' };
    } else {
      templatesOnly = true;
    }
  }
  for (const entry of list) {
    let dst: string;
    try {
      dst = installPrintf(info, entry);
    } catch (e) {
      changes.error(errnoOf(e), entry);
      res.error ??= errnoOf(e);
      continue;
    }
    const d = parseUnitName(dst);
    if (!d || (templatesOnly && !d.isTemplate)) {
      if (flags.ignoreAuxiliaryFailure) continue;
      if (d) changes.error('EIDRM', dst, n);
      else changes.error('EUCLEAN', dst);
      res.error ??= d ? 'EIDRM' : 'EUCLEAN';
      continue;
    }
    const linkPath = `${configPath}/${dst}${suffix}${n}`;
    const err = createSymlink(lp, info.path, linkPath, true, changes);
    if (err) res.error ??= err;
    // On the live system the manager synthesizes the standard targets a container lacks
    // (multi-user.target …): they exist there. Another root gets systemd's notice, as with systemd.
    const synthesized = lp.root === '' && builtinUnitText(dst) !== undefined;
    if (!synthesized && !unitFileExists(lp, dst)) changes.add('destination-not-present', dst, info.path);
  }
  return res;
}

/** A linked unit file (outside the search path) also gets a link under its own name. */
function symlinkLink(lp: LookupPaths, info: InstallInfo, configPath: string, force: boolean, changes: ChangeList): InstallErrno | undefined {
  if (info.path === undefined || inSearchPath(lp, info.path)) return undefined;
  return createSymlink(lp, info.path, path.join(configPath, info.name), force, changes);
}

function applyOne(lp: LookupPaths, flags: InstallFlags, info: InstallInfo, configPath: string, changes: ChangeList): InstallResult {
  const force = flags.force === true;
  // A linked file's own link comes first (observed with systemd 252).
  const linkErr = symlinkLink(lp, info, configPath, force, changes);
  const results = [
    symlinkAliases(lp, info, configPath, force, changes),
    symlinkWants(lp, flags, info, configPath, info.wantedBy, '.wants/', changes),
    symlinkWants(lp, flags, info, configPath, info.requiredBy, '.requires/', changes),
  ];
  const error = results.find((r) => r.error)?.error ?? linkErr;
  const count = info.aliases.length + info.wantedBy.length + info.requiredBy.length;
  return error ? { count, error } : { count };
}

/** install_context_apply(): process every queued unit (Also= units join the queue as they are read). */
export function applyContext(ctx: InstallContext, lp: LookupPaths, flags: InstallFlags, configPath: string, changes: ChangeList): InstallResult {
  let total = 0;
  let error: InstallErrno | undefined;
  for (let info = ctx.next(); info !== undefined; info = ctx.next()) {
    let resolved: InstallInfo;
    try {
      resolved = traverse(ctx, lp, info, SEARCH_LOAD);
    } catch (e) {
      if (info.auxiliary) {
        changes.add('auxiliary-failed', '', info.name);
        continue;
      }
      changes.error(errnoOf(e), info.name);
      return { count: total, error: errnoOf(e) };
    }
    if (resolved.mode === 'masked') {
      changes.add('is-masked', resolved.path ?? resolved.name);
      if (error === undefined) total += 1;
      continue;
    }
    if (resolved.mode !== 'regular') continue;
    const r = applyOne(lp, flags, resolved, configPath, changes);
    if (error === undefined) {
      if (r.error) error = r.error;
      else total += r.count;
    }
  }
  return error ? { count: total, error } : { count: total };
}

function runGuarded(fn: () => InstallResult): InstallResult {
  try {
    return fn();
  } catch (e) {
    return { count: 0, error: errnoOf(e) };
  }
}

export function enableUnits(lp: LookupPaths, names: string[], flags: InstallFlags, changes: ChangeList): InstallResult {
  return runGuarded(() => {
    const ctx = new InstallContext();
    for (const n of names) discoverAndCheck(ctx, lp, n, SEARCH_LOAD | SEARCH_FOLLOW_CONFIG_SYMLINKS, changes);
    return applyContext(ctx, lp, flags, configPathFor(lp, flags), changes);
  });
}

// ---- removal ---------------------------------------------------------------

/** Names and paths whose links disable/unmask removes (systemd's remove_symlinks_to set). */
export type RemovalSet = Set<string>;

/** install_context_mark_for_removal(). */
export function markForRemoval(ctx: InstallContext, lp: LookupPaths, remove: RemovalSet, changes: ChangeList): void {
  for (let info = ctx.next(); info !== undefined; info = ctx.next()) {
    let resolved: InstallInfo | undefined;
    try {
      resolved = traverse(ctx, lp, info, SEARCH_LOAD | SEARCH_FOLLOW_CONFIG_SYMLINKS);
    } catch (e) {
      const errno = errnoOf(e);
      if (errno === 'ENOLINK') changes.add('is-dangling', info.path ?? info.name);
      else if (errno === 'ENOENT') {
        if (!info.auxiliary) changes.error('ENOENT', info.path ?? info.name);
      } else changes.error(errno, info.path ?? info.name);
    }
    if (resolved?.mode === 'masked') {
      changes.add('is-masked', resolved.path ?? resolved.name);
      continue;
    }
    if (resolved !== undefined && resolved.mode !== 'regular') continue;
    remove.add(info.name);
  }
}

/** rmdir_parents(): drop directories left empty, up to (not including) stop. */
function removeEmptyParents(file: string, stop: string): void {
  let dir = path.dirname(file);
  while (dir.startsWith(stop + '/')) {
    try {
      fs.rmdirSync(dir);
    } catch {
      return;
    }
    dir = path.dirname(dir);
  }
}

/** Directory entries in the order the filesystem returns them, as readdir(3) gives systemd. */
export function rawDirEntries(dir: string): fs.Dirent[] {
  let d: fs.Dir;
  try {
    d = fs.opendirSync(dir);
  } catch {
    return [];
  }
  const out: fs.Dirent[] = [];
  try {
    for (let e = d.readSync(); e !== null; e = d.readSync()) out.push(e);
  } finally {
    d.closeSync();
  }
  return out;
}

function removeMarkedIn(lp: LookupPaths, remove: RemovalSet, dir: string, configPath: string, changes: ChangeList): { restart: boolean; error?: InstallErrno } {
  let restart = false;
  let error: InstallErrno | undefined;
  for (const de of rawDirEntries(dir)) {
    const p = path.join(dir, de.name);
    if (de.isDirectory()) {
      const sub = removeMarkedIn(lp, remove, p, configPath, changes);
      restart ||= sub.restart;
      error ??= sub.error;
      continue;
    }
    if (!de.isSymbolicLink() || !isValidUnitName(de.name)) continue;
    let found = remove.has(de.name);
    const tpl = templateOf(de.name);
    if (!found && tpl !== undefined) found = remove.has(tpl);
    if (!found) {
      let dest: string | undefined;
      try {
        dest = chaseInRoot(lp.root, p, { nonexistent: true });
      } catch (e) {
        changes.error(errnoOf(e), p);
        error ??= errnoOf(e);
        continue;
      }
      if (dest === undefined) continue;
      found = remove.has(dest) || remove.has(path.basename(dest));
    }
    if (!found) continue;
    try {
      fs.unlinkSync(p);
    } catch (e) {
      changes.error(errnoOf(e), p);
      error ??= errnoOf(e);
      continue;
    }
    removeEmptyParents(p, configPath);
    changes.add('unlink', p);
    const inside = skipRoot(lp.root, p) ?? p;
    if (!remove.has(inside)) {
      remove.add(inside);
      restart = true;
    }
  }
  return error ? { restart, error } : { restart };
}

/** remove_marked_symlinks(): repeat until no newly removed link is itself linked to. */
export function removeMarkedSymlinks(lp: LookupPaths, remove: RemovalSet, configPath: string, changes: ChangeList): InstallErrno | undefined {
  if (remove.size === 0) return undefined;
  if (!fs.existsSync(configPath)) return undefined;
  let error: InstallErrno | undefined;
  for (;;) {
    const r = removeMarkedIn(lp, remove, configPath, configPath, changes);
    error ??= r.error;
    if (!r.restart) break;
  }
  return error;
}

export function disableUnits(lp: LookupPaths, names: string[], flags: InstallFlags, changes: ChangeList): InstallResult {
  return runGuarded(() => {
    const ctx = new InstallContext();
    for (const n of names) {
      if (!isValidUnitName(n)) return { count: 0, error: 'EINVAL' };
      ctx.add(n);
    }
    const remove: RemovalSet = new Set();
    markForRemoval(ctx, lp, remove, changes);
    const err = removeMarkedSymlinks(lp, remove, configPathFor(lp, flags), changes);
    return err ? { count: 0, error: err } : { count: 0 };
  });
}

export function reenableUnits(lp: LookupPaths, names: string[], flags: InstallFlags, changes: ChangeList): InstallResult {
  const d = disableUnits(lp, names.map((n) => path.basename(n)), flags, changes);
  if (d.error) return d;
  return enableUnits(lp, names, flags, changes);
}

export function maskUnits(lp: LookupPaths, names: string[], flags: InstallFlags, changes: ChangeList): InstallResult {
  const configPath = configPathFor(lp, flags);
  let error: InstallErrno | undefined;
  for (const n of names) {
    if (!isValidUnitName(n)) {
      error ??= 'EINVAL';
      continue;
    }
    const err = createSymlink(lp, '/dev/null', path.join(configPath, n), flags.force === true, changes);
    if (err) error ??= err;
  }
  return error ? { count: 0, error } : { count: 0 };
}

function isMaskedFile(p: string): boolean | undefined {
  try {
    return isNullOrEmpty(fs.statSync(p));
  } catch {
    return undefined;
  }
}

export function unmaskUnits(lp: LookupPaths, names: string[], flags: InstallFlags, changes: ChangeList): InstallResult {
  const configPath = configPathFor(lp, flags);
  const todo: string[] = [];
  for (const n of names) {
    if (!isValidUnitName(n)) return { count: 0, error: 'EINVAL' };
    if (isMaskedFile(path.join(configPath, n)) === true && !todo.includes(n)) todo.push(n);
  }
  const remove: RemovalSet = new Set();
  let error: InstallErrno | undefined;
  for (const n of todo) {
    const p = path.join(configPath, n);
    try {
      fs.unlinkSync(p);
    } catch (e) {
      if (errnoOf(e) !== 'ENOENT') {
        error ??= errnoOf(e);
        changes.error(errnoOf(e), p);
      }
      continue;
    }
    remove.add(p);
    changes.add('unlink', p);
    remove.add(skipRoot(lp.root, p) ?? p);
  }
  const err = removeMarkedSymlinks(lp, remove, configPath, changes);
  error ??= err;
  return error ? { count: 0, error } : { count: 0 };
}

export function linkUnitFiles(lp: LookupPaths, files: string[], flags: InstallFlags, changes: ChangeList): InstallResult {
  const configPath = configPathFor(lp, flags);
  const todo: string[] = [];
  for (const f of files) {
    if (!f.startsWith('/')) return { count: 0, error: 'EINVAL' };
    if (!isValidUnitName(path.basename(f))) return { count: 0, error: 'EINVAL' };
    const full = withRoot(lp.root, f);
    let st: fs.Stats;
    try {
      st = fs.lstatSync(full);
    } catch (e) {
      return { count: 0, error: errnoOf(e) };
    }
    if (st.isDirectory()) return { count: 0, error: 'EISDIR' };
    if (!st.isFile()) return { count: 0, error: 'EINVAL' };
    if (inSearchPath(lp, full)) continue;
    if (!todo.includes(f)) todo.push(f);
  }
  let error: InstallErrno | undefined;
  for (const f of todo) {
    const err = createSymlink(lp, withRoot(lp.root, f), path.join(configPath, path.basename(f)), flags.force === true, changes);
    if (err) error ??= err;
  }
  return error ? { count: 0, error } : { count: 0 };
}

/** add-wants / add-requires: link units into TARGET.wants/ or TARGET.requires/. */
export function addDependency(
  lp: LookupPaths,
  target: string,
  names: string[],
  kind: 'wants' | 'requires',
  flags: InstallFlags,
  changes: ChangeList,
): InstallResult {
  return runGuarded(() => {
    if (!isValidUnitName(target)) return { count: 0, error: 'EINVAL' };
    const configPath = configPathFor(lp, flags);
    const tctx = new InstallContext();
    discoverAndCheck(tctx, lp, target, SEARCH_FOLLOW_CONFIG_SYMLINKS, changes);
    const ctx = new InstallContext();
    let error: InstallErrno | undefined;
    for (const n of names) {
      const info = discoverAndCheck(ctx, lp, n, SEARCH_FOLLOW_CONFIG_SYMLINKS, changes);
      if (info.path === undefined) continue;
      const linkPath = `${configPath}/${target}.${kind}/${info.name}`;
      const err = createSymlink(lp, info.path, linkPath, true, changes);
      if (err) error ??= err;
    }
    return error ? { count: 0, error } : { count: 0 };
  });
}

export const DEFAULT_TARGET = 'default.target';

export function setDefaultTarget(lp: LookupPaths, name: string, changes: ChangeList): InstallResult {
  return runGuarded(() => {
    if (unitTypeOf(name) !== 'target' || name === DEFAULT_TARGET) return { count: 0, error: 'EINVAL' };
    const ctx = new InstallContext();
    const info = discoverAndCheck(ctx, lp, name, 0, changes);
    if (info.path === undefined) return { count: 0, error: 'ENOENT' };
    const err = createSymlink(lp, info.path, path.join(lp.persistentConfig, DEFAULT_TARGET), true, changes);
    return err ? { count: 0, error: err } : { count: 0 };
  });
}

export function getDefaultTarget(lp: LookupPaths): { name?: string; error?: InstallErrno } {
  try {
    const ctx = new InstallContext();
    const info = discover(ctx, lp, DEFAULT_TARGET, SEARCH_FOLLOW_CONFIG_SYMLINKS);
    mayProcess(lp, info);
    return { name: info.name };
  } catch (e) {
    return { error: errnoOf(e) };
  }
}

/**
 * revert: drop local overrides of a unit: its files and drop-ins in the
 * persistent and runtime config directories (when a vendor copy exists), and
 * its masks.
 */
export function revertUnits(lp: LookupPaths, names: string[], changes: ChangeList): InstallResult {
  const configDirs = [lp.persistentConfig, lp.runtimeConfig, lp.persistentControl, lp.runtimeControl];
  const vendorDirs = lp.searchPath.filter((d) => !configDirs.includes(d) && !isGeneratorPath(lp, d) && !isTransientPath(lp, d));
  const remove: RemovalSet = new Set();
  let error: InstallErrno | undefined;
  for (const n of names) {
    if (!isValidUnitName(n)) return { count: 0, error: 'EINVAL' };
    const tpl = templateOf(n);
    const hasVendor = vendorDirs.some((d) => fs.existsSync(path.join(d, n)) || (tpl !== undefined && fs.existsSync(path.join(d, tpl))));
    for (const dir of configDirs) {
      const dropinDir = path.join(dir, n + '.d');
      if (fs.existsSync(dropinDir)) {
        for (const de of rawDirEntries(dropinDir)) {
          if (!de.name.endsWith('.conf')) continue;
          const p = path.join(dropinDir, de.name);
          try {
            fs.unlinkSync(p);
            changes.add('unlink', p);
          } catch (e) {
            changes.error(errnoOf(e), p);
            error ??= errnoOf(e);
          }
        }
        try {
          fs.rmdirSync(dropinDir);
          changes.add('unlink', dropinDir);
        } catch {
          // a directory with other files stays
        }
      }
      const p = path.join(dir, n);
      let st: fs.Stats | undefined;
      try {
        st = fs.lstatSync(p);
      } catch {
        st = undefined;
      }
      if (st === undefined) continue;
      const masked = isMaskedFile(p) === true;
      if (!masked && !(hasVendor && (st.isFile() || st.isSymbolicLink()))) continue;
      try {
        fs.unlinkSync(p);
        changes.add('unlink', p);
        remove.add(skipRoot(lp.root, p) ?? p);
      } catch (e) {
        changes.error(errnoOf(e), p);
        error ??= errnoOf(e);
      }
    }
  }
  for (const dir of [lp.persistentConfig, lp.runtimeConfig]) {
    const err = removeMarkedSymlinks(lp, remove, dir, changes);
    error ??= err;
  }
  return error ? { count: 0, error } : { count: 0 };
}

export { templateOf };

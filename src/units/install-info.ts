// Finding a unit file for the [Install] machinery the way systemctl does it
// offline (systemd's install.c): search the load path (then the template for
// instances), follow alias and linked-file symlinks, detect masks, and read the
// [Install] section of the file and its drop-ins. Also= units found while
// reading join the queue of the operation in progress, as in systemd.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { DiagnosticLog } from './diagnostics.js';
import { parseUnitText } from './syntax.js';
import { LookupPaths, chaseInRoot, pathStartsWithAny, isConfigPath, skipRoot, withRoot, SymlinkLoopError } from './paths.js';
import { parseUnitName, templateOf, isValidUnitName, unitTypeOf, withInstance } from './unit-name.js';
import { expandSpecifiers, INSTALL_SPECIFIERS } from './values/specifiers.js';
import { readUnitFile, UnitFileReadError } from './read-unit-file.js';

export const INSTALL_MODES = ['regular', 'linked', 'alias', 'masked'] as const;
export type InstallMode = (typeof INSTALL_MODES)[number];

/** Errors install operations report, named by the errno systemd uses for them. */
export const INSTALL_ERRORS = [
  'ENOENT',
  'EEXIST',
  'ERFKILL',
  'EADDRNOTAVAIL',
  'EBADSLT',
  'EIDRM',
  'EUCLEAN',
  'ELOOP',
  'EXDEV',
  'ENOLINK',
  'EINVAL',
  'EISDIR',
  'ENOTDIR',
  'EACCES',
  'EIO',
  'EUNATCH',
] as const;
export type InstallErrno = (typeof INSTALL_ERRORS)[number];

export class InstallError extends Error {
  constructor(
    readonly errno: InstallErrno,
    message?: string,
  ) {
    super(message ?? errno);
  }
}

export interface InstallInfo {
  /** The name asked for (for a template instance, the instance name). */
  name: string;
  /** Full path of the file (root included) once found. */
  path?: string;
  mode?: InstallMode;
  /** Where an alias or linked symlink points (full path). */
  symlinkTarget?: string;
  aliases: string[];
  wantedBy: string[];
  requiredBy: string[];
  also: string[];
  defaultInstance?: string;
  /** Added because another unit listed it in Also= (systemd's "auxiliary"). */
  auxiliary: boolean;
}

/** An ordered work queue of install infos, as install.c's InstallContext. */
export class InstallContext {
  readonly willProcess = new Map<string, InstallInfo>();
  readonly haveProcessed = new Map<string, InstallInfo>();

  find(name: string): InstallInfo | undefined {
    return this.haveProcessed.get(name) ?? this.willProcess.get(name);
  }

  /** Queue a name (or an absolute path, whose file name is the name). */
  add(nameOrPath: string, auxiliary = false, root?: string): InstallInfo {
    const isPath = nameOrPath.startsWith('/');
    const name = isPath ? path.basename(nameOrPath) : nameOrPath;
    // A path names a file inside the root.
    if (isPath && root !== undefined) nameOrPath = withRoot(root, nameOrPath);
    if (!isValidUnitName(name)) throw new InstallError('EINVAL', name);
    const existing = this.find(name);
    if (existing) return existing;
    const info: InstallInfo = { name, aliases: [], wantedBy: [], requiredBy: [], also: [], auxiliary };
    if (isPath) info.path = nameOrPath;
    this.willProcess.set(name, info);
    return info;
  }

  /** Move the next queued info to the processed set and return it. */
  next(): InstallInfo | undefined {
    const first = this.willProcess.values().next();
    if (first.done) return undefined;
    this.willProcess.delete(first.value.name);
    this.haveProcessed.set(first.value.name, first.value);
    return first.value;
  }
}

export const SEARCH_LOAD = 1;
export const SEARCH_FOLLOW_CONFIG_SYMLINKS = 2;
export const SEARCH_DROPIN = 4;

const MAX_FOLLOW = 64;

function errnoOf(e: unknown): InstallErrno {
  if (e instanceof InstallError) return e.errno;
  if (e instanceof SymlinkLoopError) return 'ELOOP';
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code !== undefined && (INSTALL_ERRORS as readonly string[]).includes(code)) return code as InstallErrno;
  return 'EIO';
}

/** Whether a file is "empty or /dev/null", which systemd treats as a mask. */
export function isNullOrEmpty(st: fs.Stats): boolean {
  if (st.isCharacterDevice()) return st.rdev === fs.statSync('/dev/null').rdev;
  return st.isFile() && st.size === 0;
}

/** null_or_empty_path_with_root(): a (possibly dangling) link to /dev/null counts even when /dev is not in the root. */
export function isMaskTarget(root: string, full: string): boolean {
  if (skipRoot(root, full) === '/dev/null') return true;
  try {
    const resolved = chaseInRoot(root, full);
    if (resolved === undefined) return false;
    return isNullOrEmpty(fs.statSync(resolved));
  } catch {
    return false;
  }
}

function resolvedName(info: InstallInfo): string {
  return info.name;
}

/** install_name_printf(): the specifiers [Install] allows, for this unit's name. */
export function installPrintf(info: InstallInfo, text: string): string {
  const r = expandSpecifiers(text, { unitName: resolvedName(info) }, INSTALL_SPECIFIERS);
  if (!r.ok) throw new InstallError('EBADSLT', text);
  return r.value;
}

function splitWords(value: string): string[] {
  return value.split(/[ \t\n\r]+/).filter((w) => w !== '');
}

/** Read [Install] (only) of one file into info, queueing Also= units in ctx. */
function readInstallSection(ctx: InstallContext | undefined, info: InstallInfo, file: string, data: Buffer): void {
  const log = new DiagnosticLog();
  const parsed = parseUnitText(data, file, log);
  if (parsed.fatal) throw new InstallError('EINVAL', parsed.fatal);
  for (const a of parsed.assignments) {
    if (a.section !== 'Install') continue;
    switch (a.key) {
      case 'WantedBy':
        if (a.value === '') info.wantedBy = [];
        else info.wantedBy.push(...splitWords(a.value));
        break;
      case 'RequiredBy':
        if (a.value === '') info.requiredBy = [];
        else info.requiredBy.push(...splitWords(a.value));
        break;
      case 'Alias':
        if (a.value === '') info.aliases = [];
        else info.aliases.push(...splitWords(a.value));
        break;
      case 'DefaultInstance': {
        const r = expandSpecifiers(a.value, { unitName: info.name }, INSTALL_SPECIFIERS);
        if (r.ok) info.defaultInstance = r.value === '' ? undefined : r.value;
        break;
      }
      case 'Also':
        for (const w of splitWords(a.value)) {
          let printed: string;
          try {
            printed = installPrintf(info, w);
          } catch {
            continue;
          }
          if (ctx && isValidUnitName(printed)) ctx.add(printed);
          info.also.push(printed);
        }
        break;
    }
  }
}

/** The file through the shared reader (read-unit-file.ts); a refusal is systemd's EBADMSG/EFBIG. */
function readUnitFileOrThrow(file: string): Buffer {
  try {
    return readUnitFile(file).data;
  } catch (e) {
    if (e instanceof UnitFileReadError) throw new InstallError(e.errno === 'EISDIR' ? 'EISDIR' : 'EIO', file);
    throw e;
  }
}

/** unit_file_load(): regular file, empty file (mask), or ELOOP for a symlink. */
function loadFile(ctx: InstallContext | undefined, info: InstallInfo, file: string, flags: number): void {
  const type = unitTypeOf(info.name);
  if (type === undefined) throw new InstallError('EINVAL', info.name);
  const st = fs.lstatSync(file);
  if (st.isSymbolicLink()) throw new InstallError('ELOOP', file);
  if (st.isDirectory()) throw new InstallError('EISDIR', file);
  if (!(flags & SEARCH_LOAD)) {
    if (isNullOrEmpty(st)) info.mode = 'masked';
    else if (st.isFile()) info.mode = 'regular';
    else throw new InstallError('EIO', file);
    return;
  }
  if (isNullOrEmpty(st)) {
    if (!(flags & SEARCH_DROPIN)) info.mode = 'masked';
    return;
  }
  if (!st.isFile()) throw new InstallError('EIO', file);
  readInstallSection(ctx, info, file, readUnitFileOrThrow(file));
  if (!(flags & SEARCH_DROPIN)) info.mode = 'regular';
}

/** Validate an alias symlink's name against its target (unit_validate_alias_symlink_or_warn). */
export function isValidAliasPair(linkName: string, targetName: string): boolean {
  const a = parseUnitName(linkName);
  const b = parseUnitName(targetName);
  if (!a || !b || a.type !== b.type) return false;
  const aKind = a.instance === undefined ? 'plain' : a.isTemplate ? 'template' : 'instance';
  const bKind = b.instance === undefined ? 'plain' : b.isTemplate ? 'template' : 'instance';
  if (aKind === 'plain') return bKind === 'plain';
  if (aKind === 'template') return bKind === 'template';
  return bKind === 'instance' ? a.instance === b.instance : bKind === 'template';
}

/** unit_file_load_or_readlink(): load the file, or classify the symlink at `file`. */
function loadOrReadlink(ctx: InstallContext | undefined, lp: LookupPaths, info: InstallInfo, file: string, flags: number): void {
  try {
    loadFile(ctx, info, file, flags);
    return;
  } catch (e) {
    if (errnoOf(e) !== 'ELOOP' || flags & SEARCH_DROPIN) throw e;
  }
  const raw = fs.readlinkSync(file);
  const joined = raw.startsWith('/') ? withRoot(lp.root, raw) : path.join(path.dirname(file), raw);
  const simplified = chaseInRoot(lp.root, joined, { nonexistent: true, noFollowLast: true }) ?? joined;
  const inSearch = pathStartsWithAny(simplified, lp.searchPath);
  info.symlinkTarget = simplified;
  if (isMaskTarget(lp.root, simplified)) info.mode = 'masked';
  else if (inSearch === undefined) info.mode = 'linked';
  else {
    if (!isValidAliasPair(path.basename(file), path.basename(simplified))) throw new InstallError('EXDEV', file);
    info.mode = 'alias';
  }
}

function isMissing(e: unknown): boolean {
  const n = errnoOf(e);
  return n === 'ENOENT' || n === 'ENOTDIR' || n === 'EACCES';
}

/** Collect `*.conf` drop-ins: same file name in an earlier directory shadows later ones; sorted by name. */
export function confFiles(dirs: readonly string[], suffix: string): string[] {
  const byName = new Map<string, string>();
  for (const d of dirs) {
    let entries: string[];
    try {
      entries = fs.readdirSync(d);
    } catch {
      continue;
    }
    for (const e of entries) {
      if (!e.endsWith(suffix) || byName.has(e)) continue;
      byName.set(e, path.join(d, e));
    }
  }
  return [...byName.keys()].sort().map((k) => byName.get(k) as string);
}

/** unit_file_search(): find the fragment (literal name, then template) and read drop-ins. */
export function searchUnitFile(ctx: InstallContext | undefined, lp: LookupPaths, info: InstallInfo, flags: number): void {
  // Already loaded (or masked): reading [Install] again would duplicate its lists.
  if (info.mode !== undefined) return;
  if (info.path !== undefined) {
    loadOrReadlink(ctx, lp, info, info.path, flags);
    return;
  }
  const template = templateOf(info.name);
  let found = false;
  for (const candidateName of template ? [info.name, template] : [info.name]) {
    for (const dir of lp.searchPath) {
      const file = path.join(dir, candidateName);
      try {
        loadOrReadlink(ctx, lp, info, file, flags);
      } catch (e) {
        if (isMissing(e)) continue;
        throw e;
      }
      info.path = file;
      found = true;
      break;
    }
    if (found) break;
  }
  if (!found) throw new InstallError('ENOENT', info.name);
  if ((info.mode as InstallMode | undefined) === 'masked') return;

  const dirs = lp.searchPath.map((d) => path.join(d, info.name + '.d'));
  if (template) dirs.push(...lp.searchPath.map((d) => path.join(d, template + '.d')));
  for (const f of confFiles(dirs, '.conf')) loadOrReadlink(ctx, lp, info, f, flags | SEARCH_DROPIN);
}

/** install_info_follow(): continue at the symlink's target under the same name. */
function follow(ctx: InstallContext, lp: LookupPaths, info: InstallInfo, flags: number, ignoreDifferentName: boolean): void {
  if (info.symlinkTarget === undefined) throw new InstallError('EINVAL');
  if (!ignoreDifferentName && path.basename(info.symlinkTarget) !== info.name) throw new InstallError('EXDEV');
  info.path = info.symlinkTarget;
  info.symlinkTarget = undefined;
  info.mode = undefined;
  loadOrReadlink(ctx, lp, info, info.path, flags);
}

/** install_info_traverse(): search, then follow aliases and links to the real unit file. */
export function traverse(ctx: InstallContext, lp: LookupPaths, start: InstallInfo, flags: number): InstallInfo {
  let k = 0;
  searchUnitFile(ctx, lp, start, flags);
  let i = start;
  while (i.mode === 'alias' || i.mode === 'linked') {
    if (++k >= MAX_FOLLOW) throw new InstallError('ELOOP', i.name);
    if (!(flags & SEARCH_FOLLOW_CONFIG_SYMLINKS) && i.path !== undefined && isConfigPath(lp, i.path)) {
      throw new InstallError('ELOOP', i.name);
    }
    try {
      follow(ctx, lp, i, flags, i.mode === 'linked');
      continue;
    } catch (e) {
      if (errnoOf(e) !== 'EXDEV' || i.symlinkTarget === undefined) throw e;
    }
    // The target is another name: continue with a new info for it.
    let bn = path.basename(i.symlinkTarget);
    const inst = parseUnitName(i.name);
    const tgt = parseUnitName(bn);
    if (inst && inst.instance && !inst.isTemplate && tgt?.isTemplate) {
      const replaced = withInstance(bn, inst.instance);
      if (replaced === i.name) {
        follow(ctx, lp, i, flags, true);
        continue;
      }
      bn = replaced;
    }
    i = ctx.add(bn);
    try {
      searchUnitFile(ctx, lp, i, flags);
    } catch (e) {
      if (errnoOf(e) === 'ENOENT') throw new InstallError('ENOLINK', bn);
      throw e;
    }
  }
  return i;
}

export { errnoOf };

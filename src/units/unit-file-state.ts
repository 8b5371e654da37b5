// UnitFileState (is-enabled, list-unit-files, `UnitFileState=`): decided from
// the symlinks in the search path, never from the manager (systemd 252's
// unit_file_lookup_state / find_symlinks_in_scope).

import * as path from 'node:path';
import { InstallContext, InstallInfo, SEARCH_FOLLOW_CONFIG_SYMLINKS, SEARCH_LOAD, errnoOf, installPrintf, InstallErrno } from './install-info.js';
import { discover, rawDirEntries } from './install.js';
import { LookupPaths, isGeneratorPath, isRuntimePath, isTransientPath } from './paths.js';
import { isValidUnitName, parseUnitName, templateOf, withInstance } from './unit-name.js';
import { globToRegExp } from './glob.js';
import { inReaddirOrder, SymlinkIndexCache, type DirectoryIndex } from './symlink-index.js';

export const UNIT_FILE_STATES = [
  'enabled',
  'enabled-runtime',
  'linked',
  'linked-runtime',
  'alias',
  'masked',
  'masked-runtime',
  'static',
  'disabled',
  'indirect',
  'generated',
  'transient',
  'bad',
] as const;
export type UnitFileState = (typeof UNIT_FILE_STATES)[number];

/** States for which `is-enabled` answers 0. */
export const ENABLED_LIKE_STATES: readonly UnitFileState[] = ['enabled', 'enabled-runtime', 'static', 'alias', 'indirect', 'generated'];

function isSymlinkWithKnownName(info: InstallInfo, name: string): boolean {
  if (name === info.name) return true;
  for (const a of info.aliases) {
    try {
      if (installPrintf(info, a) === name) return true;
    } catch {
      // an alias with a bad specifier matches nothing
    }
  }
  // A template enabled through its DefaultInstance= counts as enabled.
  const p = parseUnitName(info.name);
  if (p?.isTemplate && info.defaultInstance !== undefined && withInstance(info.name, info.defaultInstance) === name) return true;
  return false;
}

interface DirScan {
  found: boolean;
  sameNameLink: boolean;
}

function findInDirectory(
  index: DirectoryIndex,
  info: InstallInfo,
  ignoreDestination: boolean,
  matchName: boolean,
  ignoreSameName: boolean,
  configPath: string,
  scan: DirScan,
): boolean {
  // Only links whose name, template or destination is the unit's name can match: the index
  // hands out those, in readdir order, instead of every entry of the directory.
  const candidates = ignoreDestination
    ? inReaddirOrder(index.named(info.name), index.withTemplate(info.name))
    : inReaddirOrder(index.pointingTo(info.name), ignoreSameName ? [] : index.named(info.name));
  for (const de of candidates) {
    let foundPath = false;
    let foundDest = false;
    if (!ignoreDestination) {
      const dest = index.destination(de);
      if (dest === undefined) continue;
      foundDest = path.basename(dest) === info.name;
    }
    if (ignoreDestination || !ignoreSameName) foundPath = de.name === info.name;
    if (!foundPath && ignoreDestination) {
      const tpl = templateOf(de.name);
      if (tpl !== undefined) foundDest = tpl === info.name;
    }
    let sameName = false;
    if (foundPath && foundDest) sameName = path.join(index.dir, de.name) === path.join(configPath, info.name);
    if (sameName) scan.sameNameLink = true;
    else if (foundPath || foundDest) {
      if (!matchName) return true;
      if (isSymlinkWithKnownName(info, de.name)) return true;
    }
  }
  return false;
}

function findSymlinks(cache: SymlinkIndexCache, info: InstallInfo, matchName: boolean, ignoreSameName: boolean, configPath: string, scan: DirScan): boolean {
  const config = cache.of(configPath);
  for (const sub of config.dependencyDirs) {
    if (findInDirectory(cache.of(sub), info, true, matchName, ignoreSameName, configPath, scan)) return true;
  }
  return findInDirectory(config, info, false, matchName, ignoreSameName, configPath, scan);
}

function findSymlinksInScope(cache: SymlinkIndexCache, lp: LookupPaths, info: InstallInfo, matchName: boolean): UnitFileState | undefined {
  let sameNameLinkRuntime = false;
  let sameNameLinkConfig = false;
  let enabledInRuntime = false;
  let enabledAtAll = false;
  let ignoreSameName = false;
  for (const dir of lp.searchPath) {
    const scan: DirScan = { found: false, sameNameLink: false };
    if (findSymlinks(cache, info, matchName, ignoreSameName, dir, scan)) {
      if (dir === lp.persistentConfig) return 'enabled';
      if (isRuntimePath(lp, dir)) enabledInRuntime = true;
      else enabledAtAll = true;
    } else if (scan.sameNameLink) {
      if (dir === lp.persistentConfig) sameNameLinkConfig = true;
      else if (isRuntimePath(lp, dir)) sameNameLinkRuntime = true;
    }
    if (!ignoreSameName && info.path !== undefined && info.path.startsWith(dir + '/')) ignoreSameName = true;
  }
  if (enabledInRuntime) return 'enabled-runtime';
  const p = parseUnitName(info.name);
  if (enabledAtAll && p?.instance !== undefined && !p.isTemplate) return 'static';
  if (sameNameLinkConfig) return 'linked';
  if (sameNameLinkRuntime) return 'linked-runtime';
  return undefined;
}

function hasRules(info: InstallInfo): boolean {
  return info.aliases.length + info.wantedBy.length + info.requiredBy.length > 0 || info.defaultInstance !== undefined;
}

/**
 * unit_file_lookup_state(); throws an InstallError (ENOENT for unknown units).
 * `cache` holds the directories already read: pass one cache for a batch of
 * names (a listing, units loaded together) so each directory is read once.
 */
export function lookupUnitFileState(lp: LookupPaths, name: string, cache = new SymlinkIndexCache()): UnitFileState {
  const ctx = new InstallContext();
  const info = discover(ctx, lp, name, SEARCH_LOAD | SEARCH_FOLLOW_CONFIG_SYMLINKS);
  if (info.mode === 'masked') return info.path !== undefined && isRuntimePath(lp, info.path) ? 'masked-runtime' : 'masked';
  const p = parseUnitName(info.name);
  const isInstance = p?.instance !== undefined && !p.isTemplate;
  if (info.path !== undefined && name !== path.basename(info.path) && !isInstance) return 'alias';
  if (info.path !== undefined && isGeneratorPath(lp, info.path)) return 'generated';
  if (info.path !== undefined && isTransientPath(lp, info.path)) return 'transient';
  const direct = findSymlinksInScope(cache, lp, info, true);
  if (direct !== undefined) return direct;
  if (findSymlinksInScope(cache, lp, info, false) !== undefined) return 'indirect';
  if (hasRules(info)) return 'disabled';
  if (info.also.length > 0) return 'indirect';
  return 'static';
}

export function unitFileState(lp: LookupPaths, name: string, cache?: SymlinkIndexCache): { state?: UnitFileState; error?: InstallErrno } {
  try {
    return { state: lookupUnitFileState(lp, name, cache) };
  } catch (e) {
    return { error: errnoOf(e) };
  }
}

export interface UnitFileEntry {
  name: string;
  /** Full path where the file was found (root included). */
  path: string;
  state: UnitFileState;
}


export function matchesAny(name: string, patterns: readonly string[]): boolean {
  return patterns.length === 0 || patterns.some((p) => globToRegExp(p).test(name));
}

/** unit_file_get_list(): every unit file on the search path, first directory wins. */
export function listUnitFiles(lp: LookupPaths, patterns: readonly string[] = [], states: readonly string[] = []): UnitFileEntry[] {
  const seen = new Map<string, UnitFileEntry>();
  const cache = new SymlinkIndexCache();
  for (const dir of lp.searchPath) {
    for (const de of rawDirEntries(dir)) {
      if (!isValidUnitName(de.name)) continue;
      if (!matchesAny(de.name, patterns)) continue;
      if (seen.has(de.name)) continue;
      if (!de.isSymbolicLink() && !de.isFile()) continue;
      let state: UnitFileState;
      try {
        state = lookupUnitFileState(lp, de.name, cache);
      } catch {
        state = 'bad';
      }
      if (states.length > 0 && !states.includes(state)) continue;
      seen.set(de.name, { name: de.name, path: path.join(dir, de.name), state });
    }
  }
  return [...seen.values()];
}

export { SEARCH_FOLLOW_CONFIG_SYMLINKS };

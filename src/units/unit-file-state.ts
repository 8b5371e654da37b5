// UnitFileState (is-enabled, list-unit-files, `UnitFileState=`): decided from
// the symlinks in the search path, never from the manager (systemd 252's
// unit_file_lookup_state / find_symlinks_in_scope).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { InstallContext, InstallInfo, SEARCH_FOLLOW_CONFIG_SYMLINKS, SEARCH_LOAD, errnoOf, installPrintf, InstallErrno } from './install-info.js';
import { discover, rawDirEntries } from './install.js';
import { LookupPaths, isGeneratorPath, isRuntimePath, isTransientPath } from './paths.js';
import { isValidUnitName, parseUnitName, templateOf, withInstance } from './unit-name.js';
import { globToRegExp } from './glob.js';

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
  dirPath: string,
  info: InstallInfo,
  ignoreDestination: boolean,
  matchName: boolean,
  ignoreSameName: boolean,
  configPath: string,
  scan: DirScan,
): boolean {
  for (const de of rawDirEntries(dirPath)) {
    if (!de.isSymbolicLink()) continue;
    let foundPath = false;
    let foundDest = false;
    if (!ignoreDestination) {
      let dest: string;
      try {
        dest = fs.readlinkSync(path.join(dirPath, de.name));
      } catch {
        continue;
      }
      if (!dest.startsWith('/')) dest = path.join(dirPath, dest);
      foundDest = path.basename(dest) === info.name;
    }
    if (ignoreDestination || !ignoreSameName) foundPath = de.name === info.name;
    if (!foundPath && ignoreDestination) {
      const tpl = templateOf(de.name);
      if (tpl !== undefined) foundDest = tpl === info.name;
    }
    let sameName = false;
    if (foundPath && foundDest) sameName = path.join(dirPath, de.name) === path.join(configPath, info.name);
    if (sameName) scan.sameNameLink = true;
    else if (foundPath || foundDest) {
      if (!matchName) return true;
      if (isSymlinkWithKnownName(info, de.name)) return true;
    }
  }
  return false;
}

const DEPENDENCY_DIR_SUFFIXES = ['.wants', '.requires', '.upholds'];

function findSymlinks(info: InstallInfo, matchName: boolean, ignoreSameName: boolean, configPath: string, scan: DirScan): boolean {
  const entries = rawDirEntries(configPath);
  for (const de of entries) {
    const dot = de.name.lastIndexOf('.');
    if (dot < 0 || !DEPENDENCY_DIR_SUFFIXES.includes(de.name.slice(dot))) continue;
    const sub = path.join(configPath, de.name);
    let isDir = de.isDirectory();
    if (de.isSymbolicLink()) {
      try {
        isDir = fs.statSync(sub).isDirectory();
      } catch {
        isDir = false;
      }
    }
    if (!isDir) continue;
    if (findInDirectory(sub, info, true, matchName, ignoreSameName, configPath, scan)) return true;
  }
  return findInDirectory(configPath, info, false, matchName, ignoreSameName, configPath, scan);
}

function findSymlinksInScope(lp: LookupPaths, info: InstallInfo, matchName: boolean): UnitFileState | undefined {
  let sameNameLinkRuntime = false;
  let sameNameLinkConfig = false;
  let enabledInRuntime = false;
  let enabledAtAll = false;
  let ignoreSameName = false;
  for (const dir of lp.searchPath) {
    const scan: DirScan = { found: false, sameNameLink: false };
    if (findSymlinks(info, matchName, ignoreSameName, dir, scan)) {
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

/** unit_file_lookup_state(); throws an InstallError (ENOENT for unknown units). */
export function lookupUnitFileState(lp: LookupPaths, name: string): UnitFileState {
  const ctx = new InstallContext();
  const info = discover(ctx, lp, name, SEARCH_LOAD | SEARCH_FOLLOW_CONFIG_SYMLINKS);
  if (info.mode === 'masked') return info.path !== undefined && isRuntimePath(lp, info.path) ? 'masked-runtime' : 'masked';
  const p = parseUnitName(info.name);
  const isInstance = p?.instance !== undefined && !p.isTemplate;
  if (info.path !== undefined && name !== path.basename(info.path) && !isInstance) return 'alias';
  if (info.path !== undefined && isGeneratorPath(lp, info.path)) return 'generated';
  if (info.path !== undefined && isTransientPath(lp, info.path)) return 'transient';
  const direct = findSymlinksInScope(lp, info, true);
  if (direct !== undefined) return direct;
  if (findSymlinksInScope(lp, info, false) !== undefined) return 'indirect';
  if (hasRules(info)) return 'disabled';
  if (info.also.length > 0) return 'indirect';
  return 'static';
}

export function unitFileState(lp: LookupPaths, name: string): { state?: UnitFileState; error?: InstallErrno } {
  try {
    return { state: lookupUnitFileState(lp, name) };
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
  for (const dir of lp.searchPath) {
    for (const de of rawDirEntries(dir)) {
      if (!isValidUnitName(de.name)) continue;
      if (!matchesAny(de.name, patterns)) continue;
      if (seen.has(de.name)) continue;
      if (!de.isSymbolicLink() && !de.isFile()) continue;
      let state: UnitFileState;
      try {
        state = lookupUnitFileState(lp, de.name);
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

// The map from unit names to files that the manager builds from the search path
// (systemd's unit_file_build_name_map): regular files, linked files (symlinks
// leaving the search path), aliases (symlinks inside it) and masks. Symlinks are
// the only source of aliases; Alias= counts only once `enable` created them.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { LookupPaths, chaseInRoot, pathStartsWithAny, skipRoot, withRoot } from './paths.js';
import { isValidUnitName } from './unit-name.js';
import { isValidAliasPair } from './install-info.js';

export const NAME_ENTRY_KINDS = ['file', 'linked', 'alias', 'masked', 'bad'] as const;
export type NameEntryKind = (typeof NAME_ENTRY_KINDS)[number];

export interface NameEntry {
  kind: NameEntryKind;
  /** Path of the directory entry (root included). */
  path: string;
  /** For aliases: the unit name the link points to. */
  target?: string;
  /** For bad entries: why the entry cannot be used. */
  reason?: string;
}

function isDevNull(root: string, full: string): boolean {
  if (skipRoot(root, full) === '/dev/null') return true;
  try {
    const st = fs.statSync(full);
    return st.isCharacterDevice() && st.rdev === fs.statSync('/dev/null').rdev;
  } catch {
    return false;
  }
}

function classifySymlink(lp: LookupPaths, file: string): NameEntry {
  let raw: string;
  try {
    raw = fs.readlinkSync(file);
  } catch (e) {
    return { kind: 'bad', path: file, reason: (e as Error).message };
  }
  const joined = raw.startsWith('/') ? withRoot(lp.root, raw) : path.join(path.dirname(file), raw);
  let simplified: string;
  try {
    simplified = chaseInRoot(lp.root, joined, { nonexistent: true, noFollowLast: true }) ?? joined;
  } catch {
    return { kind: 'bad', path: file, reason: 'Too many levels of symbolic links' };
  }
  if (isDevNull(lp.root, simplified)) return { kind: 'masked', path: file };
  if (pathStartsWithAny(simplified, lp.searchPath) !== undefined && lp.searchPath.includes(path.dirname(simplified))) {
    const target = path.basename(simplified);
    if (!isValidAliasPair(path.basename(file), target)) {
      return { kind: 'bad', path: file, reason: `symlink target name type "${target}" does not match source, rejecting.` };
    }
    return { kind: 'alias', path: file, target };
  }
  try {
    const resolved = chaseInRoot(lp.root, file);
    if (resolved !== undefined && fs.statSync(resolved).size === 0 && fs.statSync(resolved).isFile()) return { kind: 'masked', path: file };
  } catch {
    // a dangling or looping link still names a unit; loading reports the problem
  }
  return { kind: 'linked', path: file };
}

/**
 * name → first entry on the search path, in priority order. `pathCache`, when given, receives
 * the path of every entry of every search-path directory (systemd's unit_path_cache, built in
 * the same pass by unit_file_build_name_map()): drop-in and .wants/ directories are looked for
 * only where it has them.
 */
export function buildNameMap(lp: LookupPaths, pathCache?: Set<string>): Map<string, NameEntry> {
  const map = new Map<string, NameEntry>();
  for (const dir of lp.searchPath) {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const de of entries) {
      if (pathCache) pathCache.add(path.join(dir, de.name));
      if (map.has(de.name) || !isValidUnitName(de.name)) continue;
      const file = path.join(dir, de.name);
      if (de.isSymbolicLink()) map.set(de.name, classifySymlink(lp, file));
      else if (de.isFile()) {
        let empty = false;
        try {
          empty = fs.statSync(file).size === 0;
        } catch {
          empty = false;
        }
        map.set(de.name, { kind: empty ? 'masked' : 'file', path: file });
      } else if (de.isCharacterDevice() && isDevNull(lp.root, file)) map.set(de.name, { kind: 'masked', path: file });
    }
  }
  return map;
}

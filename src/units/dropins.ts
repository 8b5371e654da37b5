// Drop-in directories of a unit (systemd.unit(5) "Description"): `NAME.d/` for
// every name and alias, the template's `foo@.service.d/`, the dash-prefix levels
// `foo-bar-.service.d/`, `foo-.service.d/`, and the type-wide `service.d/`.
// More specific directories come first, each in search-path order; a file name
// seen earlier shadows later copies, and the survivors apply in name order.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseUnitName, templateOf } from './unit-name.js';

/** Directory names (without the search-path prefix) to look in, most specific first. */
export function dropinDirNames(names: readonly string[], suffix = '.d'): string[] {
  const out: string[] = [];
  const push = (n: string): void => {
    if (!out.includes(n)) out.push(n);
  };
  for (const name of names) {
    push(name + suffix);
    const tpl = templateOf(name);
    if (tpl !== undefined) push(tpl + suffix);
    const p = parseUnitName(name);
    if (!p) continue;
    // foo-bar-baz.service → foo-bar-.service.d, foo-.service.d (longest first).
    const stem = p.instance !== undefined ? p.prefix : name.slice(0, name.lastIndexOf('.'));
    for (let i = stem.length - 1; i > 0; i--) {
      if (stem[i] === '-' && stem[i - 1] !== '-') push(`${stem.slice(0, i + 1)}.${p.type}${suffix}`);
    }
  }
  for (const name of names) {
    const p = parseUnitName(name);
    if (p) push(`${p.type}${suffix}`);
  }
  return out;
}

export interface DropIn {
  /** The file that applies (root included). */
  path: string;
  /** A drop-in linked to /dev/null or empty cancels lower-priority copies and applies nothing. */
  masked: boolean;
}

/**
 * The drop-in files that apply to a unit with these names, in application order. With
 * `pathCache` (UnitStore's, see buildNameMap), a directory it lacks is not read: systemd
 * applies a drop-in directory made after the last daemon-reload only from the next one.
 */
export function findDropIns(searchPath: readonly string[], names: readonly string[], pathCache?: ReadonlySet<string>): DropIn[] {
  const byName = new Map<string, DropIn>();
  for (const dirName of dropinDirNames(names)) {
    for (const base of searchPath) {
      const dir = path.join(base, dirName);
      if (pathCache && !pathCache.has(dir)) continue;
      let entries: string[];
      try {
        entries = fs.readdirSync(dir);
      } catch {
        continue;
      }
      for (const e of entries) {
        if (!e.endsWith('.conf') || byName.has(e)) continue;
        const file = path.join(dir, e);
        let masked = false;
        try {
          const st = fs.statSync(file);
          masked = st.isCharacterDevice() || (st.isFile() && st.size === 0);
        } catch {
          masked = fs.readlinkSync(file, { encoding: 'utf8' }) === '/dev/null';
        }
        byName.set(e, { path: file, masked });
      }
    }
  }
  return [...byName.keys()].sort().map((k) => byName.get(k) as DropIn);
}

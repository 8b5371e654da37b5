// `.wants/` and `.requires/` directories (systemd.unit(5) "Wants="): every entry
// in NAME.wants/ adds Wants=NAME-of-entry, in every search-path directory, for
// the unit's names, its aliases and its template. Template entries in a
// template's directory get the instance filled in.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { isValidUnitName, parseUnitName, templateOf, withInstance } from './unit-name.js';

export const DEPENDENCY_DIR_KINDS = ['wants', 'requires', 'upholds'] as const;
export type DependencyDirKind = (typeof DEPENDENCY_DIR_KINDS)[number];

/** Entries of the NAME.KIND/ directories; with `pathCache` only those it has are read (as findDropIns). */
export function dependencyDirEntries(searchPath: readonly string[], names: readonly string[], kind: DependencyDirKind, pathCache?: ReadonlySet<string>): string[] {
  const out: string[] = [];
  const sources: string[] = [];
  for (const n of names) {
    if (!sources.includes(n)) sources.push(n);
    const tpl = templateOf(n);
    if (tpl !== undefined && !sources.includes(tpl)) sources.push(tpl);
  }
  const instance = names.map((n) => parseUnitName(n)).find((p) => p?.instance !== undefined && !p.isTemplate)?.instance;
  for (const src of sources) {
    for (const base of searchPath) {
      const dir = path.join(base, `${src}.${kind}`);
      if (pathCache && !pathCache.has(dir)) continue;
      let entries: string[];
      try {
        entries = fs.readdirSync(dir).sort();
      } catch {
        continue;
      }
      for (let e of entries) {
        if (!isValidUnitName(e)) continue;
        const p = parseUnitName(e);
        if (p?.isTemplate) {
          if (instance === undefined) continue;
          e = withInstance(e, instance);
        }
        if (!out.includes(e)) out.push(e);
      }
    }
  }
  return out;
}

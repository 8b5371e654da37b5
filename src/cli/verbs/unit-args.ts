// Unit arguments as systemctl reads them: names get `.service` when they lack
// a type (unit_name_mangle), and glob patterns match loaded units only.

import { mangleUnitName } from '../../units/unit-name.js';
import { globToRegExp, isGlob } from '../../units/glob.js';
import type { DaemonConnection, RuntimeVerbContext } from './runtime-context.js';



/** Mangle each argument, printing systemctl's notice for escaped names. */
export function mangleArgs(ctx: RuntimeVerbContext, args: string[], suffix = '.service'): string[] {
  const names: string[] = [];
  for (const a of args) {
    const m = mangleUnitName(a, { suffix, allowGlobs: true });
    if (m === undefined) {
      ctx.err(`Failed to mangle unit name: Invalid argument\n`);
      continue;
    }
    if (m.warning !== undefined) ctx.err(m.warning + '\n');
    names.push(m.name);
  }
  return names;
}

/** Names and expanded globs, in argument order; a glob that matches nothing adds nothing. */
export async function expandUnitArgs(ctx: RuntimeVerbContext, d: DaemonConnection, args: string[]): Promise<string[]> {
  const names = mangleArgs(ctx, args);
  if (!names.some(isGlob)) return names;
  const loaded = (await d.listUnits({ all: true })).map((u) => u.id).sort();
  const out: string[] = [];
  for (const n of names) {
    if (!isGlob(n)) out.push(n);
    else {
      const re = globToRegExp(n);
      out.push(...loaded.filter((id) => re.test(id)));
    }
  }
  return [...new Set(out)];
}

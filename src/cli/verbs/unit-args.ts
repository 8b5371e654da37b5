// Unit arguments as systemctl reads them: names get `.service` when they lack
// a type (unit_name_mangle), and glob patterns match loaded units only.

import { mangleUnitName } from '../../units/unit-name.js';
import type { DaemonConnection, RuntimeVerbContext } from './runtime-context.js';

const GLOB = /[*?[]/;

export function isGlob(s: string): boolean {
  return GLOB.test(s);
}

/** fnmatch() without flags: `*`, `?` and `[...]` (with `!` or `^` negation). */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i];
    if (ch === '*') re += '.*';
    else if (ch === '?') re += '.';
    else if (ch === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) re += '\\[';
      else {
        let set = glob.slice(i + 1, end);
        if (set.startsWith('!') || set.startsWith('^')) set = '^' + set.slice(1);
        re += `[${set.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += ch.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

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

// Turning the unit arguments of file verbs into names, with systemctl's notices.

import { CliIO } from '../io.js';
import { mangleUnitName } from '../../units/unit-name.js';

/**
 * mangle_names(): arguments containing `/` stay paths; the rest are mangled
 * (suffix added, bad characters escaped with a notice unless quiet).
 * Returns undefined (after printing why) when a name is unusable.
 */
export function mangleNames(io: CliIO, args: readonly string[], operation: string, quiet: boolean, suffix = '.service'): string[] | undefined {
  const out: string[] = [];
  for (const a of args) {
    if (a.includes('/')) {
      out.push(a);
      continue;
    }
    const m = mangleUnitName(a, { suffix, allowGlobs: false, operation });
    if (m === undefined) {
      io.err(`Failed to mangle unit name: Invalid argument`);
      return undefined;
    }
    if (m.warning !== undefined && !quiet) for (const l of m.warning.split('\n')) io.err(l);
    if (m.invalid) {
      io.err(`Failed to mangle unit name: Invalid argument`);
      return undefined;
    }
    out.push(m.name);
  }
  return out;
}

// systemd's parse_boolean(): a fixed set of words, case-insensitive.

import { ParseResult, ok, fail } from './result.js';

const TRUE_WORDS = ['1', 'yes', 'y', 'true', 't', 'on'] as const;
const FALSE_WORDS = ['0', 'no', 'n', 'false', 'f', 'off'] as const;

/** Parse a boolean; the error is the bare reason, callers add ", ignoring: VALUE". */
export function parseBoolean(value: string): ParseResult<boolean> {
  const v = value.toLowerCase();
  if ((TRUE_WORDS as readonly string[]).includes(v)) return ok(true);
  if ((FALSE_WORDS as readonly string[]).includes(v)) return ok(false);
  return fail(`Failed to parse boolean value, ignoring: ${value}`);
}

/** How `systemctl show` prints a boolean. */
export function formatBoolean(b: boolean): 'yes' | 'no' {
  return b ? 'yes' : 'no';
}

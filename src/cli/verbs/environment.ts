// show-environment, set-environment and unset-environment: the manager's
// environment block that every spawned service inherits.

import { errorMessage, withDaemon } from './daemon-errors.js';
import type { RuntimeVerb } from './runtime-context.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// The characters that make systemd's shell_maybe_quote() quote a value.
const NEEDS_QUOTES = /["\\`$*?[\]'()<>|&;!\s~#{}]|[\x00-\x1f\x7f]/;

/** `$'…'` quoting as show-environment prints it (shell_maybe_quote, SHELL_ESCAPE_POSIX). */
export function quotePosix(value: string): string {
  if (!NEEDS_QUOTES.test(value)) return value;
  const escapes: Record<string, string> = { '\n': '\\n', '\t': '\\t', '\r': '\\r', '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\v': '\\v', "'": "\\'", '\\': '\\\\' };
  let out = "$'";
  for (const ch of value) {
    const e = escapes[ch];
    if (e !== undefined) out += e;
    else if (ch < ' ' || ch === '\x7f') out += '\\' + ch.charCodeAt(0).toString(8).padStart(3, '0');
    else out += ch;
  }
  return out + "'";
}

export const showEnvironment: RuntimeVerb = (ctx) =>
  withDaemon(ctx, async (d) => {
    for (const entry of await d.environment()) {
      const eq = entry.indexOf('=');
      ctx.out(eq < 0 ? entry + '\n' : `${entry.slice(0, eq)}=${quotePosix(entry.slice(eq + 1))}\n`);
    }
    return 0;
  });

export const setEnvironment: RuntimeVerb = (ctx, args) => {
  if (args.length === 0) {
    ctx.err('Too few arguments.\n');
    return Promise.resolve(1);
  }
  if (!args.every((a) => a.includes('=') && NAME.test(a.slice(0, a.indexOf('='))))) {
    ctx.err('Failed to set environment: Invalid environment assignments\n');
    return Promise.resolve(1);
  }
  return withDaemon(ctx, async (d) => {
    try {
      await d.setEnvironment(args, []);
      return 0;
    } catch (err) {
      ctx.err(`Failed to set environment: ${errorMessage(err)}\n`);
      return 1;
    }
  });
};

export const unsetEnvironment: RuntimeVerb = (ctx, args) => {
  if (args.length === 0) {
    ctx.err('Too few arguments.\n');
    return Promise.resolve(1);
  }
  // NAME removes the variable; NAME=VALUE removes it only while it has that value.
  if (!args.every((a) => NAME.test(a.includes('=') ? a.slice(0, a.indexOf('=')) : a))) {
    ctx.err('Failed to unset environment: Invalid environment variable names\n');
    return Promise.resolve(1);
  }
  return withDaemon(ctx, async (d) => {
    try {
      await d.setEnvironment([], args);
      return 0;
    } catch (err) {
      ctx.err(`Failed to unset environment: ${errorMessage(err)}\n`);
      return 1;
    }
  });
};

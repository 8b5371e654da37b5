// ExecStart= and the other command-line keys (systemd.service(5) "Command lines"):
// prefixes, splitting into several commands on a lone ";", quoting and C escapes,
// per-word specifiers, and the later $VAR / ${VAR} expansion against the
// environment the process gets.

import { splitWords, extractFirstWordAndWarn, WHITESPACE_CHARS } from './quoting.js';
import { SpecifierContext, expandSpecifiers } from './specifiers.js';

/** Prefix flags, named as `ExecStartEx=` prints them (`flags=ignore-failure ...`). */
export const EXEC_COMMAND_FLAGS = ['ignore-failure', 'privileged', 'no-setuid', 'ambient', 'no-env-expand'] as const;
export type ExecCommandFlag = (typeof EXEC_COMMAND_FLAGS)[number];

export interface ExecCommand {
  /** The executable: an absolute path, or a bare name to look up in EXEC_SEARCH_PATH. */
  path: string;
  /** Full argv including argv[0] (which differs from path with the `@` prefix). */
  argv: string[];
  flags: ExecCommandFlag[];
}

/** Where bare executable names are searched, fixed regardless of $PATH (systemd.service(5)). */
export const EXEC_SEARCH_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'] as const;

export type CommandParse =
  | { ok: true; commands: ExecCommand[] }
  /** `fatal` means systemd refuses the unit (bad-setting); otherwise the assignment is just ignored. */
  | { ok: false; message: string; fatal: boolean };

function isValidFilename(s: string): boolean {
  return s !== '' && s !== '.' && s !== '..' && !s.includes('/') && Buffer.byteLength(s) <= 255;
}

/** string_is_safe(): no control characters, quotes or backslashes in an executable path. */
function isSafeString(s: string): boolean {
  return !/[\x00-\x1f\x7f"'\\]/.test(s);
}

function impliesDirectory(p: string): boolean {
  return p.endsWith('/') || p.endsWith('/.') || p.endsWith('/..') || p === '.' || p === '..';
}

/** Collapse duplicate slashes and "/./" as systemd's path_simplify() does. */
function simplifyPath(p: string): string {
  const abs = p.startsWith('/');
  const parts = p.split('/').filter((x) => x !== '' && x !== '.');
  const joined = parts.join('/');
  return abs ? '/' + joined : joined;
}

interface PrefixParse {
  flags: ExecCommandFlag[];
  separateArgv0: boolean;
  rest: string;
}

/**
 * Read the `@ - : + ! !!` prefixes in any order. Each may appear once; `+`, `!`
 * and `!!` exclude each other, and a second `!` turns `!` into `!!`. The first
 * character that does not fit ends the prefixes (so "+!/bin/x" leaves "!/bin/x").
 */
function readPrefixes(word: string): PrefixParse {
  const flags = new Set<ExecCommandFlag>();
  let separateArgv0 = false;
  let i = 0;
  for (; i < word.length; i++) {
    const c = word[i];
    const privilege = flags.has('privileged') || flags.has('no-setuid') || flags.has('ambient');
    if (c === '-' && !flags.has('ignore-failure')) flags.add('ignore-failure');
    else if (c === '@' && !separateArgv0) separateArgv0 = true;
    else if (c === ':' && !flags.has('no-env-expand')) flags.add('no-env-expand');
    else if (c === '+' && !privilege) flags.add('privileged');
    else if (c === '!' && !privilege) flags.add('no-setuid');
    else if (c === '!' && !flags.has('privileged') && !flags.has('ambient')) {
      flags.delete('no-setuid');
      flags.add('ambient');
    } else break;
  }
  const ordered = EXEC_COMMAND_FLAGS.filter((f) => flags.has(f));
  return { flags: ordered, separateArgv0, rest: word.slice(i) };
}

function isSeparatorAt(s: string, i: number): boolean {
  return i >= s.length || WHITESPACE_CHARS.includes(s[i]);
}

/**
 * Parse one assignment of an Exec*= key. An empty value is handled by the caller
 * (it resets the list). `warn` receives non-fatal messages (unknown escapes).
 */
export function parseCommandLine(rvalue: string, ctx: SpecifierContext, warn: (message: string) => void): CommandParse {
  const commands: ExecCommand[] = [];
  let p = rvalue;
  let semicolon: boolean;
  do {
    semicolon = false;
    const first = extractFirstWordAndWarn(p, rvalue, warn);
    if (first.kind === 'end') break;
    if (first.kind === 'error') return { ok: false, message: first.message, fatal: true };
    p = first.rest;
    if (first.word === ';') {
      semicolon = true;
      continue;
    }
    const prefix = readPrefixes(first.word);
    const ignore = prefix.flags.includes('ignore-failure');
    // A "-" command that cannot be parsed is dropped with a warning instead of failing the unit.
    const refuse = (what: string, detail: string): CommandParse => ({
      ok: false,
      // Control characters (an escaped \n in the path) are shown escaped: the diagnostic stays one line (found by test/fuzz/unit-files.test.ts).
      message: `${what}${ignore ? ', ignoring' : ''}: ${detail.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}`,
      fatal: !ignore,
    });

    const path = expandSpecifiers(prefix.rest, ctx);
    if (!path.ok) return refuse(`Failed to resolve unit specifiers in '${prefix.rest}'`, path.error);
    if (path.value === '') return refuse('Empty path in command line', `'${rvalue}'`);
    if (!isSafeString(path.value)) return refuse('Executable name contains special characters', path.value);
    if (impliesDirectory(path.value)) return refuse('Executable path specifies a directory', path.value);
    if (!path.value.startsWith('/') && !isValidFilename(path.value)) {
      return refuse('Neither a valid executable name nor an absolute path', path.value);
    }
    const argv: string[] = prefix.separateArgv0 ? [] : [path.value];

    while (p !== '') {
      if (p[0] === ';' && isSeparatorAt(p, 1)) {
        p = p.slice(1).replace(/^[ \t\n\r]+/, '');
        semicolon = true;
        break;
      }
      // "\;" is a literal ";" argument; checked before unescaping so "\\;" stays different.
      if (p[0] === '\\' && p[1] === ';' && isSeparatorAt(p, 2)) {
        p = p.slice(2).replace(/^[ \t\n\r]+/, '');
        argv.push(';');
        continue;
      }
      const w = extractFirstWordAndWarn(p, rvalue, warn);
      if (w.kind === 'end') break;
      if (w.kind === 'error') return { ok: false, message: w.message, fatal: !ignore };
      p = w.rest;
      const word = expandSpecifiers(w.word, ctx);
      if (!word.ok) return refuse(`Failed to resolve unit specifiers in ${w.word}`, word.error);
      argv.push(word.value);
    }
    if (argv.length === 0) return refuse('Empty executable name or zeroeth argument', rvalue);
    commands.push({ path: simplifyPath(path.value), argv, flags: prefix.flags });
  } while (semicolon);
  return { ok: true, commands };
}

/** The value of NAME in a `NAME=VALUE` list; the last assignment wins. */
function lookup(env: Readonly<Record<string, string>>, name: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(env, name) ? env[name] : undefined;
}

/** systemd's replace_env(): `${NAME}` → value, `$$` → `$`, anything else stays as written. */
export function replaceBracedVariables(word: string, env: Readonly<Record<string, string>>): string {
  let out = '';
  for (let i = 0; i < word.length; i++) {
    const c = word[i];
    if (c !== '$') {
      out += c;
      continue;
    }
    const next = word[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '{') {
      const close = word.indexOf('}', i + 2);
      const name = close < 0 ? undefined : word.slice(i + 2, close);
      // "${A:-x}" and other shell forms are not expanded in unit files; neither is an unterminated "${".
      if (name === undefined || name.includes(':')) {
        out += c;
        continue;
      }
      out += lookup(env, name) ?? '';
      i = close;
    } else {
      out += c;
    }
  }
  return out;
}

/**
 * Expand variables in an argv (skipped by the caller for `:`-prefixed commands).
 * A word that is exactly `$NAME` becomes the value split on whitespace (quotes in
 * the value honoured), or no argument at all when unset; `${NAME}` anywhere is
 * replaced in place and never splits.
 */
export function expandCommandVariables(argv: readonly string[], env: Readonly<Record<string, string>>): string[] {
  const out: string[] = [];
  for (const word of argv) {
    if (word.startsWith('$') && word[1] !== '{' && word[1] !== '$') {
      const value = lookup(env, word.slice(1));
      if (value !== undefined) out.push(...(splitWords(value, { cunescape: false, relaxQuotes: true }) ?? []));
      continue;
    }
    out.push(replaceBracedVariables(word, env));
  }
  return out;
}

/**
 * Resolve a bare executable name against EXEC_SEARCH_PATH; absolute paths are
 * returned as they are. `isExecutable` is injected so callers decide how to probe.
 */
export function resolveExecutable(path: string, isExecutable: (candidate: string) => boolean): string | undefined {
  if (path.startsWith('/')) return path;
  for (const dir of EXEC_SEARCH_PATH) {
    const candidate = `${dir}/${path}`;
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** The command as `systemctl status` shows it in "Process: ... ExecStart=/bin/sh -c ..." lines. */
export function formatCommandLine(cmd: ExecCommand): string {
  return [cmd.path, ...cmd.argv.slice(1)].join(' ');
}

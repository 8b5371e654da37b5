// Unit names as systemd defines them (systemd.unit(5) "Description", "String escaping"):
// validation, the prefix@instance.type split, templates, the CLI's name mangling,
// and the escaping rules of systemd-escape(1).

import { isGlob } from './glob.js';
export const UNIT_TYPES = [
  'service',
  'socket',
  'device',
  'mount',
  'automount',
  'swap',
  'target',
  'path',
  'timer',
  'slice',
  'scope',
] as const;
export type UnitType = (typeof UNIT_TYPES)[number];

/** systemd's UNIT_NAME_MAX. */
export const UNIT_NAME_MAX = 255;

const VALID_CHARS = /^[0-9A-Za-z:\-_.\\]$/;
const VALID_CHARS_WITH_AT = /^[0-9A-Za-z:\-_.\\@]$/;
// Characters a glob pattern may use on the command line and still be left alone by mangling.
const VALID_CHARS_GLOB = /^[0-9A-Za-z:\-_.\\@[\]!*?]$/;

export function isUnitType(s: string): s is UnitType {
  return (UNIT_TYPES as readonly string[]).includes(s);
}

export interface ParsedUnitName {
  name: string;
  /** Everything before `@` (or before the type suffix when there is no `@`). */
  prefix: string;
  /** The instance string; `''` for a template, undefined for a plain unit. */
  instance?: string;
  type: UnitType;
  isTemplate: boolean;
}

/** The type suffix of a name, or undefined when it has none systemd knows. */
export function unitTypeOf(name: string): UnitType | undefined {
  const dot = name.lastIndexOf('.');
  if (dot < 0) return undefined;
  const t = name.slice(dot + 1);
  return isUnitType(t) ? t : undefined;
}

function allChars(s: string, re: RegExp): boolean {
  for (const c of s) if (!re.test(c)) return false;
  return true;
}

/**
 * Parse a unit name; undefined when systemd would reject it. Accepts plain
 * names, templates (`foo@.service`) and instances (`foo@bar.service`).
 */
export function parseUnitName(name: string): ParsedUnitName | undefined {
  if (name.length === 0 || name.length > UNIT_NAME_MAX) return undefined;
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const type = unitTypeOf(name);
  if (type === undefined) return undefined;
  const stem = name.slice(0, dot);
  const at = stem.indexOf('@');
  if (at < 0) {
    if (!allChars(stem, VALID_CHARS)) return undefined;
    return { name, prefix: stem, type, isTemplate: false };
  }
  if (at === 0) return undefined;
  const prefix = stem.slice(0, at);
  const instance = stem.slice(at + 1);
  if (!allChars(prefix, VALID_CHARS)) return undefined;
  // Instances may contain further `@` characters; the first one splits.
  if (!allChars(instance, VALID_CHARS_WITH_AT)) return undefined;
  return { name, prefix, instance, type, isTemplate: instance === '' };
}

export function isValidUnitName(name: string): boolean {
  return parseUnitName(name) !== undefined;
}

export function isTemplateName(name: string): boolean {
  return parseUnitName(name)?.isTemplate === true;
}

export function isInstanceName(name: string): boolean {
  const p = parseUnitName(name);
  return p !== undefined && p.instance !== undefined && !p.isTemplate;
}

/** `foo@bar.service` → `foo@.service`; undefined for names without an instance. */
export function templateOf(name: string): string | undefined {
  const p = parseUnitName(name);
  if (p === undefined || p.instance === undefined || p.isTemplate) return undefined;
  return `${p.prefix}@.${p.type}`;
}

/** `foo@.service` + `bar` → `foo@bar.service`. */
export function instantiate(template: string, instance: string): string {
  const p = parseUnitName(template);
  if (p === undefined || !p.isTemplate) throw new Error(`Not a template unit name: ${template}`);
  return `${p.prefix}@${instance}.${p.type}`;
}

/** Replace the instance of a template or instance name (used when templates alias templates). */
export function withInstance(name: string, instance: string): string {
  const p = parseUnitName(name);
  if (p === undefined || p.instance === undefined) return name;
  return `${p.prefix}@${instance}.${p.type}`;
}

// ---- systemd-escape ------------------------------------------------------

function escapeByte(b: number): string {
  return '\\x' + b.toString(16).padStart(2, '0');
}

function escapeWith(s: string, valid: RegExp): string {
  const bytes = Buffer.from(s, 'utf8');
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    const c = String.fromCharCode(b);
    if (c === '/') out += '-';
    else if (b < 0x80 && valid.test(c) && c !== '\\' && c !== '-') out += c;
    else out += escapeByte(b);
  }
  return out;
}

/** `systemd-escape STRING`: `/` → `-`, a leading `.` and anything but `[A-Za-z0-9:_.]` → `\xHH`. */
export function escapeUnitString(s: string): string {
  let out = '';
  let rest = s;
  if (rest.startsWith('.')) {
    out = '\\x2e';
    rest = rest.slice(1);
  }
  return out + escapeWith(rest, /^[0-9A-Za-z:_.]$/);
}

/** Reverse of escapeUnitString; undefined for malformed escapes (systemd-escape -u fails). */
export function unescapeUnitString(s: string): string | undefined {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '-') bytes.push(0x2f);
    else if (c === '\\') {
      if (s[i + 1] !== 'x') return undefined;
      const hex = s.slice(i + 2, i + 4);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) return undefined;
      bytes.push(parseInt(hex, 16));
      i += 3;
    } else bytes.push(...Buffer.from(c, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Normalise a path the way path escaping does; undefined when it contains `..` components. */
function simplifyPath(p: string): string | undefined {
  const parts = p.split('/').filter((x) => x !== '' && x !== '.');
  if (parts.includes('..')) return undefined;
  return parts.join('/');
}

/** `systemd-escape --path PATH`: `/var/lib/my-app/` → `var-lib-my\x2dapp`; `/` → `-`. */
export function escapePath(p: string): string | undefined {
  const simple = simplifyPath(p);
  if (simple === undefined) return undefined;
  if (simple === '') return '-';
  return escapeUnitString(simple);
}

/** `systemd-escape --unescape --path`: always absolute. */
export function unescapePath(s: string): string | undefined {
  const u = unescapeUnitString(s);
  if (u === undefined) return undefined;
  if (s === '-') return '/';
  return '/' + u;
}

/** `systemd-escape --template=foo@.service STRING`. */
export function escapeIntoTemplate(template: string, s: string, path = false): string | undefined {
  const inst = path ? escapePath(s) : escapeUnitString(s);
  if (inst === undefined || !isTemplateName(template)) return undefined;
  return instantiate(template, inst);
}

// ---- CLI mangling --------------------------------------------------------

export interface MangleResult {
  name: string;
  /** Set when the input had to be escaped, in systemctl's wording. */
  warning?: string;
  /** The escaped name is still not a valid unit name (systemctl prints the warning, then fails). */
  invalid?: true;
}

export interface MangleOptions {
  /** Suffix for names without a known type, `.service` unless a verb says otherwise (`isolate` uses `.target`). */
  suffix?: string;
  /** Leave glob patterns alone (verbs that match loaded units accept them). */
  allowGlobs?: boolean;
  /** What the names are for, used in the "globs are not supported" notice (`check` for is-enabled). */
  operation?: string;
}


function escapeMangled(s: string, allowGlobs: boolean): string {
  const valid = allowGlobs ? VALID_CHARS_GLOB : VALID_CHARS_WITH_AT;
  const bytes = Buffer.from(s, 'utf8');
  let out = '';
  for (const b of bytes) {
    const c = String.fromCharCode(b);
    if (c === '/') out += '-';
    else if (b < 0x80 && valid.test(c)) out += c;
    else out += escapeByte(b);
  }
  return out;
}

/**
 * Turn what a user typed into a unit name the way systemctl does
 * (unit_name_mangle_with_suffix): valid names pass, `/dev/…` becomes a
 * `.device`, other absolute paths a `.mount`, invalid characters are
 * `\xHH`-escaped with a notice, and a missing or unknown suffix gets `.service`.
 * Returns undefined when even the mangled name is invalid (too long, empty).
 */
export function mangleUnitName(input: string, opts: MangleOptions = {}): MangleResult | undefined {
  const suffix = opts.suffix ?? '.service';
  const allowGlobs = opts.allowGlobs ?? true;
  if (input === '') return undefined;
  if (isValidUnitName(input)) return { name: input };
  const notices: string[] = [];
  const globCharset = allChars(input, VALID_CHARS_GLOB);
  if (isGlob(input) && globCharset) {
    if (allowGlobs) return { name: input };
    const op = opts.operation === undefined ? '' : ` to ${opts.operation}`;
    notices.push(`Glob pattern passed${op}, but globs are not supported for this.`);
  }

  let name: string;
  if (input.startsWith('/dev/') || input.startsWith('/sys/')) {
    const p = escapePath(input);
    if (p === undefined) return undefined;
    name = p + '.device';
  } else if (input.startsWith('/')) {
    const p = escapePath(input);
    if (p === undefined) return undefined;
    name = p + '.mount';
  } else {
    const escaped = escapeMangled(input, allowGlobs);
    // systemd reports the escaping before it appends the suffix, and suggests
    // systemd-escape only when the input was not a plausible glob.
    if (escaped !== input) {
      const hint = globCharset ? '' : ' (maybe you should use systemd-escape?)';
      notices.push(`Invalid unit name "${input}" escaped as "${escaped}"${hint}.`);
    }
    name = escaped;
    if (!(allowGlobs && isGlob(name)) && unitTypeOf(name) === undefined) name += suffix;
  }
  const invalid = !(allowGlobs && isGlob(name)) && !isValidUnitName(name);
  if (invalid && notices.length === 0) return undefined;
  const result: MangleResult = notices.length > 0 ? { name, warning: notices.join('\n') } : { name };
  if (invalid) result.invalid = true;
  return result;
}

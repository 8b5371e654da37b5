// The shape of a key's meaning and small builders for the common value kinds,
// so each section table reads as "key → what it parses into".

import type { SpecifierContext } from '../values/specifiers.js';
import { expandSpecifiers } from '../values/specifiers.js';
import { parseBoolean } from '../values/boolean.js';
import { parseTimespanRaw, type Usec } from '../values/timespan.js';
import { parseSignal } from '../values/signal.js';
import { isOneOf } from './enums.js';

export interface KeyContext {
  key: string;
  specifiers: SpecifierContext;
  /** "file:line: message" as a warning; the setting is ignored. */
  warn(message: string): void;
  /** A fatal setting error: logged, and the unit becomes bad-setting (parsing stops). */
  fatal(message: string): void;
}

export type KeyHandler<S> = (section: S, value: string, ctx: KeyContext) => void;
export type KeyTable<S> = Readonly<Record<string, KeyHandler<S>>>;

export function bool<S>(set: (s: S, v: boolean) => void): KeyHandler<S> {
  return (s, value, ctx) => {
    const r = parseBoolean(value);
    if (r.ok) set(s, r.value);
    else ctx.warn(r.error);
  };
}

/**
 * A time span. `what` is the phrase systemd uses for this key's parser:
 * "sec value" (plain config_parse_sec), or a key-specific message.
 */
export function timespan<S>(
  set: (s: S, v: Usec) => void,
  opts: { message?: (key: string, value: string) => string; zeroIsInfinity?: boolean } = {},
): KeyHandler<S> {
  return (s, value, ctx) => {
    const r = parseTimespanRaw(value);
    if (!r.ok) {
      ctx.warn(opts.message ? opts.message(ctx.key, value) : `Failed to parse sec value, ignoring: ${value}`);
      return;
    }
    set(s, opts.zeroIsInfinity && r.value === 0 ? Number.POSITIVE_INFINITY : r.value);
  };
}

export function enumeration<S, T extends string>(list: readonly T[], what: string, set: (s: S, v: T) => void): KeyHandler<S> {
  return (s, value, ctx) => {
    if (isOneOf(list, value)) set(s, value);
    else ctx.warn(`Failed to parse ${what}, ignoring: ${value}`);
  };
}

export function unsigned<S>(set: (s: S, v: number) => void): KeyHandler<S> {
  return (s, value, ctx) => {
    const v = value.trim();
    if (/^\+?\d+$/.test(v) && Number(v) <= 0xffffffff) set(s, Number(v));
    else ctx.warn(`Failed to parse unsigned value, ignoring: ${value}`);
  };
}

export function signal<S>(set: (s: S, v: number) => void): KeyHandler<S> {
  return (s, value, ctx) => {
    const r = parseSignal(value);
    if (r.ok) set(s, r.value);
    else ctx.warn(r.error);
  };
}

/** An octal file mode (UMask=, *DirectoryMode=). */
export function mode<S>(set: (s: S, v: number) => void): KeyHandler<S> {
  return (s, value, ctx) => {
    if (/^[0-7]{1,4}$/.test(value)) set(s, parseInt(value, 8));
    else ctx.warn(`Failed to parse mode value, ignoring: ${value}`);
  };
}

/** A string with specifiers expanded; `quoted` picks systemd's '%s' vs %s in the message. */
export function printfString<S>(set: (s: S, v: string) => void, opts: { quoted?: boolean } = {}): KeyHandler<S> {
  return (s, value, ctx) => {
    const r = expandSpecifiers(value, ctx.specifiers);
    if (!r.ok) {
      ctx.warn(`Failed to resolve unit specifiers in ${opts.quoted === false ? value : `'${value}'`}, ignoring: ${r.error}`);
      return;
    }
    set(s, r.value);
  };
}

/** Whitespace-separated words, specifiers expanded per word; results appended by `add`. */
export function words<S>(add: (s: S, words: string[]) => void, opts: { resetOnEmpty?: (s: S) => void } = {}): KeyHandler<S> {
  return (s, value, ctx) => {
    if (value === '' && opts.resetOnEmpty) {
      opts.resetOnEmpty(s);
      return;
    }
    const out: string[] = [];
    for (const word of value.split(/[ \t\n\r]+/)) {
      if (word === '') continue;
      const r = expandSpecifiers(word, ctx.specifiers);
      if (!r.ok) {
        ctx.warn(`Failed to resolve unit specifiers in '${word}', ignoring: ${r.error}`);
        continue;
      }
      out.push(r.value);
    }
    add(s, out);
  };
}

/** Append without duplicates (dependency lists are sets in systemd). */
export function addUnique(list: string[], items: readonly string[]): void {
  for (const item of items) if (!list.includes(item)) list.push(item);
}

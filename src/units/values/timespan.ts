// Time spans as systemd.time(7) defines them. Values are microseconds held in a
// JS number (exact up to 2^53 µs, about 285 years); "infinity" is
// Number.POSITIVE_INFINITY so comparisons and timers need no special case
// (serialize it explicitly: JSON turns Infinity into null).

import { ParseResult, ok, fail } from './result.js';

export type Usec = number;
export const USEC_INFINITY: Usec = Number.POSITIVE_INFINITY;

export const USEC_PER_MSEC = 1_000;
export const USEC_PER_SEC = 1_000_000;
export const USEC_PER_MINUTE = 60 * USEC_PER_SEC;
export const USEC_PER_HOUR = 60 * USEC_PER_MINUTE;
export const USEC_PER_DAY = 24 * USEC_PER_HOUR;
export const USEC_PER_WEEK = 7 * USEC_PER_DAY;
// systemd defines a year as 365.25 days and a month as a twelfth of that (30.4375 d).
export const USEC_PER_YEAR = 31_557_600 * USEC_PER_SEC;
export const USEC_PER_MONTH = 2_629_800 * USEC_PER_SEC;

/** systemd's usec_t is 64-bit; its largest value means infinity, so anything at or above it is out of range. */
const USEC_MAX = 2 ** 64 - 1;
/** strtoll()'s limit: parse_time() reads each number with it. */
const LLONG_MAX = 2n ** 63n - 1n;

// Longest suffix first where one is a prefix of another ("months" before "m", "msec" before "m").
const PARSE_UNITS: readonly (readonly [string, number])[] = [
  ['seconds', USEC_PER_SEC],
  ['second', USEC_PER_SEC],
  ['sec', USEC_PER_SEC],
  ['s', USEC_PER_SEC],
  ['minutes', USEC_PER_MINUTE],
  ['minute', USEC_PER_MINUTE],
  ['min', USEC_PER_MINUTE],
  ['months', USEC_PER_MONTH],
  ['month', USEC_PER_MONTH],
  ['M', USEC_PER_MONTH],
  ['msec', USEC_PER_MSEC],
  ['ms', USEC_PER_MSEC],
  ['m', USEC_PER_MINUTE],
  ['hours', USEC_PER_HOUR],
  ['hour', USEC_PER_HOUR],
  ['hr', USEC_PER_HOUR],
  ['h', USEC_PER_HOUR],
  ['days', USEC_PER_DAY],
  ['day', USEC_PER_DAY],
  ['d', USEC_PER_DAY],
  ['weeks', USEC_PER_WEEK],
  ['week', USEC_PER_WEEK],
  ['w', USEC_PER_WEEK],
  ['years', USEC_PER_YEAR],
  ['year', USEC_PER_YEAR],
  ['y', USEC_PER_YEAR],
  ['usec', 1],
  ['us', 1],
  ['\u03bcs', 1], // GREEK SMALL LETTER MU
  ['\u00b5s', 1], // MICRO SIGN
];

// Units used when printing, largest first.
const FORMAT_UNITS: readonly (readonly [string, number])[] = [
  ['y', USEC_PER_YEAR],
  ['month', USEC_PER_MONTH],
  ['w', USEC_PER_WEEK],
  ['d', USEC_PER_DAY],
  ['h', USEC_PER_HOUR],
  ['min', USEC_PER_MINUTE],
  ['s', USEC_PER_SEC],
  ['ms', USEC_PER_MSEC],
  ['us', 1],
];

const WHITESPACE = ' \t\n\r';

function skipWhitespace(s: string, i: number): number {
  while (i < s.length && WHITESPACE.includes(s[i])) i++;
  return i;
}

function skipDigits(s: string, i: number): number {
  while (i < s.length && s[i] >= '0' && s[i] <= '9') i++;
  return i;
}

function matchUnit(s: string, i: number): { end: number; usec: number } | undefined {
  for (const [suffix, usec] of PARSE_UNITS) {
    if (s.startsWith(suffix, i)) return { end: i + suffix.length, usec };
  }
  return undefined;
}

/**
 * systemd's parse_time(): a sum of `<number>[unit]` terms, with or without spaces;
 * a term without a unit uses `defaultUnit` (seconds for most keys). Returns the
 * errno text ('Invalid argument' / 'Numerical result out of range') on failure.
 */
export function parseTimespanRaw(input: string, defaultUnit: number = USEC_PER_SEC): ParseResult<Usec> {
  let i = skipWhitespace(input, 0);
  if (input.startsWith('infinity', i)) {
    const rest = skipWhitespace(input, i + 'infinity'.length);
    return rest === input.length ? ok(USEC_INFINITY) : fail('Invalid argument');
  }
  let total = 0;
  let something = false;
  for (;;) {
    i = skipWhitespace(input, i);
    if (i >= input.length) return something ? ok(total) : fail('Invalid argument');
    if (input[i] === '-') return fail('Numerical result out of range');
    // strtoll() accepts one leading '+'.
    const numberStart = input[i] === '+' ? i + 1 : i;
    const digitsEnd = skipDigits(input, numberStart);
    const converted = digitsEnd > numberStart;
    // Without digits strtoll() converts nothing and its end pointer stays at the
    // sign, so "+.1s" is refused though ".1s" is not.
    const intEnd = converted ? digitsEnd : i;
    const hasDot = input[intEnd] === '.';
    if (!converted && !hasDot) return fail('Invalid argument');
    // strtoll() fails with ERANGE on its own, before the unit is looked at: "99999999999999999999x".
    if (digitsEnd - numberStart > 18 && BigInt(input.slice(numberStart, digitsEnd)) > LLONG_MAX) return fail('Numerical result out of range');
    const whole = converted ? Number(input.slice(numberStart, digitsEnd)) : 0;
    const fracStart = intEnd + 1;
    const fracEnd = hasDot ? skipDigits(input, fracStart) : intEnd;
    let p = fracEnd;

    const unitAt = skipWhitespace(input, p);
    const unit = matchUnit(input, unitAt);
    let multiplier = defaultUnit;
    if (unit) {
      multiplier = unit.usec;
      p = unit.end;
    } else if (unitAt === p && p < input.length) {
      // Something glued to the number that is not a unit: "5x", "12.34.56".
      return fail('Invalid argument');
    } else {
      p = unitAt;
    }
    // C's integer division: 584542y is refused though 584542 years fit in 64 bits.
    if (whole >= Math.floor(USEC_MAX / multiplier)) return fail('Numerical result out of range');
    total += whole * multiplier;
    if (hasDot) {
      // "5." or "3.sec": a dot needs at least one digit after it.
      if (fracEnd === fracStart) return fail('Invalid argument');
      let m = Math.floor(multiplier / 10);
      for (let k = fracStart; k < fracEnd; k++, m = Math.floor(m / 10)) {
        total += Number(input[k]) * m;
      }
    }
    if (total >= USEC_MAX) return fail('Numerical result out of range');
    something = true;
    i = p;
  }
}

/**
 * Format like systemd's format_timespan(): largest units first, no zero terms;
 * below one minute a remainder switches to decimal notation ("1.500000s").
 * `accuracy` (µs) drops detail below it, as systemd does; `systemctl show` uses 1.
 */
export function formatTimespan(usec: Usec, accuracy: number = 1): string {
  if (usec === USEC_INFINITY || usec >= USEC_MAX) return 'infinity';
  let t = Math.floor(usec);
  if (t <= 0) return '0';
  const parts: string[] = [];
  for (const [suffix, unit] of FORMAT_UNITS) {
    if (t <= 0) break;
    if (t < accuracy && parts.length > 0) break;
    if (t < unit) continue;
    const a = Math.floor(t / unit);
    let b = t % unit;
    if (t < USEC_PER_MINUTE && b > 0) {
      let digits = 0;
      for (let cc = unit; cc > 1; cc = Math.floor(cc / 10)) digits++;
      for (let cc = accuracy; cc > 1; cc = Math.floor(cc / 10)) {
        b = Math.floor(b / 10);
        digits--;
      }
      if (digits > 0) {
        parts.push(`${a}.${String(b).padStart(digits, '0')}${suffix}`);
        t = 0;
        continue;
      }
    }
    parts.push(`${a}${suffix}`);
    t = b;
  }
  return parts.join(' ');
}

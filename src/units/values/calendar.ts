// Calendar event expressions of systemd.time(7) ("OnCalendar="): parsing with
// systemd's grammar and rejections, the normalized form systemd prints, and the
// next elapse, computed field by field (year, month, day, weekday, hour, minute,
// second) the way systemd's calendarspec does, so DST gaps and overlaps and
// non-existent days come out the same. Each step jumps to the next matching
// value of a field, so a search costs a few dozen steps, never a scan.

import { STRERROR } from './errno.js';
import { Tm, MktimeState, gmtime, localtime, mktime, timegm, processMktimeState } from './broken-time.js';
import { Zone, localZone, namedZone, timezoneIsValid } from './tzfile.js';
import { timestampFormattable } from './timestamp.js';

/** One item of a field list: `start`, `start..stop`, `start/repeat`, `start..stop/repeat`; stop -1 = none. */
export interface CalendarComponent {
  readonly start: number;
  readonly stop: number;
  readonly repeat: number;
}

/** null = `*` (any value). Seconds are held as microseconds so fractions fit. */
type Chain = readonly CalendarComponent[] | null;

export interface CalendarSpec {
  /** Bit 0 = Monday … bit 6 = Sunday; -1 = any day. */
  readonly weekdaysBits: number;
  /** The day field counts back from the end of the month (`~`). */
  readonly endOfMonth: boolean;
  readonly utc: boolean;
  /** A local zone abbreviation was given: 0 = tzname[0] (standard), 1 = tzname[1] (DST); -1 none. */
  readonly dst: -1 | 0 | 1;
  /** An IANA zone name given as the last word. */
  readonly timezone?: string;
  readonly year: Chain;
  readonly month: Chain;
  readonly day: Chain;
  readonly hour: Chain;
  readonly minute: Chain;
  readonly microsecond: Chain;
}

/** Thrown by parseCalendarSpec(); `message` is the line systemd-analyze prints, `reason` the errno text. */
export class CalendarSpecError extends Error {
  constructor(
    readonly expression: string,
    readonly reason: string,
  ) {
    super(`Failed to parse calendar specification '${expression}': ${reason}`);
    this.name = 'CalendarSpecError';
  }
}

const USEC_PER_SEC = 1_000_000;
const INT_MAX = 2_147_483_647;
const MIN_YEAR = 1970;
const MAX_YEAR = 2199;
const ALL_WEEKDAYS = 127;
/** systemd's limit on the length of one field's list. */
const COMPONENTS_MAX = 240;
const MAX_CALENDAR_ITERATIONS = 1000;

const WEEKDAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;
const WEEKDAY_WORDS: readonly (readonly [string, number])[] = [
  ['Monday', 0],
  ['Mon', 0],
  ['Tuesday', 1],
  ['Tue', 1],
  ['Wednesday', 2],
  ['Wed', 2],
  ['Thursday', 3],
  ['Thu', 3],
  ['Friday', 4],
  ['Fri', 4],
  ['Saturday', 5],
  ['Sat', 5],
  ['Sunday', 6],
  ['Sun', 6],
];

const one = (value: number): CalendarComponent => ({ start: value, stop: -1, repeat: 0 });
const MIDNIGHT = { hour: [one(0)], minute: [one(0)], microsecond: [one(0)] };

/** The shorthand words and the fields each one fixes (everything else is `*`). */
const SHORTHANDS: readonly (readonly [readonly string[], Partial<Mutable>])[] = [
  [['minutely'], { microsecond: [one(0)] }],
  [['hourly'], { minute: [one(0)], microsecond: [one(0)] }],
  [['daily'], MIDNIGHT],
  [['monthly'], { day: [one(1)], ...MIDNIGHT }],
  [['annually', 'yearly', 'anually'], { month: [one(1)], day: [one(1)], ...MIDNIGHT }],
  [['weekly'], { weekdaysBits: 1, ...MIDNIGHT }],
  [['quarterly'], { month: [one(1), one(4), one(7), one(10)], day: [one(1)], ...MIDNIGHT }],
  [['biannually', 'bi-annually', 'semiannually', 'semi-annually'], { month: [one(1), one(7)], day: [one(1)], ...MIDNIGHT }],
];

type Mutable = { -readonly [K in keyof CalendarSpec]: CalendarSpec[K] };

class ParseFailure {
  constructor(readonly reason: string) {}
}
const EINVAL = (): never => {
  throw new ParseFailure(STRERROR.EINVAL);
};
const ERANGE = (): never => {
  throw new ParseFailure(STRERROR.ERANGE);
};

/** A cursor over the expression, like the `const char **p` systemd's parser advances. */
class Cursor {
  constructor(
    readonly s: string,
    public i = 0,
  ) {}
  get c(): string {
    return this.s[this.i] ?? '';
  }
  at(k: number): string {
    return this.s[this.i + k] ?? '';
  }
  skipSpaces(): void {
    while (this.s[this.i] === ' ') this.i++;
  }
  get atEnd(): boolean {
    return this.i >= this.s.length;
  }
}

const isDigit = (ch: string): boolean => ch >= '0' && ch <= '9';

// ---------------------------------------------------------------- parsing

function parseWeekdays(p: Cursor, spec: Mutable): void {
  let rangeStart = -1;
  let first = true;
  for (;;) {
    const rest = p.s.slice(p.i).toLowerCase();
    const word = WEEKDAY_WORDS.find(([name]) => rest.startsWith(name.toLowerCase()));
    if (!word) {
      if (first) return;
      EINVAL();
      return;
    }
    const [name, nr] = word;
    const after = p.s[p.i + name.length] ?? '';
    if (!['', '-', '.', ',', ' '].includes(after)) EINVAL();
    spec.weekdaysBits |= 1 << nr;
    if (rangeStart >= 0) {
      if (rangeStart > nr) EINVAL();
      for (let j = rangeStart + 1; j < nr; j++) spec.weekdaysBits |= 1 << j;
    }
    p.i += name.length;
    if (p.atEnd) return;
    if (p.c === ' ') {
      p.skipSpaces();
      return;
    }
    if (p.c === '.') {
      if (rangeStart >= 0 || p.at(1) !== '.') EINVAL();
      rangeStart = nr;
      p.i += 2;
    } else if (p.c === '-') {
      // The legacy range syntax.
      if (rangeStart >= 0) EINVAL();
      rangeStart = nr;
      p.i += 1;
    } else if (p.c === ',') {
      rangeStart = -1;
      p.i += 1;
    }
    // A trailing comma is allowed, an open range is not.
    if (p.atEnd || p.c === ' ') {
      p.skipSpaces();
      if (rangeStart >= 0) EINVAL();
      return;
    }
    first = false;
  }
}

/** strtoul() on digits only (the callers checked the first one); ERANGE above 2^64-1. */
function parseUnsigned(p: Cursor): number {
  const start = p.i;
  while (isDigit(p.c)) p.i++;
  if (p.i === start) EINVAL();
  const text = p.s.slice(start, p.i);
  if (BigInt(text) > 0xffff_ffff_ffff_ffffn) ERANGE();
  return Number(text);
}

function parseComponentDecimal(p: Cursor, usec: boolean): number {
  if (!isDigit(p.c)) EINVAL();
  const whole = BigInt(p.s.slice(p.i).match(/^\d+/)![0]);
  if (whole > 0xffff_ffff_ffff_ffffn) ERANGE();
  let value = parseUnsigned(p);
  if (usec) {
    if (whole * 1_000_000n > 0xffff_ffff_ffff_ffffn) ERANGE();
    value *= USEC_PER_SEC;
    // One '.' is a decimal point, ".." a range.
    if (p.c === '.' && p.at(1) !== '.') {
      p.i++;
      value += parseFraction(p);
    }
  }
  if (value > INT_MAX) ERANGE();
  return value;
}

/** systemd's parse_fractional_part_u(…, 6): six digits, padded, rounded on the seventh; the rest skipped. */
function parseFraction(p: Cursor): number {
  let val = 0;
  let k = 0;
  for (; k < 6; k++) {
    if (!isDigit(p.c)) {
      if (k === 0) EINVAL();
      break;
    }
    val = val * 10 + Number(p.c);
    p.i++;
  }
  for (; k < 6; k++) val *= 10;
  if (p.c >= '5' && p.c <= '9') val++;
  while (isDigit(p.c)) p.i++;
  return val;
}

function parseComponents(p: Cursor, usec: boolean): CalendarComponent[] {
  const items: CalendarComponent[] = [];
  for (let nesting = 0; ; nesting++) {
    if (nesting > COMPONENTS_MAX) throw new ParseFailure('No buffer space available');
    const start = parseComponentDecimal(p, usec);
    let stop = -1;
    let repeat = 0;
    if (p.c === '.' && p.at(1) === '.') {
      p.i += 2;
      stop = parseComponentDecimal(p, usec);
      repeat = usec ? USEC_PER_SEC : 1;
    }
    if (p.c === '/') {
      p.i++;
      repeat = parseComponentDecimal(p, usec);
      if (repeat === 0) ERANGE();
    } else {
      if (start > INT_MAX - repeat) ERANGE();
      // Without an explicit repeat a seconds range steps by 1 s, so it must span one.
      if (usec && stop >= 0 && start + repeat > stop) EINVAL();
    }
    if (!['', ' ', ',', '-', '~', ':'].includes(p.c)) EINVAL();
    items.push({ start, stop, repeat });
    if (p.c !== ',') return items;
    p.i++;
  }
}

function parseChain(p: Cursor, usec: boolean): Chain {
  if (p.c === '*') {
    p.i++;
    return usec ? [{ start: 0, stop: -1, repeat: USEC_PER_SEC }] : null;
  }
  return parseComponents(p, usec);
}

/** `@EPOCH`: strtoul() semantics, leading blanks and a sign included. */
function parseEpoch(p: Cursor): bigint {
  let j = p.i;
  while (' \t\n\v\f\r'.includes(p.s[j] ?? 'x')) j++;
  let negative = false;
  if (p.s[j] === '+' || p.s[j] === '-') negative = p.s[j++] === '-';
  const digits = /^\d+/.exec(p.s.slice(j));
  if (!digits) EINVAL();
  let value = BigInt(digits![0]);
  if (value > 0xffff_ffff_ffff_ffffn) ERANGE();
  if (negative) value = BigInt.asUintN(64, -value);
  p.i = j + digits![0].length;
  return BigInt.asIntN(64, value);
}

/** The range of time_t glibc's gmtime_r() converts (years INT_MIN + 1900 … INT_MAX), found against systemd-analyze. */
const GMTIME_MAX = 67767976233532799n;
const GMTIME_MIN = -67768040609740800n;

/** Returns true when the date was an `@EPOCH`, after which no time may follow. */
function parseDate(p: Cursor, spec: Mutable): boolean {
  if (p.atEnd) return false;
  if (p.c === '@') {
    p.i++;
    const epoch = parseEpoch(p);
    // gmtime() of a time_t; years outside the valid range are rejected by validation, but a
    // time whose year does not fit glibc's struct tm makes gmtime_r() itself fail: ERANGE.
    if (epoch > GMTIME_MAX || epoch < GMTIME_MIN) ERANGE();
    const tm = gmtime(Number(epoch));
    spec.utc = true;
    spec.year = [one(tm.year)];
    spec.month = [one(tm.mon + 1)];
    spec.day = [one(tm.mday)];
    spec.hour = [one(tm.hour)];
    spec.minute = [one(tm.min)];
    spec.microsecond = [one(tm.sec * USEC_PER_SEC)];
    return true;
  }
  const save = p.i;
  const first = parseChain(p, false);
  // The end or a ':' already: that was a time, not a date.
  if (p.atEnd || p.c === ':') {
    p.i = save;
    return false;
  }
  if (p.c === '~') spec.endOfMonth = true;
  else if (p.c !== '-') EINVAL();
  p.i++;
  const second = parseChain(p, false);
  if (p.atEnd || p.c === ' ') {
    p.skipSpaces();
    spec.month = first;
    spec.day = second;
    return false;
  }
  if (spec.endOfMonth) EINVAL();
  if (p.c === '~') spec.endOfMonth = true;
  else if (p.c !== '-') EINVAL();
  p.i++;
  const third = parseChain(p, false);
  if (!(p.atEnd || p.c === ' ')) EINVAL();
  p.skipSpaces();
  spec.year = first;
  spec.month = second;
  spec.day = third;
  return false;
}

function parseTime(p: Cursor, spec: Mutable): void {
  if (p.atEnd) {
    Object.assign(spec, MIDNIGHT);
    return;
  }
  const hour = parseChain(p, false);
  if (p.c !== ':') EINVAL();
  p.i++;
  const minute = parseChain(p, false);
  let microsecond: Chain = [one(0)];
  if (!p.atEnd) {
    if (p.c !== ':') EINVAL();
    p.i++;
    microsecond = parseChain(p, true);
    if (!p.atEnd) EINVAL();
  }
  spec.hour = hour;
  spec.minute = minute;
  spec.microsecond = microsecond;
}

/** Splits off a trailing zone: ` UTC`, a local abbreviation (tzname[]) or an IANA name. */
function splitZone(text: string, spec: Mutable): string {
  if (text.toLowerCase().endsWith(' utc')) {
    spec.utc = true;
    return text.slice(0, -4);
  }
  const tzname = localZone().tzname;
  for (const j of [0, 1] as const) {
    const name = tzname[j];
    if (!name || text.length <= name.length) continue;
    if (!text.toLowerCase().endsWith(name.toLowerCase())) continue;
    if (text[text.length - name.length - 1] !== ' ') continue;
    spec.dst = j;
    return text.slice(0, text.length - name.length - 1);
  }
  const lastSpace = text.lastIndexOf(' ');
  if (lastSpace >= 0 && timezoneIsValid(text.slice(lastSpace + 1))) {
    spec.timezone = text.slice(lastSpace + 1);
    return text.slice(0, lastSpace);
  }
  return text;
}

// ---------------------------------------------------------------- normalization and validation

function compareComponents(a: CalendarComponent, b: CalendarComponent): number {
  return a.start - b.start || a.stop - b.stop || a.repeat - b.repeat;
}

function normalizeChain(chain: Chain): Chain {
  if (!chain) return chain;
  const items = chain.map(({ start, stop, repeat }) => {
    // A range's length becomes a multiple of its repeat.
    if (stop > start && repeat > 0) stop -= (stop - start) % repeat;
    // A repeat that cannot fire even once, or a one-value range, is a plain value.
    if ((stop > start && repeat > 0 && start + repeat > stop) || start === stop) return one(start);
    return { start, stop, repeat };
  });
  if (items.length <= 1) return items;
  items.sort(compareComponents);
  return items.filter((item, k) => k === 0 || compareComponents(items[k - 1], item) !== 0);
}

function fixYears(chain: Chain): Chain {
  // Two-digit years: 0-69 → 2000-2069, 70-99 → 1970-1999.
  const fix = (v: number): number => (v >= 0 && v < 70 ? v + 2000 : v >= 70 && v < 100 ? v + 1900 : v);
  return chain && chain.map((c) => ({ start: fix(c.start), stop: fix(c.stop), repeat: c.repeat }));
}

function chainValid(chain: Chain, from: number, to: number, endOfMonth: boolean): boolean {
  if (!chain) return true;
  // Days counted from the end of the month may not reach further back than 28. systemd's
  // chain_valid() recurses with its already lowered bound, so each later element of a
  // sorted list loses three more days: "~1,27" is refused though "~27" is not.
  return chain.every((c, index) => {
    const last = endOfMonth ? to - 3 * (index + 1) : to;
    return elementValid(c, from, last, endOfMonth);
  });
}

function elementValid(c: CalendarComponent, from: number, to: number, endOfMonth: boolean): boolean {
  if (c.start < from || c.start > to) return false;
  if (c.repeat > to - from) return false;
  if (c.stop >= 0) return c.stop >= from && c.stop <= to && c.start + c.repeat <= c.stop;
  return endOfMonth ? c.start - c.repeat >= from : c.start + c.repeat <= to;
}

function normalize(spec: Mutable): void {
  if (spec.timezone === 'UTC') {
    spec.utc = true;
    delete spec.timezone;
  }
  if (spec.weekdaysBits <= 0 || spec.weekdaysBits >= ALL_WEEKDAYS) spec.weekdaysBits = -1;
  if (spec.endOfMonth && !spec.day) spec.endOfMonth = false;
  spec.year = normalizeChain(fixYears(spec.year));
  spec.month = normalizeChain(spec.month);
  spec.day = normalizeChain(spec.day);
  spec.hour = normalizeChain(spec.hour);
  spec.minute = normalizeChain(spec.minute);
  spec.microsecond = normalizeChain(spec.microsecond);
}

function valid(spec: CalendarSpec): boolean {
  return (
    chainValid(spec.year, MIN_YEAR, MAX_YEAR, false) &&
    chainValid(spec.month, 1, 12, false) &&
    chainValid(spec.day, 1, 31, spec.endOfMonth) &&
    chainValid(spec.hour, 0, 23, false) &&
    chainValid(spec.minute, 0, 59, false) &&
    chainValid(spec.microsecond, 0, 60 * USEC_PER_SEC - 1, false)
  );
}

/** Parses an OnCalendar= expression; throws CalendarSpecError with systemd's message. */
export function parseCalendarSpec(text: string): CalendarSpec {
  const spec: Mutable = {
    weekdaysBits: 0,
    endOfMonth: false,
    utc: false,
    dst: -1,
    year: null,
    month: null,
    day: null,
    hour: null,
    minute: null,
    microsecond: null,
  };
  try {
    const body = splitZone(text, spec);
    if (body === '') EINVAL();
    const shorthand = SHORTHANDS.find(([words]) => words.includes(body.toLowerCase()));
    if (shorthand) Object.assign(spec, shorthand[1]);
    else {
      const p = new Cursor(body);
      parseWeekdays(p, spec);
      if (!parseDate(p, spec)) parseTime(p, spec);
      if (!p.atEnd) EINVAL();
    }
    normalize(spec);
    if (!valid(spec)) EINVAL();
  } catch (e) {
    if (e instanceof ParseFailure) throw new CalendarSpecError(text, e.reason);
    throw e;
  }
  return spec;
}

// ---------------------------------------------------------------- formatting

function formatWeekdays(bits: number): string {
  const parts: string[] = [];
  let runStart = -1;
  const close = (x: number): void => {
    if (runStart >= 0 && x > runStart + 1) parts[parts.length - 1] += (x > runStart + 2 ? '..' : ',') + WEEKDAY_NAMES[x - 1];
    runStart = -1;
  };
  for (let x = 0; x < 7; x++) {
    if (bits & (1 << x)) {
      if (runStart < 0) {
        parts.push(WEEKDAY_NAMES[x]);
        runStart = x;
      }
    } else close(x);
  }
  close(7);
  return parts.join(',');
}

function formatChain(chain: Chain, width: number, usec: boolean): string {
  if (!chain || (usec && chain.some((c) => c.start === 0 && c.stop < 0 && c.repeat === USEC_PER_SEC))) return '*';
  const d = usec ? USEC_PER_SEC : 1;
  const num = (v: number, w: number): string => {
    const whole = String(Math.floor(v / d)).padStart(w, '0');
    return v % d > 0 ? `${whole}.${String(v % d).padStart(6, '0')}` : whole;
  };
  return chain
    .map((c) => {
      let s = num(c.start, width);
      if (c.stop > 0) s += '..' + num(c.stop, width);
      // A range with the default step prints no "/1".
      if (c.repeat > 0 && !(c.stop > 0 && c.repeat === d)) s += '/' + num(c.repeat, 0);
      return s;
    })
    .join(',');
}

/** The normalized form systemd prints ("Normalized form:", `systemctl show` TimersCalendar). */
export function formatCalendarSpec(spec: CalendarSpec): string {
  let s = spec.weekdaysBits > 0 && spec.weekdaysBits <= ALL_WEEKDAYS ? formatWeekdays(spec.weekdaysBits) + ' ' : '';
  s += `${formatChain(spec.year, 4, false)}-${formatChain(spec.month, 2, false)}${spec.endOfMonth ? '~' : '-'}`;
  s += `${formatChain(spec.day, 2, false)} ${formatChain(spec.hour, 2, false)}:${formatChain(spec.minute, 2, false)}:`;
  s += formatChain(spec.microsecond, 2, true);
  if (spec.utc) s += ' UTC';
  else if (spec.timezone) s += ' ' + spec.timezone;
  else if (spec.dst === 0 || spec.dst === 1) {
    const name = localZone().tzname[spec.dst];
    if (name) s += ' ' + name;
  }
  return s;
}

// ---------------------------------------------------------------- next elapse

/** The conversions of one computation: UTC, or a zone with glibc's mktime() memory. */
interface Clock {
  /** mktime() or timegm(): normalizes tm in place. */
  normalize(tm: Tm): number | undefined;
  breakDown(t: number): Tm;
}

function clockFor(spec: CalendarSpec, state: MktimeState): Clock {
  if (spec.utc) return { normalize: (tm) => timegm(tm), breakDown: (t) => gmtime(t) };
  const zone: Zone = spec.timezone ? namedZone(spec.timezone) : localZone();
  return { normalize: (tm) => mktime(tm, zone, state), breakDown: (t) => localtime(t, zone) };
}

/** The day of the month that is `day` days before the end of tm's month (1 = last), or -1. */
function endOfMonthDay(tm: Tm, clock: Clock, day: number): number {
  const t: Tm = { ...tm, mon: tm.mon + 1, mday: 1 - day };
  const r = clock.normalize(t);
  if (r === undefined || r < 0 || t.mon !== tm.mon) return -1;
  return t.mday;
}

/** Earliest value ≥ `val` one of the chain's items allows; undefined if none. */
function matchComponent(spec: CalendarSpec, chain: Chain, tm: Tm, clock: Clock, val: number): number | undefined {
  if (!chain) return val;
  const endOfMonth = spec.endOfMonth && chain === spec.day;
  let best: number | undefined;
  for (const c of chain) {
    let start = c.start;
    let stop = c.stop;
    if (endOfMonth) {
      start = endOfMonthDay(tm, clock, c.start);
      stop = endOfMonthDay(tm, clock, c.stop);
      if (stop > 0) [start, stop] = [stop, start];
    }
    if (start >= val) {
      if (best === undefined || start < best) best = start;
    } else if (c.repeat > 0) {
      const k = start + c.repeat * Math.ceil((val - start) / c.repeat);
      if ((best === undefined || k < best) && (stop < 0 || k <= stop)) best = k;
    }
  }
  return best;
}

type Bounds = 'error' | 'normalized' | 'ok';

/**
 * Did setting a field push the time out of its range (Feb 30, an hour in a DST gap)?
 * Then tm moves to the normalized time with the lower fields reset ('normalized'),
 * unless that would go backwards ('error').
 */
function withinBounds(tm: Tm, clock: Clock): Bounds {
  if (tm.year > MAX_YEAR) return 'error';
  const t: Tm = { ...tm };
  const r = clock.normalize(t);
  if (r === undefined || r < 0) return 'error';
  let cmp: number;
  if ((cmp = Math.sign(t.year - tm.year)) !== 0) t.mon = 0;
  else if ((cmp = Math.sign(t.mon - tm.mon)) !== 0) t.mday = 1;
  else if ((cmp = Math.sign(t.mday - tm.mday)) !== 0) t.hour = 0;
  else if ((cmp = Math.sign(t.hour - tm.hour)) !== 0) t.min = 0;
  else if ((cmp = Math.sign(t.min - tm.min)) !== 0) t.sec = 0;
  else cmp = Math.sign(t.sec - tm.sec);
  if (cmp < 0) return 'error';
  if (cmp > 0) {
    Object.assign(tm, t);
    return 'normalized';
  }
  return 'ok';
}

function matchesWeekday(bits: number, tm: Tm, clock: Clock): boolean {
  if (bits < 0 || bits >= ALL_WEEKDAYS) return true;
  const t: Tm = { ...tm };
  const r = clock.normalize(t);
  if (r === undefined || r < 0) return false;
  return (bits & (1 << (t.wday === 0 ? 6 : t.wday - 1))) !== 0;
}

/** Thrown when the search does not settle (systemd: "Infinite loop in calendar calculation"). */
export class CalendarLoopError extends Error {
  constructor(readonly spec: CalendarSpec) {
    super(`Infinite loop in calendar calculation: ${formatCalendarSpec(spec)}`);
  }
}

/** Finds the first matching time at or after tm + usec; undefined when there is none. */
function findNext(spec: CalendarSpec, clock: Clock, start: Tm, startUsec: number): { tm: Tm; usec: number } | undefined {
  const c: Tm = { ...start };
  let usec = startUsec;
  const resetBelow = (field: 'mon' | 'mday' | 'hour' | 'min' | 'sec'): void => {
    const order = ['mon', 'mday', 'hour', 'min', 'sec'] as const;
    for (const f of order.slice(order.indexOf(field))) c[f] = f === 'mday' ? 1 : 0;
    usec = 0;
  };
  for (let iteration = 0; iteration < MAX_CALENDAR_ITERATIONS; iteration++) {
    clock.normalize(c);
    c.isdst = spec.dst;

    const year = matchComponent(spec, spec.year, c, clock, c.year);
    if (year === undefined) return undefined;
    if (year !== c.year) {
      c.year = year;
      resetBelow('mon');
    }
    if (withinBounds(c, clock) !== 'ok') return undefined;

    const month = matchComponent(spec, spec.month, c, clock, c.mon + 1);
    let bounds: Bounds = 'error';
    if (month !== undefined) {
      if (month !== c.mon + 1) {
        c.mon = month - 1;
        resetBelow('mday');
      }
      bounds = withinBounds(c, clock);
    }
    if (bounds === 'error') {
      c.year++;
      resetBelow('mon');
      continue;
    }
    if (bounds === 'normalized') continue;

    const day = matchComponent(spec, spec.day, c, clock, c.mday);
    bounds = 'error';
    if (day !== undefined) {
      if (day !== c.mday) {
        c.mday = day;
        resetBelow('hour');
      }
      bounds = withinBounds(c, clock);
    }
    if (bounds === 'error') {
      c.mon++;
      resetBelow('mday');
      continue;
    }
    if (bounds === 'normalized') continue;

    if (!matchesWeekday(spec.weekdaysBits, c, clock)) {
      c.mday++;
      resetBelow('hour');
      continue;
    }

    const hour = matchComponent(spec, spec.hour, c, clock, c.hour);
    bounds = 'error';
    if (hour !== undefined) {
      if (hour !== c.hour) {
        c.hour = hour;
        resetBelow('min');
      }
      bounds = withinBounds(c, clock);
    }
    if (bounds === 'error') {
      c.mday++;
      resetBelow('hour');
      continue;
    }
    // The hour may not exist (DST): start again from the normalized time.
    if (bounds === 'normalized') continue;

    const minute = matchComponent(spec, spec.minute, c, clock, c.min);
    bounds = 'error';
    if (minute !== undefined) {
      if (minute !== c.min) {
        c.min = minute;
        resetBelow('sec');
      }
      bounds = withinBounds(c, clock);
    }
    if (bounds === 'error') {
      c.hour++;
      resetBelow('min');
      continue;
    }
    if (bounds === 'normalized') continue;

    const current = c.sec * USEC_PER_SEC + usec;
    const micro = matchComponent(spec, spec.microsecond, c, clock, current);
    bounds = 'error';
    if (micro !== undefined) {
      usec = micro % USEC_PER_SEC;
      c.sec = Math.floor(micro / USEC_PER_SEC);
      bounds = withinBounds(c, clock);
    }
    if (bounds === 'error') {
      c.min++;
      resetBelow('sec');
      continue;
    }
    if (bounds === 'normalized') continue;

    return { tm: c, usec };
  }
  throw new CalendarLoopError(spec);
}


/**
 * The first elapse strictly after `afterUsec` (µs since the epoch), in the spec's zone or
 * the local one (TZ); undefined when the expression never elapses again. Throws
 * CalendarLoopError in the pathological case systemd also gives up on.
 */
export function nextCalendarElapse(spec: CalendarSpec, afterUsec: number): number | undefined {
  if (!timestampFormattable(afterUsec)) return undefined;
  // systemd evaluates a zone-named spec in a forked child: glibc's mktime() memory does not come back.
  const state = spec.timezone ? { ...processMktimeState } : processMktimeState;
  const clock = clockFor(spec, state);
  const usec = Math.floor(afterUsec) + 1;
  const seconds = Math.floor(usec / USEC_PER_SEC);
  const found = findNext(spec, clock, clock.breakDown(seconds), usec - seconds * USEC_PER_SEC);
  if (!found) return undefined;
  const t = clock.normalize(found.tm);
  if (t === undefined || t < 0) return undefined;
  return t * USEC_PER_SEC + found.usec;
}

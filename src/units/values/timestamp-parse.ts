// Timestamps as systemd 252's parse_timestamp() reads them (systemd.time(7)
// "Parsing Timestamps"): "now", "today", "yesterday", "tomorrow", "+5min",
// "-1h", "3h ago", "2 days left", "@1700000000.5", "[Weekday ]2026-11-21[ 19:36[:31[.123]]]",
// "19:36[:31]", "Nov 21 19:36:31", with an optional " UTC" or local zone
// abbreviation (tzname[]) at the end. Dates are read with glibc strptime()'s
// rules (which allow "2026-1-1" and seconds up to 61) and normalized with
// mktime(), so "2026-02-30" is March 2nd as in systemd.
// journalctl --since/--until, systemd-analyze timestamp and --base-time use this.

import { ParseResult, ok, fail } from './result.js';
import { STRERROR } from './errno.js';
import { parseTimespanRaw } from './timespan.js';
import { Tm, gmtime, localtime, mktime, timegm, fieldsToSeconds } from './broken-time.js';
import { localZone, timezoneIsValid } from './tzfile.js';
import { timestampFormattable } from './timestamp.js';


const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;

const WEEKDAY_WORDS: readonly (readonly [string, number])[] = [
  ['Sunday', 0],
  ['Sun', 0],
  ['Monday', 1],
  ['Mon', 1],
  ['Tuesday', 2],
  ['Tue', 2],
  ['Wednesday', 3],
  ['Wed', 3],
  ['Thursday', 4],
  ['Thu', 4],
  ['Friday', 5],
  ['Fri', 5],
  ['Saturday', 6],
  ['Sat', 6],
];

/** The layouts tried in order, as systemd 252 tries them; `fraction` = a ".123" may follow. */
const LAYOUTS: readonly { format: string; fraction: boolean }[] = [
  { format: '%y-%m-%d %H:%M:%S', fraction: true },
  { format: '%Y-%m-%d %H:%M:%S', fraction: true },
  { format: '%b %d %H:%M:%S', fraction: true },
  { format: '%y-%m-%d %H:%M', fraction: false },
  { format: '%Y-%m-%d %H:%M', fraction: false },
  { format: '%y-%m-%d', fraction: false },
  { format: '%Y-%m-%d', fraction: false },
  { format: '%H:%M:%S', fraction: true },
  { format: '%H:%M', fraction: false },
];

const isSpace = (ch: string | undefined): boolean => ch !== undefined && ' \t\n\v\f\r'.includes(ch);

/**
 * The subset of glibc strptime() the layouts use. Fields not in the format keep their
 * value; the weekday is recomputed when a date field was read. Returns the index where
 * parsing stopped, or undefined when the text does not fit.
 */
function strptime(text: string, format: string, tm: Tm): number | undefined {
  let i = 0;
  let dateRead = false;
  const number = (from: number, to: number, digits: number): number | undefined => {
    while (isSpace(text[i])) i++;
    if (!(text[i] >= '0' && text[i] <= '9')) return undefined;
    let val = 0;
    let n = digits;
    do {
      val = val * 10 + Number(text[i++]);
    } while (--n > 0 && val * 10 <= to && text[i] >= '0' && text[i] <= '9');
    return val < from || val > to ? undefined : val;
  };
  for (let f = 0; f < format.length; f++) {
    const ch = format[f];
    if (ch === ' ') {
      while (isSpace(text[i])) i++;
      continue;
    }
    if (ch !== '%') {
      if (text[i] !== ch) return undefined;
      i++;
      continue;
    }
    const conv = format[++f];
    let v: number | undefined;
    switch (conv) {
      case 'Y':
        if ((v = number(0, 9999, 4)) === undefined) return undefined;
        tm.year = v;
        dateRead = true;
        break;
      case 'y':
        if ((v = number(0, 99, 2)) === undefined) return undefined;
        tm.year = v >= 69 ? 1900 + v : 2000 + v;
        dateRead = true;
        break;
      case 'm':
        if ((v = number(1, 12, 2)) === undefined) return undefined;
        tm.mon = v - 1;
        dateRead = true;
        break;
      case 'd':
        if ((v = number(1, 31, 2)) === undefined) return undefined;
        tm.mday = v;
        dateRead = true;
        break;
      case 'H':
        if ((v = number(0, 23, 2)) === undefined) return undefined;
        tm.hour = v;
        break;
      case 'M':
        if ((v = number(0, 59, 2)) === undefined) return undefined;
        tm.min = v;
        break;
      case 'S':
        if ((v = number(0, 61, 2)) === undefined) return undefined;
        tm.sec = v;
        break;
      case 'b': {
        const rest = text.slice(i).toLowerCase();
        let matched = false;
        for (let m = 0; m < 12 && !matched; m++) {
          for (const name of [MONTH_NAMES[m], MONTH_NAMES[m].slice(0, 3)]) {
            if (rest.startsWith(name.toLowerCase())) {
              tm.mon = m;
              i += name.length;
              matched = true;
              break;
            }
          }
        }
        if (!matched) return undefined;
        dateRead = true;
        break;
      }
      default:
        return undefined;
    }
  }
  if (dateRead) {
    const days = Math.floor(fieldsToSeconds({ ...tm, hour: 0, min: 0, sec: 0 }) / 86400);
    tm.wday = (((days + 4) % 7) + 7) % 7;
  }
  return i;
}

/** systemd's parse_fractional_part_u(…, 6) over the digits after a '.'; undefined if none. */
function fractionalMicros(text: string): { value: number; end: number } | undefined {
  let val = 0;
  let k = 0;
  for (; k < 6; k++) {
    const ch = text[k];
    if (!(ch >= '0' && ch <= '9')) {
      if (k === 0) return undefined;
      break;
    }
    val = val * 10 + Number(ch);
  }
  const stop = k;
  for (; k < 6; k++) val *= 10;
  let end = stop;
  if (text[end] >= '5' && text[end] <= '9') val++;
  while (text[end] >= '0' && text[end] <= '9') end++;
  return { value: val, end };
}

function endsWithNoCase(text: string, suffix: string): boolean {
  return text.length >= suffix.length && text.slice(text.length - suffix.length).toLowerCase() === suffix.toLowerCase();
}

function parseImpl(input: string, nowUsec: number): ParseResult<number> {
  const EINVAL = fail<number>(STRERROR.EINVAL);
  let t = input;
  if (t.startsWith('@')) return parseTimespanRaw(t.slice(1));

  let plus = 0;
  let minus = 0;
  let usec = nowUsec;
  const relative = (text: string, sign: 1 | -1): ParseResult<number> | undefined => {
    const r = parseTimespanRaw(text);
    if (!r.ok) return r;
    if (sign > 0) plus = r.value;
    else minus = r.value;
    return undefined;
  };
  let done = false;
  if (t === 'now') done = true;
  else if (t.startsWith('+') || t.startsWith('-')) {
    const r = relative(t.slice(1), t[0] === '+' ? 1 : -1);
    if (r) return r;
    done = true;
  } else if (t.endsWith(' ago') || t.endsWith(' left')) {
    const ago = t.endsWith(' ago');
    const r = relative(t.slice(0, ago ? -4 : -5), ago ? -1 : 1);
    if (r) return r;
    done = true;
  }

  if (!done) {
    let utc = false;
    let dst = -1;
    const zone = localZone();
    if (endsWithNoCase(t, ' UTC')) {
      utc = true;
      t = t.slice(0, -4);
    } else {
      // The local zone's own abbreviations pin the DST flag; no other zone names are read here.
      for (const j of [0, 1]) {
        const name = zone.tzname[j];
        if (!name || t.length <= name.length || !endsWithNoCase(t, name) || t[t.length - name.length - 1] !== ' ') continue;
        t = t.slice(0, t.length - name.length - 1);
        dst = j;
        break;
      }
    }
    const seconds = Math.floor(usec / 1_000_000);
    const tm: Tm = utc ? gmtime(seconds) : localtime(seconds, zone);
    tm.isdst = dst;
    const normalize = (x: Tm): number | undefined => (utc ? timegm(x) : mktime(x, zone));

    let fraction = 0;
    let weekday = -1;
    let parsed: Tm | undefined;
    if (t === 'today' || t === 'yesterday' || t === 'tomorrow') {
      tm.mday += t === 'yesterday' ? -1 : t === 'tomorrow' ? 1 : 0;
      tm.hour = tm.min = tm.sec = 0;
      parsed = tm;
    } else {
      for (const [name, nr] of WEEKDAY_WORDS) {
        if (t.toLowerCase().startsWith(name.toLowerCase()) && t[name.length] === ' ') {
          weekday = nr;
          t = t.slice(name.length + 1);
          break;
        }
      }
      for (const layout of LAYOUTS) {
        const candidate: Tm = { ...tm };
        const end = strptime(t, layout.format, candidate);
        if (end === undefined) continue;
        if (layout.fraction && t[end] === '.') {
          const f = fractionalMicros(t.slice(end + 1));
          if (!f || end + 1 + f.end !== t.length) return EINVAL;
          fraction = f.value;
        } else if (end !== t.length) continue;
        if (!layout.format.includes('%S')) candidate.sec = 0;
        if (!layout.format.includes('%H')) candidate.hour = candidate.min = 0;
        parsed = candidate;
        break;
      }
    }
    if (!parsed) return EINVAL;
    if (weekday >= 0 && parsed.wday !== weekday) return EINVAL;
    const x = normalize(parsed);
    if (x === undefined || x < 0) return EINVAL;
    usec = x * 1_000_000 + fraction;
    if (!timestampFormattable(usec)) return EINVAL;
  }
  usec += plus;
  if (!timestampFormattable(usec)) return EINVAL;
  if (usec < minus) return EINVAL;
  return ok(usec - minus);
}

/**
 * systemd 252's parse_timestamp(): µs since the epoch, or the errno text systemd prints
 * ("Invalid argument", "Numerical result out of range"). `nowUsec` is the reference for
 * relative forms. An IANA zone name as the last word is refused, as 252 on Debian does
 * (its zone-switching path fails); " UTC" and the local abbreviations work.
 */
export function parseTimestamp(text: string, nowUsec: number = Date.now() * 1000): ParseResult<number> {
  const lastSpace = text.lastIndexOf(' ');
  if (lastSpace >= 0 && timezoneIsValid(text.slice(lastSpace + 1)) && !endsWithNoCase(text, ' UTC')) {
    return fail(STRERROR.EINVAL);
  }
  return parseImpl(text, nowUsec);
}

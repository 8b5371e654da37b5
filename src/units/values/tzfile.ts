// Time zones read from the TZif files under /usr/share/zoneinfo (tzfile(5)), so
// that local time, the DST flag and the zone abbreviations are exactly what glibc
// (and therefore systemd) sees. Intl cannot tell whether a time is DST, and
// systemd's calendar arithmetic depends on it.

import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export const ZONEINFO_DIR = '/usr/share/zoneinfo';

/** One local-time type of a zone: its UTC offset in seconds (east positive), DST flag and abbreviation. */
export interface ZoneType {
  readonly offset: number;
  readonly isdst: boolean;
  readonly abbr: string;
}

export interface Zone {
  /**
   * The type in effect at `t` seconds since the epoch. In a leap-counting zone the offset
   * already includes the leap correction, as glibc applies it.
   */
  typeAt(t: number): ZoneType;
  /** How many leap seconds are being inserted at `t` (glibc's leap_hit: the 60th second shown); 0 elsewhere. */
  leapHit?(t: number): number;
  /**
   * For a zone with leap-second records (right/...): the same zone counting them. A process
   * living in such a zone converts every time (gmtime too) with them, which is consistent
   * with itself, so unitd uses the plain zone there; only a calendar spec naming such a zone
   * from a process that does not count them sees the shift (systemd computes it in a child
   * with that TZ and reads the result back as a plain time).
   */
  readonly leapCounting?: Zone;
  /** glibc's tzname[0] / tzname[1] after tzset(): the standard and the DST abbreviation. */
  readonly tzname: readonly [string, string];
  /** glibc's `timezone == 0 && daylight == 0`: plain UTC, so systemd prints no extra "(in UTC)" line. */
  readonly isUtc: boolean;
}

const UTC_TYPE: ZoneType = { offset: 0, isdst: false, abbr: 'UTC' };
export const UTC_ZONE: Zone = { typeAt: () => UTC_TYPE, tzname: ['UTC', 'UTC'], isUtc: true };

// ---------------------------------------------------------------- POSIX TZ strings

/** A transition rule of a POSIX TZ string: `Mm.w.d`, `Jn` or `n`, at `time` seconds local time. */
type Rule =
  | { kind: 'M'; month: number; week: number; weekday: number; time: number }
  | { kind: 'J'; day: number; time: number }
  | { kind: 'N'; day: number; time: number };

interface PosixTz {
  std: ZoneType;
  dst?: ZoneType;
  start?: Rule;
  end?: Rule;
}

function parsePosixTz(spec: string): PosixTz | undefined {
  let i = 0;
  const name = (): string | undefined => {
    if (spec[i] === '<') {
      const close = spec.indexOf('>', i);
      if (close < 0) return undefined;
      const n = spec.slice(i + 1, close);
      i = close + 1;
      return n;
    }
    const start = i;
    while (i < spec.length && /[A-Za-z]/.test(spec[i])) i++;
    return i - start >= 3 ? spec.slice(start, i) : undefined;
  };
  // [+-]hh[:mm[:ss]] in seconds.
  const hms = (): number | undefined => {
    let sign = 1;
    if (spec[i] === '+' || spec[i] === '-') sign = spec[i++] === '-' ? -1 : 1;
    const m = /^(\d{1,3})(?::(\d{1,2}))?(?::(\d{1,2}))?/.exec(spec.slice(i));
    if (!m) return undefined;
    i += m[0].length;
    return sign * (Number(m[1]) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0));
  };
  const rule = (): Rule | undefined => {
    let r: Rule;
    const rest = spec.slice(i);
    let m: RegExpExecArray | null;
    if ((m = /^M(\d+)\.(\d+)\.(\d+)/.exec(rest))) {
      r = { kind: 'M', month: Number(m[1]), week: Number(m[2]), weekday: Number(m[3]), time: 7200 };
    } else if ((m = /^J(\d+)/.exec(rest))) {
      r = { kind: 'J', day: Number(m[1]), time: 7200 };
    } else if ((m = /^(\d+)/.exec(rest))) {
      r = { kind: 'N', day: Number(m[1]), time: 7200 };
    } else return undefined;
    i += m[0].length;
    if (spec[i] === '/') {
      i++;
      const t = hms();
      if (t === undefined) return undefined;
      r.time = t;
    }
    return r;
  };

  const stdName = name();
  if (stdName === undefined) return undefined;
  const stdOff = hms();
  if (stdOff === undefined) return undefined;
  const result: PosixTz = { std: { offset: -stdOff, isdst: false, abbr: stdName } };
  if (i >= spec.length) return result;
  const dstName = name();
  if (dstName === undefined) return undefined;
  let dstOff = -stdOff + 3600;
  if (i < spec.length && spec[i] !== ',') {
    const o = hms();
    if (o === undefined) return undefined;
    dstOff = -o;
  }
  result.dst = { offset: dstOff, isdst: true, abbr: dstName };
  if (spec[i] !== ',') {
    // No rule: POSIX leaves it implementation-defined; glibc uses the US rules.
    result.start = { kind: 'M', month: 3, week: 2, weekday: 0, time: 7200 };
    result.end = { kind: 'M', month: 11, week: 1, weekday: 0, time: 7200 };
    return result;
  }
  i++;
  const start = rule();
  if (start === undefined || spec[i] !== ',') return undefined;
  i++;
  const end = rule();
  if (end === undefined || i !== spec.length) return undefined;
  result.start = start;
  result.end = end;
  return result;
}

/** Days since the epoch of a proleptic Gregorian date (month 1-12, any day). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/** Seconds since the epoch, in local time of the rule's year, at which `rule` happens. */
function ruleLocalSeconds(rule: Rule, year: number): number {
  let days: number;
  if (rule.kind === 'J') {
    // Julian day 1..365, Feb 29 never counted.
    days = daysFromCivil(year, 1, 1) + rule.day - 1 + (isLeapYear(year) && rule.day >= 60 ? 1 : 0);
  } else if (rule.kind === 'N') {
    days = daysFromCivil(year, 1, 1) + rule.day;
  } else {
    const first = daysFromCivil(year, rule.month, 1);
    const firstWeekday = (((first + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
    let day = first + ((rule.weekday - firstWeekday + 7) % 7) + (rule.week - 1) * 7;
    const monthDays = daysFromCivil(rule.month === 12 ? year + 1 : year, rule.month === 12 ? 1 : rule.month + 1, 1) - first;
    while (day - first >= monthDays) day -= 7;
    days = day;
  }
  return days * 86400 + rule.time;
}

function civilYear(t: number): number {
  const days = Math.floor(t / 86400);
  // Good enough to pick the year whose rules apply: refine around the estimate.
  let y = 1970 + Math.floor(days / 365.2425);
  while (daysFromCivil(y, 1, 1) > days) y--;
  while (daysFromCivil(y + 1, 1, 1) <= days) y++;
  return y;
}

function posixTypeAt(tz: PosixTz, t: number): ZoneType {
  if (!tz.dst || !tz.start || !tz.end) return tz.std;
  const year = civilYear(t + tz.std.offset);
  // Start is given in standard local time, end in DST local time.
  const startUtc = ruleLocalSeconds(tz.start, year) - tz.std.offset;
  const endUtc = ruleLocalSeconds(tz.end, year) - tz.dst.offset;
  if (startUtc < endUtc) return t >= startUtc && t < endUtc ? tz.dst : tz.std;
  // Southern hemisphere: DST spans the turn of the year.
  return t >= endUtc && t < startUtc ? tz.std : tz.dst;
}

function posixZone(tz: PosixTz): Zone {
  return {
    typeAt: (t) => posixTypeAt(tz, t),
    tzname: [tz.std.abbr, (tz.dst ?? tz.std).abbr],
    isUtc: tz.std.offset === 0 && !tz.dst,
  };
}

// ---------------------------------------------------------------- TZif files

function parseTzif(data: Buffer): Zone | undefined {
  if (data.length < 44 || data.toString('latin1', 0, 4) !== 'TZif') return undefined;
  const version = data[4];
  const counts = (at: number): number[] => [0, 1, 2, 3, 4, 5].map((k) => data.readUInt32BE(at + 20 + 4 * k));
  let [isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt] = counts(0);
  let at = 44;
  let timeSize = 4;
  if (version >= 0x32) {
    // Skip the 32-bit block and read the 64-bit one.
    at += timecnt * 5 + typecnt * 6 + charcnt + leapcnt * 8 + isstdcnt + isutcnt;
    [isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt] = counts(at);
    at += 44;
    timeSize = 8;
  }
  const transitions: number[] = [];
  for (let k = 0; k < timecnt; k++) {
    transitions.push(timeSize === 8 ? Number(data.readBigInt64BE(at + 8 * k)) : data.readInt32BE(at + 4 * k));
  }
  at += timecnt * timeSize;
  const indices = [...data.subarray(at, at + timecnt)];
  at += timecnt;
  const rawTypes: { offset: number; isdst: boolean; abbrIndex: number }[] = [];
  for (let k = 0; k < typecnt; k++) {
    rawTypes.push({ offset: data.readInt32BE(at), isdst: data[at + 4] !== 0, abbrIndex: data[at + 5] });
    at += 6;
  }
  const chars = data.subarray(at, at + charcnt);
  at += charcnt;
  const leaps: { transition: number; change: number }[] = [];
  for (let k = 0; k < leapcnt; k++) {
    const transition = timeSize === 8 ? Number(data.readBigInt64BE(at)) : data.readInt32BE(at);
    leaps.push({ transition, change: data.readInt32BE(at + timeSize) });
    at += timeSize + 4;
  }
  at += isstdcnt + isutcnt;
  const types: ZoneType[] = rawTypes.map((r) => {
    const end = chars.indexOf(0, r.abbrIndex);
    return { offset: r.offset, isdst: r.isdst, abbr: chars.toString('latin1', r.abbrIndex, end < 0 ? undefined : end) };
  });
  if (types.length === 0) return undefined;

  let footer: PosixTz | undefined;
  if (version >= 0x32 && data[at] === 0x0a) {
    const end = data.indexOf(0x0a, at + 1);
    const spec = data.toString('latin1', at + 1, end < 0 ? undefined : end);
    if (spec) footer = parsePosixTz(spec);
  }

  // glibc: before the first transition the first standard-time type applies.
  const initial = types.find((t) => !t.isdst) ?? types[0];
  const civilTypeAt = (t: number): ZoneType => {
    if (timecnt === 0 || t < transitions[0]) return timecnt === 0 && footer ? posixTypeAt(footer, t) : initial;
    if (t >= transitions[timecnt - 1] && footer) return posixTypeAt(footer, t);
    let lo = 0;
    let hi = timecnt - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (transitions[mid] <= t) lo = mid;
      else hi = mid - 1;
    }
    return types[indices[lo]];
  };

  // tzname[] as glibc leaves it: from the footer's rule when there is one, else from the
  // latest transitions of each kind.
  let tzname: [string, string];
  if (footer) tzname = [footer.std.abbr, (footer.dst ?? footer.std).abbr];
  else {
    let std: string | undefined;
    let dst: string | undefined;
    for (let k = timecnt - 1; k >= 0 && (std === undefined || dst === undefined); k--) {
      const type = types[indices[k]];
      if (type.isdst) dst ??= type.abbr;
      else std ??= type.abbr;
    }
    std ??= initial.abbr;
    tzname = [std, dst ?? std];
  }
  const isUtc = footer ? footer.std.offset === 0 && !footer.dst : types.every((t) => t.offset === 0 && !t.isdst);
  const zone: Zone = { typeAt: civilTypeAt, tzname, isUtc };
  return leaps.length === 0 ? zone : { ...zone, leapCounting: { ...zone, ...withLeapSeconds(civilTypeAt, leaps) } };
}

/**
 * glibc's __tzfile_compute() for zones with leap-second records: the latest record at or
 * before `t` gives the correction subtracted from local time, and `t` falling exactly on
 * an insertion shows second 60 (more than one when insertions follow each other).
 */
function withLeapSeconds(
  civilTypeAt: (t: number) => ZoneType,
  leaps: readonly { transition: number; change: number }[],
): Pick<Zone, 'typeAt' | 'leapHit'> {
  const latest = (t: number): number => {
    let k = leaps.length - 1;
    while (k >= 0 && t < leaps[k].transition) k--;
    return k;
  };
  const corrected = new Map<ZoneType, Map<number, ZoneType>>();
  const typeAt = (t: number): ZoneType => {
    const type = civilTypeAt(t);
    const k = latest(t);
    const correction = k < 0 ? 0 : leaps[k].change;
    if (correction === 0) return type;
    let byCorrection = corrected.get(type);
    if (!byCorrection) corrected.set(type, (byCorrection = new Map()));
    let adjusted = byCorrection.get(correction);
    if (!adjusted) byCorrection.set(correction, (adjusted = { ...type, offset: type.offset - correction }));
    return adjusted;
  };
  const leapHit = (t: number): number => {
    let k = latest(t);
    if (k < 0 || t !== leaps[k].transition) return 0;
    if (!(k === 0 ? leaps[k].change > 0 : leaps[k].change > leaps[k - 1].change)) return 0;
    let hit = 1;
    while (k > 0 && leaps[k].transition === leaps[k - 1].transition + 1 && leaps[k].change === leaps[k - 1].change + 1) {
      hit++;
      k--;
    }
    return hit;
  };
  return { typeAt, leapHit };
}

const cache = new Map<string, Zone | undefined>();

/** Forget the zones read so far (the timezone was changed: /etc/localtime may point elsewhere). */
export function forgetLoadedZones(): void {
  cache.clear();
}

/** A zone by file path; undefined when it is not a readable TZif file. */
function loadZoneFile(file: string): Zone | undefined {
  if (cache.has(file)) return cache.get(file);
  let zone: Zone | undefined;
  try {
    zone = parseTzif(readFileSync(file));
  } catch {
    zone = undefined;
  }
  cache.set(file, zone);
  return zone;
}

/**
 * systemd's timezone_is_valid(): a name made of [A-Za-z0-9_+-] parts separated by
 * single slashes, naming a regular TZif file under /usr/share/zoneinfo. "UTC" is always valid.
 */
export function timezoneIsValid(name: string): boolean {
  if (name === 'UTC') return true;
  if (name === '' || name.startsWith('/') || name.endsWith('/')) return false;
  if (!/^[A-Za-z0-9_+\-/]+$/.test(name) || name.includes('//')) return false;
  const file = path.join(ZONEINFO_DIR, name);
  try {
    if (!statSync(file).isFile()) return false;
    return readFileSync(file).subarray(0, 4).toString('latin1') === 'TZif';
  } catch {
    return false;
  }
}

/** The zone a TZ value names, as glibc's tzset() reads it (`:Name`, `Name`, a path or a POSIX string). */
export function zoneFromTz(tz: string | undefined): Zone {
  if (tz === undefined) return loadZoneFile('/etc/localtime') ?? UTC_ZONE;
  const spec = tz.startsWith(':') ? tz.slice(1) : tz;
  if (spec === '') return UTC_ZONE;
  const file = spec.startsWith('/') ? spec : path.join(ZONEINFO_DIR, spec);
  const zone = loadZoneFile(file);
  if (zone) return zone;
  const posix = parsePosixTz(spec);
  return posix ? posixZone(posix) : unnamedUtc(spec);
}

/**
 * glibc's tzset() on a TZ it cannot parse: UTC, named after the standard-time name it
 * managed to read before failing ("IST" of TZ=IST), or nameless.
 */
function unnamedUtc(spec: string): Zone {
  const name = /^<([A-Za-z0-9+-]{3,})>/.exec(spec)?.[1] ?? /^[A-Za-z]{3,}/.exec(spec)?.[0] ?? '';
  const type: ZoneType = { offset: 0, isdst: false, abbr: name };
  return { typeAt: () => type, tzname: [name, ''], isUtc: true };
}

/** The zone of this process (TZ, else /etc/localtime), re-read on each call so a changed TZ applies. */
export function localZone(): Zone {
  return zoneFromTz(process.env.TZ);
}

/** An IANA zone by name (already checked with timezoneIsValid()), as a calendar spec's child process sees it. */
export function namedZone(name: string): Zone {
  const zone = zoneFromTz(':' + name);
  return zone.leapCounting && !localZone().leapCounting ? zone.leapCounting : zone;
}

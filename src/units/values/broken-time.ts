// Broken-down time ("struct tm") and the conversions systemd's calendar code calls:
// timegm(), gmtime(), localtime() and glibc's mktime(). mktime() is reproduced
// step by step (its probing loop, the guess it keeps from the previous call, its
// choice inside a DST gap and its search for a requested DST flag) because
// systemd's next-elapse computation depends on exactly how out-of-range and
// non-existent local times are normalized.

import { Zone, daysFromCivil } from './tzfile.js';

export interface Tm {
  /** Full year (not years since 1900). */
  year: number;
  /** 0-11 */
  mon: number;
  mday: number;
  hour: number;
  min: number;
  sec: number;
  /** -1 unknown, 0 standard time, 1 DST (glibc tm_isdst). */
  isdst: number;
  /** 0 = Sunday */
  wday: number;
  /** Offset east of UTC in seconds, and the zone abbreviation of the converted time. */
  gmtoff: number;
  zone: string;
}

/** Seconds since the epoch the fields name when read as UTC; fields may be out of range (they carry). */
export function fieldsToSeconds(tm: Pick<Tm, 'year' | 'mon' | 'mday' | 'hour' | 'min' | 'sec'>): number {
  const year = tm.year + Math.floor(tm.mon / 12);
  const mon = ((tm.mon % 12) + 12) % 12;
  const days = daysFromCivil(year, mon + 1, 1) + tm.mday - 1;
  return days * 86400 + tm.hour * 3600 + tm.min * 60 + tm.sec;
}

function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: era * 400 + yoe + (month <= 2 ? 1 : 0), month, day };
}

function splitSeconds(local: number, isdst: number, gmtoff: number, zone: string): Tm {
  const days = Math.floor(local / 86400);
  const rest = local - days * 86400;
  const { year, month, day } = civilFromDays(days);
  return {
    year,
    mon: month - 1,
    mday: day,
    hour: Math.floor(rest / 3600),
    min: Math.floor((rest % 3600) / 60),
    sec: rest % 60,
    isdst,
    wday: (((days + 4) % 7) + 7) % 7,
    gmtoff,
    zone,
  };
}

export function gmtime(t: number): Tm {
  return splitSeconds(t, 0, 0, 'UTC');
}

export function localtime(t: number, zone: Zone): Tm {
  const type = zone.typeAt(t);
  const tm = splitSeconds(t + type.offset, type.isdst ? 1 : 0, type.offset, type.abbr);
  tm.sec += zone.leapHit?.(t) ?? 0;
  return tm;
}

/** timegm(): normalizes `tm` in place and returns the time. */
export function timegm(tm: Tm): number {
  const t = fieldsToSeconds(tm);
  Object.assign(tm, gmtime(t));
  return t;
}

/**
 * glibc keeps the UTC offset of the previous mktime() result as the first guess of the
 * next call; inside a DST overlap that guess decides which of the two instants is chosen.
 */
export interface MktimeState {
  offset: number;
}

export const processMktimeState: MktimeState = { offset: 0 };

function isdstDiffer(a: number, b: number): boolean {
  return !a !== !b && a >= 0 && b >= 0;
}

/** glibc mktime(): normalizes `tm` in place to local time in `zone`; returns the time, or undefined. */
export function mktime(tm: Tm, zone: Zone, state: MktimeState = processMktimeState): number | undefined {
  const isdst = tm.isdst;
  // glibc clamps seconds to 0..59 while probing and adds the excess back at the end (leap seconds).
  const secRequested = tm.sec;
  const sec = Math.min(Math.max(secRequested, 0), 59);
  const local = fieldsToSeconds({ ...tm, sec });
  const offsetAt = (t: number) => zone.typeAt(t);

  let t = local - state.offset;
  let t1 = t;
  let t2 = t;
  let dst2 = false;
  let found = false;
  for (let remaining = 6; ; ) {
    const type = offsetAt(t);
    const gt = local - type.offset;
    if (gt === t) break;
    // Oscillating across a spring-forward gap: stop on the candidate glibc prefers (with no
    // flag requested, the DST one when only one of the two is DST).
    if (t === t1 && t !== t2 && (isdst < 0 ? Number(dst2) <= Number(type.isdst) : (isdst !== 0) !== type.isdst)) {
      found = true;
      break;
    }
    if (--remaining === 0) return undefined;
    t1 = t2;
    t2 = t;
    t = gt;
    dst2 = type.isdst;
  }
  if (!found && isdstDiffer(isdst, offsetAt(t).isdst ? 1 : 0)) {
    // The wrong DST flag: use the offset of the nearest time (in steps of about a week,
    // up to about seven years away) that has the requested flag.
    const stride = 601200;
    const bound = Math.floor(457243209 / 2) + stride;
    let moved = false;
    for (let delta = stride; delta < bound && !moved; delta += stride) {
      for (const direction of [-1, 1]) {
        const other = offsetAt(t + delta * direction);
        if (!isdstDiffer(isdst, other.isdst ? 1 : 0)) {
          t = local - other.offset;
          moved = true;
          break;
        }
      }
    }
    if (!moved) return undefined;
  }
  state.offset = local - t;
  if (secRequested !== sec) t += secRequested - sec;
  Object.assign(tm, localtime(t, zone));
  return t;
}

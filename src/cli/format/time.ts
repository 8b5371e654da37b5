// Time as systemctl prints it. Absolute timestamps and spans come from the
// unit-file value helpers (one formatter for the whole project); the relative
// "5s ago" is only ever printed by the CLI, so it lives here.

import { formatTimespan } from '../../units/values/timespan.js';
import { formatTimestamp } from '../../units/values/timestamp.js';

export { formatTimespan, formatTimestamp };

const SEC = 1_000_000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
const MONTH = 2_629_800 * SEC;
const YEAR = 31_557_600 * SEC;

/** systemd 252's format_timestamp_relative(): "1s ago", "2min 6s ago", "1 day 3h ago", "1 month 0 days ago", "now". */
export function formatRelative(usec: number, nowUsec: number): string {
  const past = nowUsec > usec;
  const d = Math.abs(nowUsec - usec);
  const s = past ? 'ago' : 'left';
  const f = Math.floor;
  if (d >= YEAR) {
    const years = f(d / YEAR);
    const months = f((d % YEAR) / MONTH);
    return `${years} ${years === 1 ? 'year' : 'years'} ${months} ${months === 1 ? 'month' : 'months'} ${s}`;
  }
  if (d >= MONTH) {
    const months = f(d / MONTH);
    const days = f((d % MONTH) / DAY);
    return `${months} ${months === 1 ? 'month' : 'months'} ${days} ${days === 1 ? 'day' : 'days'} ${s}`;
  }
  if (d >= WEEK) {
    const weeks = f(d / WEEK);
    const days = f((d % WEEK) / DAY);
    return `${weeks} ${weeks === 1 ? 'week' : 'weeks'} ${days} ${days === 1 ? 'day' : 'days'} ${s}`;
  }
  if (d >= 2 * DAY) return `${f(d / DAY)} days ${s}`;
  if (d >= 25 * HOUR) return `1 day ${f((d - DAY) / HOUR)}h ${s}`;
  if (d >= 6 * HOUR) return `${f(d / HOUR)}h ${s}`;
  if (d >= HOUR) return `${f(d / HOUR)}h ${f((d % HOUR) / MIN)}min ${s}`;
  if (d >= 5 * MIN) return `${f(d / MIN)}min ${s}`;
  if (d >= MIN) return `${f(d / MIN)}min ${f((d % MIN) / SEC)}s ${s}`;
  if (d >= SEC) return `${f(d / SEC)}s ${s}`;
  if (d >= 1000) return `${f(d / 1000)}ms ${s}`;
  if (d > 0) return `${d}us ${s}`;
  return 'now';
}

/** systemd's format_bytes(): 1024-based with one decimal, "4.0K", "1.5M", "512B". */
export function formatBytes(bytes: number): string {
  const units = ['E', 'P', 'T', 'G', 'M', 'K'];
  for (let i = 0; i < units.length; i++) {
    const factor = 1024 ** (units.length - i);
    if (bytes >= factor) return `${Math.floor(bytes / factor)}.${Math.floor((bytes * 10) / factor) % 10}${units[i]}`;
  }
  return `${bytes}B`;
}

export function nowUsec(): number {
  return Date.now() * 1000;
}

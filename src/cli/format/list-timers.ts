// `systemctl list-timers`: NEXT LEFT LAST PASSED UNIT ACTIVATES, each column padded to its widest
// cell (systemd 252's verb_list_timers(), semantics §12.5).

import { table } from './list-units.js';
import { formatRelative, formatTimestamp } from './time.js';

export interface TimerRow {
  id: string;
  /** Wall clock µs of the next elapse (0: none). */
  next: number;
  /** Wall clock µs of the last trigger (0: never). */
  last: number;
  activates: string[];
}

export interface ListTimersOptions {
  all: boolean;
  legend: boolean;
  nowUsec: number;
}

/**
 * calc_next_elapse(): the monotonic deadline moved onto the wall clock, and the earlier of
 * that and the realtime deadline.
 */
export function nextElapse(nextRealtime: number, nextMonotonic: number, nowRealtime: number, nowMonotonic: number): number {
  // timestamp_is_set(): neither 0 nor infinity (a timer that is not waiting) is a time.
  if (!(nextMonotonic > 0) || !Number.isFinite(nextMonotonic)) return nextRealtime > 0 ? nextRealtime : 0;
  const converted = nowRealtime + (nextMonotonic - nowMonotonic);
  return nextRealtime > 0 ? Math.min(converted, nextRealtime) : converted;
}

/** By next elapse, timers with none last, then by name (as observed with systemd 252). */
function compare(a: TimerRow, b: TimerRow): number {
  const an = a.next > 0 ? a.next : Number.POSITIVE_INFINITY;
  const bn = b.next > 0 ? b.next : Number.POSITIVE_INFINITY;
  if (an !== bn) return an < bn ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function formatListTimers(timers: readonly TimerRow[], o: ListTimersOptions): string[] {
  const sorted = [...timers].sort(compare);
  const rows = sorted.map((t) => [
    t.next > 0 ? formatTimestamp(t.next) : '-',
    t.next > 0 ? formatRelative(t.next, o.nowUsec) : '-',
    t.last > 0 ? formatTimestamp(t.last) : '-',
    t.last > 0 ? formatRelative(t.last, o.nowUsec) : '-',
    t.id,
    t.activates.join(', '),
  ]);
  if (!o.legend) return table(rows);
  // systemd 252 does not singularise: "1 timers listed."
  const lines = [...table([['NEXT', 'LEFT', 'LAST', 'PASSED', 'UNIT', 'ACTIVATES'], ...rows]), '', `${sorted.length} timers listed.`];
  if (!o.all) lines.push('Pass --all to see loaded but inactive timers, too.');
  return lines;
}

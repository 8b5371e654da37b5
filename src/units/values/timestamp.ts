// Wall-clock timestamps the way systemctl prints them: "Sat 2026-11-21 19:36:19 UTC".

import { localtime } from './broken-time.js';
import { UTC_ZONE, localZone } from './tzfile.js';

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/**
 * systemd's USEC_TIMESTAMP_FORMATTABLE_MAX is the last µs of 9999-12-30 UTC; later times are neither
 * printed nor accepted. Compared as "before the next second" because µs this large are beyond a
 * double's integer precision.
 */
export function timestampFormattable(usec: number): boolean {
  return usec < 253_402_214_400_000_000;
}

/**
 * Format a realtime timestamp in µs since the epoch (systemctl show style). Zero,
 * negative, infinite or unformattable values are "no timestamp": systemd prints nothing.
 * `utc` forces UTC regardless of the TZ of the process; otherwise the zone abbreviation
 * comes from the zone's TZif data, as glibc's tm_zone ("CET", "EDT", "-03").
 */
export function formatTimestamp(usec: number, opts: { utc?: boolean } = {}): string {
  if (!Number.isFinite(usec) || usec <= 0 || !timestampFormattable(usec)) return '';
  const seconds = Math.floor(usec / 1_000_000);
  const tm = localtime(seconds, opts.utc ? UTC_ZONE : localZone());
  return (
    `${WEEKDAYS[tm.wday]} ${tm.year}-${pad2(tm.mon + 1)}-${pad2(tm.mday)} ` +
    `${pad2(tm.hour)}:${pad2(tm.min)}:${pad2(tm.sec)} ${tm.zone}`
  );
}

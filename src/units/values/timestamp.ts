// Wall-clock timestamps the way systemctl prints them: "Sat 2026-11-21 19:36:19 UTC".

import { localtime } from './broken-time.js';
import { UTC_ZONE, localZone } from './tzfile.js';

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** Beyond the end of 9999-12-30 UTC systemd prints no timestamp (USEC_TIMESTAMP_FORMATTABLE_MAX). */
const USEC_FORMATTABLE_MAX = 253_402_214_399_999_999;

/**
 * Format a realtime timestamp in µs since the epoch (systemctl show style). Zero,
 * negative, infinite or unformattable values are "no timestamp": systemd prints nothing.
 * `utc` forces UTC regardless of the TZ of the process; otherwise the zone abbreviation
 * comes from the zone's TZif data, as glibc's tm_zone ("CET", "EDT", "-03").
 */
export function formatTimestamp(usec: number, opts: { utc?: boolean } = {}): string {
  if (!Number.isFinite(usec) || usec <= 0 || usec > USEC_FORMATTABLE_MAX) return '';
  const seconds = Math.floor(usec / 1_000_000);
  const tm = localtime(seconds, opts.utc ? UTC_ZONE : localZone());
  return (
    `${WEEKDAYS[tm.wday]} ${tm.year}-${pad2(tm.mon + 1)}-${pad2(tm.mday)} ` +
    `${pad2(tm.hour)}:${pad2(tm.min)}:${pad2(tm.sec)} ${tm.zone}`
  );
}

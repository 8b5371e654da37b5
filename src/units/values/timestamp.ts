// Wall-clock timestamps the way systemctl prints them: "Sat 2026-11-21 19:36:19 UTC".

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** The local zone's abbreviation; containers run in UTC, where this is exactly "UTC". */
function zoneName(date: Date, timeZone?: string): string {
  const part = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'short' })
    .formatToParts(date)
    .find((p) => p.type === 'timeZoneName');
  return part?.value ?? 'UTC';
}

/**
 * Format a realtime timestamp in µs since the epoch (systemctl show style). Zero,
 * negative or infinite values are "no timestamp": systemd prints nothing.
 * `utc` forces UTC regardless of the TZ of the process.
 */
export function formatTimestamp(usec: number, opts: { utc?: boolean } = {}): string {
  if (!Number.isFinite(usec) || usec <= 0) return '';
  const date = new Date(Math.floor(usec / 1000));
  if (opts.utc) {
    return (
      `${WEEKDAYS[date.getUTCDay()]} ${date.getUTCFullYear()}-${pad2(date.getUTCMonth() + 1)}-${pad2(date.getUTCDate())} ` +
      `${pad2(date.getUTCHours())}:${pad2(date.getUTCMinutes())}:${pad2(date.getUTCSeconds())} UTC`
    );
  }
  return (
    `${WEEKDAYS[date.getDay()]} ${date.getFullYear()}-${pad2(date.getMonth() + 1)}-${pad2(date.getDate())} ` +
    `${pad2(date.getHours())}:${pad2(date.getMinutes())}:${pad2(date.getSeconds())} ${zoneName(date, opts.utc ? 'UTC' : undefined)}`
  );
}

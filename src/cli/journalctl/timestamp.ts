// Timestamps as journalctl's --since/--until take them (systemd.time(7), parse_timestamp()):
//   "2026-11-21 19:36:31", "2026-11-21 19:36", "2026-11-21", "19:36:31", "19:36" (today),
//   optional ".123456" fractions, a 'T' between date and time, a leading weekday and a
//   trailing " UTC"; "now", "today", "yesterday", "tomorrow", "epoch", "@1700000000.5";
//   relative "-10min", "+1h", "3h ago", "2 days left".
// Local time unless " UTC" is given, like systemd.

import { parseTimespanRaw } from '../../units/values/timespan.js';

const DAY_USEC = 86_400_000_000;
const WEEKDAY = /^(mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+/i;
const DATE_TIME =
  /^(?:(\d{2}|\d{4})-(\d{1,2})-(\d{1,2}))?(?:(?:^|[ T])(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?$/;

/** µs since the epoch, or undefined when the text is not a timestamp. */
export function parseTimestamp(text: string, nowUsec = Date.now() * 1000): number | undefined {
  let input = text.trim();
  if (input === '') return undefined;
  const named = namedTimestamp(input, nowUsec);
  if (named !== undefined) return named;
  if (input.startsWith('@')) {
    const seconds = Number(input.slice(1));
    return /^\d+(\.\d+)?$/.test(input.slice(1)) ? Math.round(seconds * 1_000_000) : undefined;
  }
  if (input.startsWith('+') || input.startsWith('-')) return relative(input.slice(1), input[0] === '+' ? 1 : -1, nowUsec);
  if (input.endsWith(' ago')) return relative(input.slice(0, -4), -1, nowUsec);
  if (input.endsWith(' left')) return relative(input.slice(0, -5), 1, nowUsec);

  input = input.replace(WEEKDAY, '');
  let utc = false;
  if (/\s+UTC$/i.test(input)) {
    utc = true;
    input = input.replace(/\s+UTC$/i, '');
  }
  const match = DATE_TIME.exec(input);
  if (!match || (match[1] === undefined && match[4] === undefined)) return undefined;
  const [, yearText, monthText, dayText, hourText, minuteText, secondText, fractionText] = match;
  const now = new Date(Math.floor(nowUsec / 1000));
  let year = utc ? now.getUTCFullYear() : now.getFullYear();
  let month = (utc ? now.getUTCMonth() : now.getMonth()) + 1;
  let day = utc ? now.getUTCDate() : now.getDate();
  if (yearText !== undefined) {
    // %y: two-digit years are 1969-2068, as strptime reads them.
    year = yearText.length === 2 ? (Number(yearText) < 69 ? 2000 : 1900) + Number(yearText) : Number(yearText);
    month = Number(monthText);
    day = Number(dayText);
  }
  const hour = Number(hourText ?? 0);
  const minute = Number(minuteText ?? 0);
  const second = Number(secondText ?? 0);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined;
  const fraction = fractionText === undefined ? 0 : Number(fractionText.padEnd(6, '0'));
  const millis = utc
    ? Date.UTC(year, month - 1, day, hour, minute, second)
    : new Date(year, month - 1, day, hour, minute, second).getTime();
  // Reject dates that rolled over (Feb 30): systemd's mktime check does the same.
  const check = new Date(millis);
  if ((utc ? check.getUTCDate() : check.getDate()) !== day) return undefined;
  return millis * 1000 + fraction;
}

function namedTimestamp(input: string, nowUsec: number): number | undefined {
  const midnight = () => {
    const d = new Date(Math.floor(nowUsec / 1000));
    return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime() * 1000;
  };
  switch (input) {
    case 'now':
      return nowUsec;
    case 'epoch':
      return 0;
    case 'today':
      return midnight();
    case 'yesterday':
      return startOfDayNear(midnight() - DAY_USEC / 2);
    case 'tomorrow':
      return startOfDayNear(midnight() + DAY_USEC + DAY_USEC / 2);
    default:
      return undefined;
  }
}

/** Local midnight of the day containing `usec` (days are not always 24 h across DST). */
function startOfDayNear(usec: number): number {
  const d = new Date(Math.floor(usec / 1000));
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime() * 1000;
}

function relative(span: string, sign: 1 | -1, nowUsec: number): number | undefined {
  const parsed = parseTimespanRaw(span);
  if (!parsed.ok || !Number.isFinite(parsed.value)) return undefined;
  return nowUsec + sign * parsed.value;
}

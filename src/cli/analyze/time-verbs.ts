// systemd-analyze's offline time verbs: `calendar`, `timespan`, `timestamp`.
// Output is systemd 252's vertical table (labels right-aligned to the colon),
// error lines and the "Hint:" lines it adds when the text fits another verb.

import { CliIO } from '../io.js';
import { formatRelative } from '../format/time.js';
import { formatTimestamp, timestampFormattable } from '../../units/values/timestamp.js';
import { formatTimespan, parseTimespanRaw, USEC_INFINITY } from '../../units/values/timespan.js';
import { parseTimestamp } from '../../units/values/timestamp-parse.js';
import {
  CalendarLoopError,
  CalendarSpec,
  CalendarSpecError,
  formatCalendarSpec,
  nextCalendarElapse,
  parseCalendarSpec,
} from '../../units/values/calendar.js';
import { localZone } from '../../units/values/tzfile.js';

export interface TimeVerbOptions {
  iterations: number;
  /** µs since the epoch; undefined = now. */
  baseTime?: number;
  nowUsec: number;
}

/** systemd's vertical table: "<label>:" right-aligned to the widest label, then the value; "-" for none. */
function printVertical(io: CliIO, rows: readonly (readonly [string, string])[]): void {
  const width = Math.max(...rows.map(([label]) => [...label].length));
  const cells = rows.map(([, value]) => (value === '' ? '-' : value));
  const valueWidth = Math.max(...cells.map((cell) => [...cell].length));
  // systemd's table drops the blanks that end a cell narrower than its column ("*-*-* " shows as
  // "*-*-*"), but prints the widest cell as it is ("1d 1h 1min 1s " keeps its blank).
  rows.forEach(([label], k) => {
    const cell = cells[k];
    io.out(`${' '.repeat(width - [...label].length)}${label}: ${[...cell].length >= valueWidth ? cell : cell.trimEnd()}`);
  });
}

/** The "Hint:" lines time_parsing_hint() prints for text that another verb would take. */
function hints(io: CliIO, text: string, check: { calendar?: boolean; timestamp?: boolean; timespan?: boolean }, nowUsec: number): void {
  if (check.calendar && isCalendar(text)) {
    io.err(`Hint: this expression is a valid calendar specification. Use 'systemd-analyze calendar "${text}"' instead?`);
  }
  if (check.timestamp && parseTimestamp(text, nowUsec).ok) {
    io.err(`Hint: this expression is a valid timestamp. Use 'systemd-analyze timestamp "${text}"' instead?`);
  }
  if (check.timespan && parseTimespanRaw(text).ok) {
    io.err(`Hint: this expression is a valid timespan. Use 'systemd-analyze timespan "${text}"' instead?`);
  }
}

function isCalendar(text: string): boolean {
  try {
    parseCalendarSpec(text);
    return true;
  } catch {
    return false;
  }
}

const relative = (usec: number, nowUsec: number): string =>
  Number.isFinite(usec) && usec > 0 ? formatRelative(usec, nowUsec) : '';

function calendarOne(io: CliIO, text: string, base: number, o: TimeVerbOptions): number {
  let spec: CalendarSpec;
  try {
    spec = parseCalendarSpec(text);
  } catch (e) {
    if (!(e instanceof CalendarSpecError)) throw e;
    io.err(e.message);
    hints(io, text, { timestamp: true, timespan: true }, o.nowUsec);
    return 1;
  }
  const normalized = formatCalendarSpec(spec);
  const rows: [string, string][] = [];
  if (normalized !== text) rows.push(['Original form', text]);
  rows.push(['Normalized form', normalized]);
  const inUtc = localZone().isUtc;
  let n = base;
  for (let i = 0; i < o.iterations; i++) {
    let next: number | undefined;
    if (!timestampFormattable(n)) {
      io.err(`Failed to determine next elapse for '${text}': Invalid argument`);
      return 1;
    }
    try {
      next = nextCalendarElapse(spec, n);
    } catch (e) {
      if (!(e instanceof CalendarLoopError)) throw e;
      io.err(e.message);
      io.err(`Failed to determine next elapse for '${text}': Resource deadlock avoided`);
      return 1;
    }
    if (next === undefined) {
      if (i === 0) rows.push(['Next elapse', 'never']);
      break;
    }
    rows.push([i === 0 ? 'Next elapse' : `Iter. #${i + 1}`, formatTimestamp(next)]);
    if (!inUtc) rows.push(['(in UTC)', formatTimestamp(next, { utc: true })]);
    rows.push(['From now', relative(next, o.nowUsec)]);
    n = next;
  }
  printVertical(io, rows);
  return 0;
}

/** `systemd-analyze calendar EXPR...`: every expression is shown; rc 1 if any failed. */
export function verbCalendar(io: CliIO, args: readonly string[], o: TimeVerbOptions): number {
  const base = o.baseTime ?? o.nowUsec;
  let rc = 0;
  args.forEach((text, k) => {
    if (calendarOne(io, text, base, o) !== 0 && rc === 0) rc = 1;
    if (k < args.length - 1) io.out('');
  });
  return rc;
}

/** `systemd-analyze timespan SPAN...`: stops at the first invalid one, as 252 does. */
export function verbTimespan(io: CliIO, args: readonly string[], o: TimeVerbOptions): number {
  for (let k = 0; k < args.length; k++) {
    const text = args[k];
    const r = parseTimespanRaw(text);
    if (!r.ok) {
      io.err(`Failed to parse time span '${text}': ${r.error}`);
      hints(io, text, { calendar: true, timestamp: true }, o.nowUsec);
      return 1;
    }
    const micros = r.value === USEC_INFINITY ? '18446744073709551615' : String(r.value);
    printVertical(io, [
      ['Original', text],
      ['\u03bcs', micros],
      ['Human', formatTimespan(r.value)],
    ]);
    if (k < args.length - 1) io.out('');
  }
  return 0;
}

function unixSeconds(usec: number): string {
  if (usec === USEC_INFINITY) return '@18446744073709.551615';
  const seconds = Math.floor(usec / 1_000_000);
  const micros = usec - seconds * 1_000_000;
  return micros === 0 ? `@${seconds}` : `@${seconds}.${String(micros).padStart(6, '0')}`;
}

/** `systemd-analyze timestamp TIME...`: every timestamp is shown; rc 1 if any failed. */
export function verbTimestamp(io: CliIO, args: readonly string[], o: TimeVerbOptions): number {
  let rc = 0;
  args.forEach((text, k) => {
    if (k > 0) io.out('');
    const r = parseTimestamp(text, o.nowUsec);
    if (!r.ok) {
      io.err(`Failed to parse "${text}": ${r.error}`);
      hints(io, text, { calendar: true, timespan: true }, o.nowUsec);
      rc = 1;
      return;
    }
    const rows: [string, string][] = [
      ['Original form', text],
      ['Normalized form', formatTimestamp(r.value)],
    ];
    if (!localZone().isUtc) rows.push(['(in UTC)', formatTimestamp(r.value, { utc: true })]);
    rows.push(['UNIX seconds', unixSeconds(r.value)]);
    rows.push(['From now', r.value === USEC_INFINITY ? '' : relative(r.value, o.nowUsec)]);
    printVertical(io, rows);
  });
  return rc;
}

// `systemctl show`: Key=Value lines, formatted by the property's name the way
// systemd's bus_print_property() formats by D-Bus type, since the daemon sends
// raw values (µs numbers, booleans, lists).

import type { ExecCommandState, ExitStatusSetValue, Properties, PropertyValue, TimerValueState } from '../../control/api.js';
import { signalToString } from '../../units/values/signal.js';
import { MANAGER_PROPERTY_ORDER, propertyOrderOf } from './property-order.js';
import { formatTimespan, formatTimestamp } from './time.js';

export interface ShowOptions {
  /** `-p`: only these, shown even when empty. Undefined means all. */
  properties?: readonly string[];
  /** `--all`: show empty properties too. */
  all?: boolean;
  /** `--value`: values without `Key=`. */
  valueOnly?: boolean;
  /** Manager properties (show without a unit) rather than a unit's. */
  manager?: boolean;
}

// Characters that make systemd's shell_maybe_quote() wrap a list item in
// double quotes; of those, these four also get a backslash inside the quotes.
const NEEDS_QUOTES = /["\\`$*?[\]'()<>|&;!\s]/;
const NEEDS_ESCAPE = /["\\`$]/g;

/** One item of a string list (Documentation=, Environment=), quoted as systemctl does. */
export function quoteListItem(s: string): string {
  if (s === '' || !NEEDS_QUOTES.test(s)) return s;
  return `"${s.replace(NEEDS_ESCAPE, (c) => '\\' + c)}"`;
}

/** Properties holding ExecCommandState lists (each may also appear with an `Ex` suffix). */
const EXEC_COMMAND_PROPERTY = /^Exec(Condition|StartPre|Start|StartPost|Reload|Stop|StopPost)(Ex)?$/;

/** File modes print in octal like systemd's "%04o": UMask=0022, RuntimeDirectoryMode=0755. */
function isModeProperty(name: string): boolean {
  return name === 'UMask' || /DirectoryMode$|^SocketMode$|^DirectoryMode$/.test(name);
}

const CODE_NAMES = ['(null)', 'exited', 'killed', 'dumped'] as const;

/** Properties systemd sends as arrays of pairs: a socket's Listen= (`/run/x.sock (Stream)`). */
const PAIR_LIST_PROPERTIES = new Set(['Listen']);

/** Arrays of structs that print one line per entry, so an empty one prints no line at all, even when asked for with -p. */
const STRUCT_LIST_PROPERTIES: ReadonlySet<string> = new Set(['TimersMonotonic', 'TimersCalendar']);

function isExecList(v: PropertyValue): v is ExecCommandState[] {
  return Array.isArray(v) && v.length > 0 && typeof v[0] === 'object' && 'argv' in v[0];
}

function isExitStatusSet(v: PropertyValue): v is ExitStatusSetValue {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'statuses' in v;
}

/** `1 2 SIGTERM`-style: the exit codes, then the signals by name (bus_print_property()'s `(aiai)` case). */
function formatExitStatusSet(v: ExitStatusSetValue): string {
  return [...v.statuses.map(String), ...v.signals.map((n) => signalToString(n))].join(' ');
}

function isTimerList(v: PropertyValue): v is TimerValueState[] {
  return Array.isArray(v) && v.length > 0 && typeof v[0] === 'object' && 'timerBase' in v[0];
}

/** Wall-clock µs properties whose names do not say so (bus_print_property()'s list). */
const TIMESTAMP_PROPERTIES: ReadonlySet<string> = new Set(['NextElapseUSecRealtime', 'LastTriggerUSec']);

/** TimersMonotonic=/TimersCalendar= entries: `{ OnActiveUSec=1h ; next_elapse=2h 52min 34.383520s }`. */
function formatTimerValue(v: TimerValueState): string {
  if (v.calendar !== undefined) return `{ ${v.timerBase}=${v.calendar} ; next_elapse=${formatTimestamp(v.nextElapse) || 'n/a'} }`;
  return `{ ${v.timerBase}=${formatTimespan(v.usec ?? 0)} ; next_elapse=${formatTimespan(v.nextElapse)} }`;
}

function bracketTime(usec: number): string {
  return usec > 0 ? `[${formatTimestamp(usec)}]` : '[n/a]';
}

/** `{ path=/bin/sleep ; argv[]=/bin/sleep 10 ; ignore_errors=no ; ... }`; the `Ex` form shows flags instead. */
export function formatExecCommand(c: ExecCommandState, ex: boolean): string {
  const status = c.code === 1 ? String(c.status) : `${c.status}/${c.code === 0 ? String(c.status) : signalToString(c.status)}`;
  const middle = ex ? `flags=${c.ignoreErrors ? 'ignore-failure' : ''}` : `ignore_errors=${c.ignoreErrors ? 'yes' : 'no'}`;
  return (
    `{ path=${c.path} ; argv[]=${c.argv.join(' ')} ; ${middle} ; start_time=${bracketTime(c.startTimestamp)} ; ` +
    `stop_time=${bracketTime(c.stopTimestamp)} ; pid=${c.pid} ; code=${CODE_NAMES[c.code] ?? c.code} ; status=${status} }`
  );
}

/** A scalar or list value as text, by property name. */
export function formatValue(name: string, value: PropertyValue): string {
  if (value === null) return '[not set]';
  if (value === 'infinity' || value === Number.POSITIVE_INFINITY) return 'infinity';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number') {
    if (TIMESTAMP_PROPERTIES.has(name)) return formatTimestamp(value);
    if (name.endsWith('USecMonotonic')) return formatTimespan(value);
    if (name.endsWith('Monotonic')) return String(value);
    if (name.endsWith('Timestamp')) return formatTimestamp(value);
    if (name.endsWith('USec')) return formatTimespan(value);
    if (isModeProperty(name)) return value.toString(8).padStart(4, '0');
    return String(value);
  }
  if (typeof value === 'string') return value;
  if (isExitStatusSet(value)) return formatExitStatusSet(value);
  if (isExecList(value)) return value.map((c) => formatExecCommand(c, name.endsWith('Ex'))).join('\n');
  if (isTimerList(value)) return value.map(formatTimerValue).join('\n');
  return (value as string[]).map(quoteListItem).join(' ');
}

/** Lines for one property; Exec lists print one `Name={...}` line per command. */
function propertyLines(name: string, value: PropertyValue, valueOnly: boolean): string[] {
  const prefix = valueOnly ? '' : `${name}=`;
  if (isExecList(value)) return value.map((c) => prefix + formatExecCommand(c, name.endsWith('Ex')));
  // D-Bus arrays of pairs (a(ss)) print one `Name=first (second)` line each.
  if (PAIR_LIST_PROPERTIES.has(name) && Array.isArray(value)) return value.map((v) => prefix + String(v));
  if (isTimerList(value)) return value.map((v) => prefix + formatTimerValue(v));
  if (STRUCT_LIST_PROPERTIES.has(name) && Array.isArray(value) && value.length === 0) return [];
  return [prefix + formatValue(name, value)];
}

function isEmpty(name: string, value: PropertyValue): boolean {
  if (Array.isArray(value)) return value.length === 0;
  if (isExitStatusSet(value)) return value.statuses.length + value.signals.length === 0;
  if (value === '') return true;
  // A timestamp that was never set prints as nothing, so it counts as empty.
  return typeof value === 'number' && (name.endsWith('Timestamp') || TIMESTAMP_PROPERTIES.has(name)) && !(value > 0);
}

/** systemd prints ExecStart= and then ExecStartEx= with flags; derive the Ex form when the daemon sends only one. */
function withExVariants(props: Properties): [string, PropertyValue][] {
  const out: [string, PropertyValue][] = [];
  for (const [k, v] of Object.entries(props)) {
    out.push([k, v]);
    if (k.startsWith('Exec') && isExecList(v) && !(`${k}Ex` in props) && !k.endsWith('Ex')) out.push([`${k}Ex`, v]);
  }
  return out;
}

function ordered(entries: [string, PropertyValue][], order: readonly string[]): [string, PropertyValue][] {
  const rank = new Map(order.map((k, i) => [k, i]));
  return entries
    .map((e, i) => ({ e, r: rank.get(e[0]) ?? order.length + i }))
    .sort((a, b) => a.r - b.r)
    .map((x) => x.e);
}

/** The lines `systemctl show` prints for one unit (or the manager). */
export function formatShow(props: Properties, options: ShowOptions = {}): string[] {
  const wanted = options.properties !== undefined ? new Set(options.properties) : undefined;
  const lines: string[] = [];
  for (const [name, value] of ordered(withExVariants(props), options.manager ? MANAGER_PROPERTY_ORDER : propertyOrderOf(props.Id))) {
    if (wanted !== undefined && !wanted.has(name)) continue;
    if (wanted === undefined && !options.all && isEmpty(name, value)) continue;
    // An Exec list with no commands prints nothing even when asked for.
    if (Array.isArray(value) && value.length === 0 && EXEC_COMMAND_PROPERTY.test(name)) continue;
    lines.push(...propertyLines(name, value, options.valueOnly ?? false));
  }
  return lines;
}

// journalctl's -o modes for our entries (journalctl(1) "--output="). Messages are bytes: a
// message that is not printable UTF-8 shows as "[N blob data]" unless --all, as journalctl does.

import type { StoredEntry } from '../../journal/entry.js';
import { formatBytes } from '../format/time.js';
import { formatTimestamp } from '../../units/values/timestamp.js';
import { formatCursor } from '../../journal/cursor.js';
import { UNKNOWN_BOOT } from '../../journal/boots.js';

export const OUTPUT_MODES = [
  'short',
  'short-full',
  'short-iso',
  'short-iso-precise',
  'short-precise',
  'short-unix',
  'cat',
  'json',
  'json-pretty',
  'json-sse',
  'json-seq',
  'export',
  'verbose',
  'with-unit',
] as const;
export type OutputMode = (typeof OUTPUT_MODES)[number];

export interface OutputContext {
  mode: OutputMode;
  hostname: string;
  /** -a/--all: print messages even when they are not printable. */
  all: boolean;
  /** --utc */
  utc: boolean;
  /** --no-hostname */
  noHostname: boolean;
  /** --output-fields=: what cat, verbose, export and the json modes show (absent: every field). */
  outputFields?: ReadonlySet<string>;
}

/** journalctl(1) --output-fields=: the address fields export and the json modes always show (verbose only its header line). */
const ALWAYS_SHOWN = new Set(['__CURSOR', '__REALTIME_TIMESTAMP', '__MONOTONIC_TIMESTAMP', '_BOOT_ID']);

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/** One entry rendered for the chosen mode, with its trailing newline. */
export function renderEntry(entry: StoredEntry, context: OutputContext): Buffer {
  switch (context.mode) {
    case 'cat':
      return context.outputFields ? renderCatFields(entry, context) : Buffer.concat([entry.message, NEWLINE]);
    case 'json':
      return Buffer.from(JSON.stringify(shownFields(entry, context)) + '\n');
    case 'json-sse':
      return Buffer.from(`data: ${JSON.stringify(shownFields(entry, context))}\n\n`);
    case 'json-seq':
      return Buffer.from(`\x1e${JSON.stringify(shownFields(entry, context))}\n`);
    case 'json-pretty':
      return Buffer.from(prettyJson(shownFields(entry, context)) + '\n');
    case 'verbose':
      return renderVerbose(entry, context);
    case 'export':
      return renderExport(entry, context);
    default:
      return renderShort(entry, context);
  }
}

const NEWLINE = Buffer.from('\n');

function renderShort(entry: StoredEntry, context: OutputContext): Buffer {
  const identifier = entry.identifier || 'unknown';
  const pid = entry.pid > 0 ? `[${entry.pid}]` : '';
  const host = context.noHostname ? '' : ` ${context.hostname}`;
  const unit = context.mode === 'with-unit' && entry.unit ? ` ${entry.unit}` : '';
  const prefix = `${shortTime(entry.timestamp, context)}${host}${unit} ${identifier}${pid}: `;
  if (!isPrintable(entry.message)) {
    if (context.all) return Buffer.concat([Buffer.from(prefix), entry.message, NEWLINE]);
    return Buffer.from(`${prefix}[${formatBytes(entry.message.length)} blob data]\n`);
  }
  // Continuation lines of a multi-line message line up under the first one, as in journalctl.
  const text = entry.message.toString('utf8').replace(/\n$/, '');
  const body = text.split('\n').join('\n' + ' '.repeat(prefix.length));
  return Buffer.from(prefix + body + '\n');
}

function shortTime(usec: number, context: OutputContext): string {
  const date = new Date(Math.floor(usec / 1000));
  const utc = context.utc;
  const year = utc ? date.getUTCFullYear() : date.getFullYear();
  const month = utc ? date.getUTCMonth() : date.getMonth();
  const day = utc ? date.getUTCDate() : date.getDate();
  const hms = [utc ? date.getUTCHours() : date.getHours(), utc ? date.getUTCMinutes() : date.getMinutes(), utc ? date.getUTCSeconds() : date.getSeconds()]
    .map(pad2)
    .join(':');
  const micros = String(usec % 1_000_000).padStart(6, '0');
  switch (context.mode) {
    case 'short-iso':
      return `${year}-${pad2(month + 1)}-${pad2(day)}T${hms}${zoneOffset(date, utc)}`;
    case 'short-iso-precise':
      return `${year}-${pad2(month + 1)}-${pad2(day)}T${hms}.${micros}${zoneOffset(date, utc)}`;
    case 'short-precise':
      return `${MONTHS[month]} ${pad2(day)} ${hms}.${micros}`;
    case 'short-unix':
      return `${Math.floor(usec / 1_000_000)}.${micros}`;
    case 'short-full':
      return formatTimestamp(usec, { utc });
    default:
      return `${MONTHS[month]} ${pad2(day)} ${hms}`;
  }
}

/** strftime's %z: +0000, -0130. */
function zoneOffset(date: Date, utc: boolean): string {
  const minutes = utc ? 0 : -date.getTimezoneOffset();
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad2(Math.floor(abs / 60))}${pad2(abs % 60)}`;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** journalctl's utf8_is_printable(): valid UTF-8 without control characters other than \n and \t. */
export function isPrintable(message: Buffer): boolean {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(message);
  } catch {
    return false;
  }
  // eslint-disable-next-line no-control-regex
  return !/[\x00-\x08\x0b-\x1f\x7f]/.test(text);
}

type JsonValue = string | number[];

/** Fields in journalctl's order: the address fields first, then the entry's own. */
function jsonFields(entry: StoredEntry, context: OutputContext): Record<string, JsonValue> {
  const fields: Record<string, JsonValue> = {
    __CURSOR: formatCursor(entry),
    __REALTIME_TIMESTAMP: String(entry.timestamp),
    __MONOTONIC_TIMESTAMP: String(entry.monotonic ?? 0),
    _BOOT_ID: entry.bootId || UNKNOWN_BOOT,
    PRIORITY: String(entry.priority),
    SYSLOG_IDENTIFIER: entry.identifier,
    _PID: String(entry.pid),
  };
  if (entry.transport) fields._TRANSPORT = entry.transport;
  if (entry.unit) fields._SYSTEMD_UNIT = entry.unit;
  fields._HOSTNAME = context.hostname;
  // Binary fields are arrays of byte values in journalctl's JSON.
  fields.MESSAGE = isPrintable(entry.message) ? entry.message.toString('utf8') : [...entry.message];
  return fields;
}

/** jsonFields() less what --output-fields= leaves out; `always` are kept regardless. */
function shownFields(entry: StoredEntry, context: OutputContext, always: ReadonlySet<string> = ALWAYS_SHOWN): Record<string, JsonValue> {
  const fields = jsonFields(entry, context);
  const only = context.outputFields;
  if (!only) return fields;
  return Object.fromEntries(Object.entries(fields).filter(([key]) => always.has(key) || only.has(key)));
}

/** cat with --output-fields=: the value of each listed field the entry has, one per line (output_cat_field()). */
function renderCatFields(entry: StoredEntry, context: OutputContext): Buffer {
  const fields = jsonFields(entry, context);
  const parts: Buffer[] = [];
  for (const key of context.outputFields ?? []) {
    if (key === 'MESSAGE') parts.push(entry.message, NEWLINE);
    else if (typeof fields[key] === 'string') parts.push(Buffer.from(fields[key] as string), NEWLINE);
  }
  return Buffer.concat(parts);
}

/** systemd's pretty JSON: tab indent and " : " between key and value. */
function prettyJson(fields: Record<string, JsonValue>): string {
  const lines = Object.entries(fields).map(([key, value]) => `\t${JSON.stringify(key)} : ${JSON.stringify(value)}`);
  return `{\n${lines.join(',\n')}\n}`;
}

/**
 * journald's export format (systemd.io JOURNAL_EXPORT_FORMATS): `FIELD=value` lines, a field
 * that is not printable as `FIELD\n` + its length (u64 LE) + the bytes + `\n`, and an empty
 * line after each entry.
 */
function renderExport(entry: StoredEntry, context: OutputContext): Buffer {
  const parts: Buffer[] = [];
  for (const [key, value] of Object.entries(shownFields(entry, context))) {
    if (key === 'MESSAGE' && Array.isArray(value)) {
      const length = Buffer.alloc(8);
      length.writeBigUInt64LE(BigInt(entry.message.length));
      parts.push(Buffer.from('MESSAGE\n'), length, entry.message, NEWLINE);
    } else if (typeof value === 'string' && value.includes('\n')) {
      const bytes = Buffer.from(value);
      const length = Buffer.alloc(8);
      length.writeBigUInt64LE(BigInt(bytes.length));
      parts.push(Buffer.from(`${key}\n`), length, bytes, NEWLINE);
    } else parts.push(Buffer.from(`${key}=${String(value)}\n`));
  }
  parts.push(NEWLINE);
  return Buffer.concat(parts);
}

function renderVerbose(entry: StoredEntry, context: OutputContext): Buffer {
  const micros = String(entry.timestamp % 1_000_000).padStart(6, '0');
  // "Sat 2026-11-21 19:36:31.123456 UTC": the full timestamp with µs before the zone.
  const stamp = formatTimestamp(entry.timestamp, { utc: context.utc }).replace(/(\d{2}:\d{2}:\d{2})/, `$1.${micros}`);
  const lines = [`${stamp} [${formatCursor(entry)}]`];
  // systemd 252's verbose mode keeps _BOOT_ID only when listed (differential: test/integration/diff-verbs.test.ts).
  const fields = shownFields(entry, context, new Set());
  for (const [key, value] of Object.entries(fields)) {
    if (key.startsWith('__')) continue;
    if (key === 'MESSAGE' && Array.isArray(value)) {
      lines.push(`    MESSAGE=[${formatBytes(entry.message.length)} blob data]`);
      continue;
    }
    lines.push(`    ${key}=${Array.isArray(value) ? '' : value}`);
  }
  return Buffer.from(lines.join('\n') + '\n');
}

// One journal record as the rest of unitd sees it. The message is bytes, not a string:
// services write whatever they like to stdout (binary, invalid UTF-8) and journald stores it
// unchanged, so we do too; only the formatters decide how to show it.

import type { LogLine } from '../control/api.js';

export interface JournalEntry {
  /** Wall-clock µs since the epoch, taken when the line was received. */
  timestamp: number;
  /** The unit the line belongs to ('' when the sender is not part of any unit). */
  unit: string;
  /** SYSLOG_IDENTIFIER: SyslogIdentifier= or the executable's name. */
  identifier: string;
  pid: number;
  /** syslog level 0 (emerg) .. 7 (debug). */
  priority: number;
  message: Buffer;
  /** _BOOT_ID (32 hex digits): the daemon start that wrote the entry; '' in records from before boot IDs. */
  bootId?: string;
  /** __MONOTONIC_TIMESTAMP: µs since that daemon start. */
  monotonic?: number;
  /** _TRANSPORT: how the entry reached the journal; absent in records from before it was kept. */
  transport?: Transport;
  /** A stdout stream's own forward flags (its header); never stored. */
  forward?: StreamForward;
}

/**
 * The forward_to_syslog/kmsg/console lines of a stdout stream's header: journald 252's
 * stdout_stream_log() forwards a line when the stream's flag OR journald.conf's ForwardTo*=
 * is on (MaxLevel*= still apply); ForwardToWall= has no per-stream flag.
 */
export interface StreamForward {
  syslog: boolean;
  kmsg: boolean;
  console: boolean;
}

/** journald's _TRANSPORT= values (systemd.journal-fields(7)); a record stores the index + 1. */
export const TRANSPORTS = ['stdout', 'syslog', 'journal', 'driver', 'kernel', 'audit'] as const;
export type Transport = (typeof TRANSPORTS)[number];

/** Where a record sits in the store: segment sequence number and byte offset. */
export interface JournalCursor {
  segment: number;
  offset: number;
}

export interface StoredEntry extends JournalEntry {
  cursor: JournalCursor;
}

/** syslog level names, indexed by level, as `-p` and `PRIORITY=` use them. */
export const PRIORITY_NAMES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'] as const;
export type PriorityName = (typeof PRIORITY_NAMES)[number];
export const DEFAULT_PRIORITY = 6;

export function nowMicros(): number {
  // Date.now() follows wall-clock changes but has ms resolution; the µs digits come from the
  // monotonic clock so records within one millisecond still show distinct -o short-precise times.
  return Date.now() * 1000 + Number(process.hrtime.bigint() / 1000n) % 1000;
}

/** The control protocol's LogLine (the status tail) from a stored entry; bytes decode lossily. */
export function toLogLine(entry: JournalEntry): LogLine {
  return {
    timestamp: entry.timestamp,
    unit: entry.unit,
    identifier: entry.identifier,
    pid: entry.pid,
    priority: entry.priority,
    message: entry.message.toString('utf8'),
  };
}

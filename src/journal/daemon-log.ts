// unitd's own diagnostics (the pino logger's records) without JSON on the console. Each record
// goes three ways, as systemd's own log_*() calls do:
//   - the file `<runtime dir>/unitd.log`: the whole JSON record, stack traces included, bounded
//     by rotation (one previous file, unitd.log.1);
//   - the journal, as the manager's own entry: _PID= the daemon's pid, SYSLOG_IDENTIFIER=unitd,
//     unit init.scope (where systemd files PID 1's messages), so `journalctl _PID=1` and
//     `journalctl -u init.scope` show it;
//   - the console, for warnings and worse: exactly one line, `unitd[1]: <message>`, never a stack.
// Records logged before the journal is open are kept (bounded) and written when it attaches.

import { closeSync, fstatSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { JournalEntry } from './entry.js';

/** Where PID 1's own messages are filed (systemd puts the manager in init.scope). */
export const MANAGER_SCOPE = 'init.scope';
/** SYSLOG_IDENTIFIER of unitd's diagnostics (the manager's unit messages use `systemd`). */
export const DAEMON_IDENTIFIER = 'unitd';
/** The log file is rotated beyond this size; one previous file is kept. */
export const DAEMON_LOG_MAX_BYTES = 4 * 1024 * 1024;
/** Set on a record whose message the caller has already put on the console in its own words. */
export const SHOWN_ON_CONSOLE = 'onConsole';

const PENDING_MAX = 1000;
/** pino levels: trace 10, debug 20, info 30, warn 40, error 50, fatal 60. */
const WARN_LEVEL = 40;
/** Fields of a pino record that are not details of the message. */
const ENVELOPE = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg', 'err', 'unit', SHOWN_ON_CONSOLE]);

export interface DaemonLogOptions {
  /** The log file (normally /run/unitd/unitd.log). */
  file: string;
  /** One console line (the manager's ConsoleWriter). */
  console: (line: string) => void;
  maxFileBytes?: number;
  pid?: number;
  /** daemon-reexec: the first open appends to the previous program's file instead of starting a new one. */
  continueFile?: boolean;
}

interface PinoRecord {
  level?: number;
  time?: number;
  msg?: string;
  unit?: string;
  err?: { message?: string; type?: string };
  [field: string]: unknown;
}

/** syslog priority of a pino level. */
export function priorityOfLevel(level: number): number {
  if (level >= 60) return 2;
  if (level >= 50) return 3;
  if (level >= WARN_LEVEL) return 4;
  if (level >= 30) return 6;
  return 7;
}

/**
 * The one-line text of a record: `unit: message: error`, with the record's other scalar
 * fields in parentheses (`(path=/x, config=/y)`), never a stack.
 */
export function summarize(record: PinoRecord): string {
  let text = record.msg ?? '';
  if (record.unit) text = `${record.unit}: ${text}`;
  const error = record.err?.message;
  if (error && !text.includes(error)) text += `: ${error}`;
  const details = Object.entries(record)
    .filter(([key, value]) => !ENVELOPE.has(key) && value !== undefined && value !== null && typeof value !== 'object')
    .map(([key, value]) => `${key}=${String(value)}`);
  if (details.length > 0) text += ` (${details.join(', ')})`;
  return text.replace(/\s*\n\s*/g, ' ');
}

export class DaemonLog {
  private sink: ((entry: JournalEntry) => void) | undefined;
  private pending: JournalEntry[] = [];
  private fd: number | undefined;
  private fileBytes = 0;
  private fileFailed = false;
  private readonly maxFileBytes: number;
  private readonly pid: number;

  constructor(private readonly options: DaemonLogOptions) {
    this.maxFileBytes = options.maxFileBytes ?? DAEMON_LOG_MAX_BYTES;
    this.pid = options.pid ?? process.pid;
  }

  /** pino's destination interface: one serialized record per call. Never throws. */
  write(line: string): void {
    let record: PinoRecord;
    try {
      record = JSON.parse(line) as PinoRecord;
    } catch {
      record = { level: WARN_LEVEL, msg: line.trim() };
    }
    this.toFile(line.endsWith('\n') ? line : line + '\n');
    const level = record.level ?? 30;
    const summary = summarize(record);
    const entry: JournalEntry = {
      timestamp: typeof record.time === 'number' ? record.time * 1000 : Date.now() * 1000,
      unit: MANAGER_SCOPE,
      identifier: DAEMON_IDENTIFIER,
      pid: this.pid,
      priority: priorityOfLevel(level),
      message: Buffer.from(summary),
      transport: 'journal',
    };
    if (this.sink) this.sink(entry);
    else if (this.pending.length < PENDING_MAX) this.pending.push(entry);
    if (level >= WARN_LEVEL && record[SHOWN_ON_CONSOLE] !== true) this.options.console(`${DAEMON_IDENTIFIER}[${this.pid}]: ${summary}`);
  }

  /** From now on entries go to the journal; what was logged before is written first. */
  attach(sink: (entry: JournalEntry) => void): void {
    this.sink = sink;
    const pending = this.pending;
    this.pending = [];
    for (const entry of pending) sink(entry);
  }

  /** The next record starts a new file (after /run was emptied under it). */
  private continued = false;

  reopen(): void {
    this.close();
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  /** Appends to the file, rotating it beyond the bound; a failing file is given up quietly (the journal still has the line). */
  private toFile(text: string): void {
    if (this.fileFailed) return;
    try {
      if (this.fd !== undefined && this.fileBytes + text.length > this.maxFileBytes) {
        closeSync(this.fd);
        this.fd = undefined;
        renameSync(this.options.file, `${this.options.file}.1`);
      }
      if (this.fd === undefined) {
        mkdirSync(dirname(this.options.file), { recursive: true, mode: 0o755 });
        // A fresh file per start: /run is new at boot anyway, and the old one would only mislead.
        // After a daemon-reexec the same daemon goes on, and so does its file.
        const append = this.options.continueFile === true && !this.continued;
        this.continued = true;
        this.fd = openSync(this.options.file, append ? 'a' : 'w', 0o640);
        this.fileBytes = append ? fstatSync(this.fd).size : 0;
      }
      this.fileBytes += writeSync(this.fd, text);
    } catch {
      this.fileFailed = true;
    }
  }
}

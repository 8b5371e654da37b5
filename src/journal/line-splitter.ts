// Turns the byte stream of a service's stdout/stderr into log records the way journald's
// stream transport does (journald.conf(5) LineMax=, systemd.exec(5) SyslogLevelPrefix=):
//  - a record ends at "\n" or NUL; the delimiter is not part of the message;
//  - a line with no delimiter within LineMax bytes is cut there into several records;
//  - an unterminated last line is still a record when the stream ends;
//  - with SyslogLevelPrefix=yes (the default) a leading "<N>" (N = 0..7, as sd-daemon(3)
//    prefixes) sets the record's priority and is removed. Pieces of a line cut at LineMax keep
//    the priority of the line's start, since only the start can carry a prefix.

import { DEFAULT_PRIORITY } from './entry.js';

export interface SplitLine {
  message: Buffer;
  priority: number;
}

export interface LineSplitterOptions {
  onLine: (line: SplitLine) => void;
  /** LineMax= (default 48 KiB; journald never goes below 79). */
  lineMax?: number;
  /** SyslogLevelPrefix= (default true). */
  levelPrefix?: boolean;
  /** SyslogLevel= (default info). */
  defaultPriority?: number;
}

const NEWLINE = 0x0a;
const NUL = 0x00;

export class LineSplitter {
  private readonly onLine: (line: SplitLine) => void;
  private readonly lineMax: number;
  private readonly levelPrefix: boolean;
  private readonly defaultPriority: number;
  /** Bytes of the current, unterminated line (at most lineMax). */
  private pending: Buffer[] = [];
  private pendingLength = 0;
  /** Priority of the line being continued after a LineMax cut, undefined at a line start. */
  private continuedPriority: number | undefined;

  constructor(options: LineSplitterOptions) {
    this.onLine = options.onLine;
    this.lineMax = Math.max(79, options.lineMax ?? 48 * 1024);
    this.levelPrefix = options.levelPrefix ?? true;
    this.defaultPriority = options.defaultPriority ?? DEFAULT_PRIORITY;
  }

  push(chunk: Buffer): void {
    let start = 0;
    let nextNul = chunk.indexOf(NUL);
    while (start < chunk.length) {
      let end = chunk.indexOf(NEWLINE, start);
      if (nextNul >= 0 && nextNul < start) nextNul = chunk.indexOf(NUL, start);
      if (nextNul >= 0 && (end < 0 || nextNul < end)) end = nextNul;
      const stop = end < 0 ? chunk.length : end;
      this.addPiece(chunk, start, stop);
      if (end < 0) return;
      this.emit(true);
      start = end + 1;
    }
  }

  /** The stream closed: an unterminated last line is still a record. */
  end(): void {
    if (this.pendingLength > 0) this.emit(true);
    this.continuedPriority = undefined;
  }

  /**
   * Appends bytes [from, to) of the chunk to the current line. A record is cut only once a
   * byte beyond LineMax arrives, so a line of exactly LineMax bytes plus "\n" stays one record.
   */
  private addPiece(chunk: Buffer, from: number, to: number): void {
    let at = from;
    while (at < to) {
      if (this.pendingLength >= this.lineMax) this.emit(false);
      const take = Math.min(to - at, this.lineMax - this.pendingLength);
      // Copied: the caller may reuse its chunk, and a small slice must not pin a 64 KiB read buffer.
      this.pending.push(Buffer.from(chunk.subarray(at, at + take)));
      this.pendingLength += take;
      at += take;
    }
  }

  private emit(lineEnded: boolean): void {
    const bytes = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingLength);
    this.pending = [];
    this.pendingLength = 0;
    let priority = this.continuedPriority;
    let message = bytes;
    if (priority === undefined) {
      const prefix = this.levelPrefix ? parseLevelPrefix(bytes) : undefined;
      priority = prefix?.priority ?? this.defaultPriority;
      if (prefix) message = bytes.subarray(prefix.length);
    }
    this.continuedPriority = lineEnded ? undefined : priority;
    this.onLine({ message, priority });
  }
}

/**
 * `<N>` with N a level 0..7, written as 1 to 3 digits; a facility (N > 7) is not accepted on
 * stdout, as journald's syslog_parse_priority(with_facility=false) refuses it too.
 */
export function parseLevelPrefix(line: Buffer): { priority: number; length: number } | undefined {
  if (line.length < 3 || line[0] !== 0x3c) return undefined;
  let value = 0;
  let i = 1;
  while (i < line.length && i <= 3 && line[i] >= 0x30 && line[i] <= 0x39) value = value * 10 + (line[i++] - 0x30);
  if (i === 1 || i >= line.length || line[i] !== 0x3e || value > 7) return undefined;
  return { priority: value, length: i + 1 };
}

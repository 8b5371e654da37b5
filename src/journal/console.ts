// Forwarding service output to PID 1's stdout, so `docker logs` shows it (the container
// equivalent of StandardOutput=journal+console). Two goals pull apart here: every line should
// reach `docker logs`, and a stuck consumer or a closed stdout must never stall or kill PID 1.
// So: while more than `maxBufferBytes` wait in stdout's buffer and stdout is still draining,
// the forwarder reports itself congested and the journal pauses reading service pipes (the
// services slow down to the consumer's pace, as with journald's ForwardToConsole). Once stdout
// has made no progress for `stuckMs` (or holds more than 16x the bound), lines are dropped and
// counted instead, and a "N lines dropped" line is written once stdout drains again.
//
// Line format, chosen by UNITD_CONSOLE_LOG (or the `format` option):
//   unit   (default)  nginx.service: <message>
//   ident             nginx[123]: <message>
//   plain             <message>
//   off               nothing is forwarded
//
// Note: Node writes to a pipe asynchronously (that is the `docker logs` case), but to a file
// or terminal synchronously; with stdout redirected to a file on a stalled disk, writes wait.

import type { Writable } from 'node:stream';
import type { JournalEntry } from './entry.js';

export const CONSOLE_FORMATS = ['unit', 'ident', 'plain', 'off'] as const;
export type ConsoleFormat = (typeof CONSOLE_FORMATS)[number];

export interface ConsoleForwarderOptions {
  /** Default: process.stdout. */
  stream?: Writable;
  /** Default: $UNITD_CONSOLE_LOG, else 'unit'. */
  format?: ConsoleFormat;
  /** Bytes that may wait in the stream's buffer before pipe readers pause (default 1 MiB). */
  maxBufferBytes?: number;
  /** How long stdout may make no progress before lines are dropped instead (default 10 s). */
  stuckMs?: number;
}

/** Beyond this multiple of maxBufferBytes lines are dropped even while stdout drains. */
const HARD_LIMIT_FACTOR = 16;

export interface ConsoleStats {
  forwarded: number;
  dropped: number;
  /** stdout failed (EPIPE, closed): forwarding has stopped for good. */
  broken: boolean;
}

export function consoleFormatFromEnv(value = process.env.UNITD_CONSOLE_LOG): ConsoleFormat {
  const normalized = (value ?? '').trim().toLowerCase();
  if (['no', 'false', '0', 'none'].includes(normalized)) return 'off';
  return (CONSOLE_FORMATS as readonly string[]).includes(normalized) ? (normalized as ConsoleFormat) : 'unit';
}

export class ConsoleForwarder {
  readonly format: ConsoleFormat;
  private readonly stream: Writable;
  private readonly maxBufferBytes: number;
  private forwarded = 0;
  private dropped = 0;
  /** Why the first line of the current run of drops was dropped, for the notice. */
  private dropCause = '';
  private droppedSinceNotice = 0;
  private broken = false;
  private readonly stuckMs: number;
  /** When stdout last showed progress ('drain'), or congestion began, whichever is later. */
  private lastProgress = 0;
  private stuckConfirmed = false;
  private stuckCheck: NodeJS.Timeout | undefined;
  /** When stdout's buffer went over the bound (0 while under it). */
  private overSince = 0;
  /** Bytes handed to stdout, and how many of them had left its buffer at the last check. */
  private writtenBytes = 0;
  private flushedBytes = 0;
  private waiters: Array<() => void> = [];

  constructor(options: ConsoleForwarderOptions = {}) {
    this.stream = options.stream ?? process.stdout;
    this.format = options.format ?? consoleFormatFromEnv();
    this.maxBufferBytes = options.maxBufferBytes ?? 1024 * 1024;
    this.stuckMs = options.stuckMs ?? 10_000;
    if (this.format === 'off') return;
    // EPIPE and friends arrive as 'error' events; without a listener they would crash PID 1.
    this.stream.on('error', () => {
      this.broken = true;
      this.wakeWaiters();
    });
    this.stream.on('drain', () => {
      this.lastProgress = Date.now();
      this.writeDropNotice();
      this.wakeWaiters();
    });
  }

  /**
   * True while stdout holds more than the bound but is still being read: pipe readers should
   * pause until whenUncongested() calls back. False once stdout looks stuck (lines drop then).
   */
  congested(): boolean {
    if (this.format === 'off' || !this.writable()) return false;
    if (this.stream.writableLength <= this.maxBufferBytes) {
      this.overSince = 0;
      return false;
    }
    return !this.stuck();
  }

  /**
   * Over the bound with no bytes leaving stdout's buffer for stuckMs. Wall time alone is not
   * enough: while the daemon's own loop is busy, libuv cannot write either, so "no progress"
   * is only concluded by a timer that has let the loop poll stdout once more (confirmStuck).
   */
  private stuck(): boolean {
    const now = Date.now();
    if (this.overSince === 0) this.overSince = now;
    if (this.progressed(now)) this.stuckConfirmed = false;
    if (this.stuckMs === 0) return true;
    if (!this.stuckConfirmed) this.armStuckCheck();
    return this.stuckConfirmed;
  }

  /** Progress is bytes leaving the buffer, not only 'drain' (which needs it to empty fully). */
  private progressed(now: number): boolean {
    const flushed = this.writtenBytes - this.stream.writableLength;
    if (flushed <= this.flushedBytes) return false;
    this.flushedBytes = flushed;
    this.lastProgress = now;
    return true;
  }

  private armStuckCheck(): void {
    if (this.stuckCheck !== undefined) return;
    const flushedAtArm = this.flushedBytes;
    this.stuckCheck = setTimeout(() => {
      // setImmediate runs after the poll phase: stdout gets its chance to write first.
      setImmediate(() => {
        this.stuckCheck = undefined;
        this.progressed(Date.now());
        if (this.stream.writableLength <= this.maxBufferBytes) return;
        if (this.flushedBytes === flushedAtArm) {
          this.stuckConfirmed = true;
          this.wakeWaiters();
        } else this.armStuckCheck();
      });
    }, this.stuckMs);
    this.stuckCheck.unref();
  }

  /** Calls back when stdout drains, breaks, or is declared stuck. */
  whenUncongested(callback: () => void): void {
    if (!this.congested()) {
      queueMicrotask(callback);
      return;
    }
    // congested() armed the stuck check: it wakes the waiters if stdout stops moving.
    this.waiters.push(callback);
  }

  forward(entry: JournalEntry): void {
    if (this.format === 'off') return;
    const line = this.render(entry);
    const after = this.stream.writableLength + line.length;
    if (after <= this.maxBufferBytes) this.overSince = 0;
    const overBound = after > this.maxBufferBytes && (after > this.maxBufferBytes * HARD_LIMIT_FACTOR || this.stuck());
    if (!this.writable() || overBound) {
      this.dropped++;
      if (this.droppedSinceNotice++ === 0) {
        const waiting = this.stream.writableLength;
        this.dropCause = !this.writable()
          ? 'stdout is closed'
          : waiting + line.length > this.maxBufferBytes * HARD_LIMIT_FACTOR
            ? `${waiting} bytes were waiting`
            : `no progress for ${Math.round((Date.now() - Math.max(this.lastProgress, this.overSince)) / 1000)} s`;
      }
      return;
    }
    this.writeDropNotice();
    this.write(line);
    this.forwarded++;
  }

  stats(): ConsoleStats {
    return { forwarded: this.forwarded, dropped: this.dropped, broken: this.broken };
  }

  private render(entry: JournalEntry): Buffer {
    let prefix = '';
    if (this.format === 'unit') prefix = `${entry.unit || entry.identifier}: `;
    else if (this.format === 'ident') prefix = `${entry.identifier}[${entry.pid}]: `;
    return Buffer.concat([Buffer.from(prefix), entry.message, Buffer.from('\n')]);
  }

  private writeDropNotice(): void {
    if (this.droppedSinceNotice === 0 || !this.writable()) return;
    const notice = Buffer.from(`unitd: ${this.droppedSinceNotice} lines dropped, stdout was too slow (${this.dropCause})\n`);
    if (this.stream.writableLength + notice.length > this.maxBufferBytes) return;
    this.droppedSinceNotice = 0;
    this.write(notice);
  }

  private wakeWaiters(): void {
    if (this.waiters.length === 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  private writable(): boolean {
    return !this.broken && !this.stream.destroyed && !this.stream.writableEnded;
  }

  private write(bytes: Buffer): void {
    this.writtenBytes += bytes.length;
    try {
      this.stream.write(bytes);
    } catch {
      this.broken = true;
    }
  }
}

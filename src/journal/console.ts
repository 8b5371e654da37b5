// Forwarding service output to PID 1's stdout, so `docker logs` shows it (the container
// equivalent of StandardOutput=journal+console). A stuck `docker logs` consumer or a closed
// stdout must never stall or kill PID 1: output is buffered up to a bound, then dropped and
// counted, and a "N lines dropped" line is written once stdout drains again.
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
  /** Bytes that may wait in the stream's buffer before lines are dropped (default 1 MiB). */
  maxBufferBytes?: number;
}

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
  private droppedSinceNotice = 0;
  private broken = false;

  constructor(options: ConsoleForwarderOptions = {}) {
    this.stream = options.stream ?? process.stdout;
    this.format = options.format ?? consoleFormatFromEnv();
    this.maxBufferBytes = options.maxBufferBytes ?? 1024 * 1024;
    if (this.format === 'off') return;
    // EPIPE and friends arrive as 'error' events; without a listener they would crash PID 1.
    this.stream.on('error', () => {
      this.broken = true;
    });
    this.stream.on('drain', () => this.writeDropNotice());
  }

  forward(entry: JournalEntry): void {
    if (this.format === 'off') return;
    const line = this.render(entry);
    if (!this.writable() || this.stream.writableLength + line.length > this.maxBufferBytes) {
      this.dropped++;
      this.droppedSinceNotice++;
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
    const notice = Buffer.from(`unitd: ${this.droppedSinceNotice} lines dropped, stdout was too slow\n`);
    if (this.stream.writableLength + notice.length > this.maxBufferBytes) return;
    this.droppedSinceNotice = 0;
    this.write(notice);
  }

  private writable(): boolean {
    return !this.broken && !this.stream.destroyed && !this.stream.writableEnded;
  }

  private write(bytes: Buffer): void {
    try {
      this.stream.write(bytes);
    } catch {
      this.broken = true;
    }
  }
}

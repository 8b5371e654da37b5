// Where service output and the manager's per-unit messages go. The daemon uses the journal
// (src/journal/journal.ts, which satisfies LogSink); the in-memory ring plus console echo here
// serves tests and a daemon whose journal could not be created. Nothing here may block the
// manager (s6): rings are bounded, console writes are dropped when stdout backs up.

import { readSync } from 'node:fs';
import { Socket } from 'node:net';
import type { LogLine } from '../control/api.js';

export interface LogSink {
  write(line: LogLine): void;
  /** Most recent lines of a unit, oldest first. */
  tail(unit: string, lines: number): LogLine[];
  /**
   * Reads a service's output pipe into the sink (the journal implements it with its own line
   * splitter, SyslogLevelPrefix= and backpressure); without it captureStream reads the pipe.
   */
  capture?(fd: number, meta: CaptureMeta): CapturedStream;
}

/** Who wrote a captured pipe, and how its lines are classified (systemd.exec(5) Syslog*=). */
export interface CaptureMeta {
  unit: string;
  identifier: string;
  pid: number;
  /** SyslogLevel=: the priority of lines without a `<N>` prefix. */
  priority: number;
  /** SyslogLevelPrefix= (default yes). */
  levelPrefix?: boolean;
}

export const PRIORITY = { err: 3, warning: 4, notice: 5, info: 6, debug: 7 } as const;

/**
 * Wall clock minus CLOCK_MONOTONIC at start-up, in µs: the wall clock with µs resolution as
 * performance.timeOrigin + performance.now() gives it, without the global `performance`, whose
 * first touch loads perf_hooks into PID 1 (0.8 MiB of idle RSS, README "Memory").
 */
const REALTIME_MINUS_MONOTONIC_USEC = Date.now() * 1000 - Number(process.hrtime.bigint() / 1000n);

export function nowUSec(): number {
  return REALTIME_MINUS_MONOTONIC_USEC + Number(process.hrtime.bigint() / 1000n);
}

/** Console output that is never allowed to block or grow without bound. */
export class ConsoleWriter {
  private dropped = 0;
  constructor(
    private readonly stream: NodeJS.WritableStream & { writableLength?: number } = process.stdout,
    // Generous: the journal's console forwarder shares stdout and may fill it up to its own
    // bound while stdout drains; the manager's few status lines should not be the ones lost.
    private readonly limit = 16 << 20,
  ) {
    stream.on?.('error', () => {
      /* a closed console must not take PID 1 down */
    });
  }
  line(text: string): void {
    if ((this.stream.writableLength ?? 0) > this.limit) {
      this.dropped++;
      return;
    }
    if (this.dropped > 0) {
      const n = this.dropped;
      this.dropped = 0;
      this.stream.write(`unitd: console was congested, ${n} lines dropped\n`);
    }
    try {
      this.stream.write(text + '\n');
    } catch {
      /* ignore */
    }
  }
}

export class RingLogSink implements LogSink {
  private readonly rings = new Map<string, LogLine[]>();
  constructor(
    private readonly console: ConsoleWriter | undefined,
    private readonly perUnit = 1000,
  ) {}

  write(line: LogLine): void {
    let ring = this.rings.get(line.unit);
    if (!ring) this.rings.set(line.unit, (ring = []));
    ring.push(line);
    if (ring.length > this.perUnit) ring.splice(0, ring.length - this.perUnit);
    if (this.console && line.identifier !== 'systemd') this.console.line(`${line.unit}: ${line.message}`);
  }

  tail(unit: string, lines: number): LogLine[] {
    const ring = this.rings.get(unit) ?? [];
    return lines >= ring.length ? [...ring] : ring.slice(ring.length - lines);
  }
}

const MAX_LINE = 48 * 1024;

export interface CapturedStream {
  /** Read what is already in the pipe right now (before logging the writer's exit, so lines come first). */
  drain(): void;
  /** Flush a partial last line and stop reading. */
  close(): void;
  /** The pipe and whose output it carries, for daemon-reexec. */
  readonly source?: { fd: number; meta: CaptureMeta };
}

/** Read a service's output pipe line by line into the sink. */
export function captureStream(fd: number, sink: LogSink, meta: CaptureMeta): CapturedStream {
  const stream = sink.capture ? sink.capture(fd, meta) : captureIntoSink(fd, sink, meta);
  return { drain: () => stream.drain(), close: () => stream.close(), source: { fd, meta } };
}

/** A sink without its own capture (tests, the in-memory ring): lines read here. */
function captureIntoSink(fd: number, sink: LogSink, meta: CaptureMeta): CapturedStream {
  let socket: Socket;
  try {
    socket = new Socket({ fd, readable: true, writable: false });
  } catch {
    return { drain: () => undefined, close: () => undefined };
  }
  let partial = '';
  let closed = false;
  const decoder = new TextDecoder('utf-8');
  const emit = (message: string) =>
    sink.write({ timestamp: nowUSec(), unit: meta.unit, identifier: meta.identifier, pid: meta.pid, priority: meta.priority, message });
  const take = (chunk: string) => {
    partial += chunk;
    let nl: number;
    while ((nl = partial.indexOf('\n')) >= 0) {
      emit(partial.slice(0, nl));
      partial = partial.slice(nl + 1);
    }
    while (partial.length > MAX_LINE) {
      emit(partial.slice(0, MAX_LINE));
      partial = partial.slice(MAX_LINE);
    }
  };
  socket.on('data', (chunk: Buffer) => take(decoder.decode(chunk, { stream: true })));
  const flush = () => {
    if (partial) emit(partial);
    partial = '';
  };
  socket.on('end', flush);
  socket.on('error', flush);
  const buffer = Buffer.allocUnsafe(64 * 1024);
  return {
    drain() {
      if (closed) return;
      // The fd is non-blocking: read until EAGAIN (bounded, so a chatty writer cannot hold us).
      for (let i = 0; i < 16; i++) {
        let n: number;
        try {
          n = readSync(fd, buffer, 0, buffer.length, null);
        } catch {
          return;
        }
        if (n <= 0) return;
        take(decoder.decode(buffer.subarray(0, n), { stream: true }));
      }
    },
    close() {
      if (closed) return;
      closed = true;
      flush();
      socket.destroy();
    },
  };
}

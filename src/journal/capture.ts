// Reading a service's stdout/stderr pipe into journal entries: bytes in, one entry per line out.

import { readSync } from 'node:fs';
import { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { nowMicros, type JournalEntry, type StreamForward } from './entry.js';
import { LineSplitter } from './line-splitter.js';

export interface CaptureSource {
  unit: string;
  /** SyslogIdentifier= or the executable's name. */
  identifier: string;
  pid: number;
  /** SyslogLevel= (default info). */
  priority?: number;
  /** SyslogLevelPrefix= (default true). */
  levelPrefix?: boolean;
  /** LineMax= (default 48 KiB). */
  lineMax?: number;
  /** A stdout stream's forward flags, carried by each of its entries. */
  forward?: StreamForward;
}

/** Backpressure from the store: pause reading while it is behind (see JournalStore.congested). */
export interface FlowControl {
  congested(): boolean;
  whenUncongested(callback: () => void): void;
}

export interface Capture {
  /** The service's pid changed (ExecStartPre → ExecStart run in the same pipe). */
  setPid(pid: number, identifier?: string): void;
  /**
   * Takes in what is already in the pipe right now, so a process's last lines are recorded
   * before the manager logs its exit. Bounded (1 MiB); the pipe stays open for later writers.
   */
  drain(): void;
  /** Flushes an unterminated last line and stops reading. */
  close(): void;
}

const DRAIN_CHUNK = 64 * 1024;
const DRAIN_MAX_CHUNKS = 16;

/**
 * Reads `source` (a pipe fd, or a stream) until it ends and hands each line to `sink`.
 * Read errors end the capture quietly: a service's broken pipe is not the journal's failure.
 */
export function captureOutput(
  source: number | Readable,
  meta: CaptureSource,
  sink: (entry: JournalEntry) => void,
  flow?: FlowControl,
): Capture {
  let pid = meta.pid;
  let identifier = meta.identifier;
  const forward = meta.forward;
  const splitter = new LineSplitter({
    lineMax: meta.lineMax,
    levelPrefix: meta.levelPrefix,
    defaultPriority: meta.priority,
    onLine: forward
      ? ({ message, priority }) => sink({ timestamp: nowMicros(), unit: meta.unit, identifier, pid, priority, message, transport: 'stdout', forward })
      : ({ message, priority }) => sink({ timestamp: nowMicros(), unit: meta.unit, identifier, pid, priority, message, transport: 'stdout' }),
  });
  let stream: Readable;
  try {
    stream = typeof source === 'number' ? new Socket({ fd: source, readable: true, writable: false }) : source;
  } catch {
    return { setPid: () => {}, drain: () => {}, close: () => {} };
  }
  let ended = false;
  const finish = () => {
    if (ended) return;
    ended = true;
    splitter.end();
  };
  let paused = false;
  stream.on('data', (chunk: Buffer | string) => {
    splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    // Pausing stops libuv's read loop at once, so the writer gets its turn on the event loop
    // and the service waits on a full pipe, as it would with journald.
    if (flow && !paused && flow.congested()) {
      paused = true;
      stream.pause();
      flow.whenUncongested(() => {
        paused = false;
        if (!ended) stream.resume();
      });
    }
  });
  stream.on('end', finish);
  stream.on('error', finish);
  stream.on('close', finish);
  return {
    setPid(newPid, newIdentifier) {
      pid = newPid;
      if (newIdentifier !== undefined) identifier = newIdentifier;
    },
    drain() {
      if (ended) return;
      // Bytes the stream already read but holds while paused are older than what is still in
      // the pipe: they go first, or lines would be recorded out of order.
      for (let chunk = stream.read() as Buffer | string | null; chunk !== null; chunk = stream.read() as Buffer | string | null) {
        if (stream.listenerCount('data') === 0) splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
      }
      if (typeof source !== 'number') return;
      // The parent's end is non-blocking: read until EAGAIN or the bound.
      const buffer = Buffer.allocUnsafe(DRAIN_CHUNK);
      for (let i = 0; i < DRAIN_MAX_CHUNKS; i++) {
        let n: number;
        try {
          n = readSync(source, buffer, 0, buffer.length, null);
        } catch {
          return;
        }
        if (n <= 0) {
          // EOF: the exited process was the last writer, so its unterminated last line is
          // complete now and belongs before the manager's exit message.
          if (n === 0) finish();
          return;
        }
        splitter.push(Buffer.from(buffer.subarray(0, n)));
      }
    },
    close() {
      finish();
      stream.destroy();
    },
  };
}

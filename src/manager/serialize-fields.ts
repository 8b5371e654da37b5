// The pieces every unit type's daemon-reexec snapshot is built from (serialize.ts has the
// manager's part): timers as absolute CLOCK_MONOTONIC deadlines (the clock runs on across
// execve), captured output pipes as their fd and owner, notify sockets as their fd.

import type { DeadlineTimer } from './clock.js';
import { captureStream, type CaptureMeta, type CapturedStream, type LogSink } from './log-sink.js';
import { adoptFd } from '../native/index.js';

/** A DeadlineTimer's deadline, or null when disarmed (JSON has no Infinity). */
export function deadlineOf(timer: DeadlineTimer): number | null {
  return timer.armed && Number.isFinite(timer.deadline) ? timer.deadline : null;
}

/** Arms `timer` at a deadline read back from a snapshot (a past one fires at once). */
export function rearm(timer: DeadlineTimer, deadline: number | null | undefined): void {
  if (typeof deadline === 'number') timer.armAt(deadline);
}

export interface StreamSnapshot {
  key: number;
  fd: number;
  meta: CaptureMeta;
}

/**
 * Output pipes being read into the journal, named to keep. They are not paused: execve follows
 * in the same turn of the event loop, so nothing more is read here, and if it fails they go on.
 */
export function snapshotStreams(streams: Map<number, CapturedStream>, keep: (fd: number) => void): StreamSnapshot[] {
  const out: StreamSnapshot[] = [];
  for (const [key, stream] of streams) {
    if (stream.source === undefined) continue;
    keep(stream.source.fd);
    out.push({ key, fd: stream.source.fd, meta: stream.source.meta });
  }
  return out;
}

/** The same pipes read again by this program, under the same keys. */
export function restoreStreams(list: StreamSnapshot[] | undefined, sink: LogSink, into: Map<number, CapturedStream>): void {
  for (const s of list ?? []) {
    if (adoptFd(s.fd)) into.set(s.key, captureStream(s.fd, sink, s.meta));
  }
}

/** A kept fd if it is still open here, else undefined (the previous program had it closed meanwhile). */
export function keptFd(fd: unknown): number | undefined {
  return typeof fd === 'number' && fd >= 0 && adoptFd(fd) ? fd : undefined;
}

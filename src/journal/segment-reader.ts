// Reading records out of one segment file, forwards from an offset or backwards from the end.
// Reads are chunked so a multi-GiB store is never loaded whole. These are synchronous: they
// serve journalctl, a short-lived process with nothing else to do meanwhile.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { JournalEntry } from './entry.js';
import { decodeRecord, findNextMagic, framedLength, MAX_RECORD_SIZE, MIN_RECORD_SIZE, RECORD_MAGIC_WORD, TRAILER_SIZE, u32 } from './record.js';

const CHUNK = 1024 * 1024;

/** A test on a framed record's header (record.ts), before it is decoded: false = the entry cannot match. */
export type RecordPrefilter = (buffer: Buffer, offset: number) => boolean;

/** Called per record with its offset; return false to stop. */
export type RecordVisitor = (entry: JournalEntry, offset: number) => boolean | void;

export interface ScanResult {
  /** Offset just after the last complete record seen: where a follower resumes. */
  end: number;
  /** False when the visitor asked to stop early. */
  completed: boolean;
}

/**
 * Visits records from `start` to the end of the file. A record still being written (it runs
 * past the end) ends the scan without being visited; a corrupt one is skipped up to the next
 * record magic, so one torn write never hides the records after it. Records `skip` rejects are
 * stepped over by their framing, neither checked nor decoded (they are not shown either way).
 */
export function scanForward(path: string, start: number, visit: RecordVisitor, skip?: RecordPrefilter): ScanResult {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return { end: start, completed: true };
  }
  try {
    const size = fstatSync(fd).size;
    let buffer: Buffer = Buffer.alloc(0);
    let bufferStart = start;
    let position = start;
    while (position < size) {
      let at = position - bufferStart;
      if (skip) {
        const length = framedLength(buffer, at);
        if (length >= 0 && !skip(buffer, at)) {
          position += length;
          continue;
        }
      }
      const decoded = decodeRecord(buffer, at);
      if (decoded.kind === 'record') {
        if (visit(decoded.entry, position) === false) return { end: position + decoded.length, completed: false };
        position += decoded.length;
        continue;
      }
      if (decoded.kind === 'incomplete') {
        if (bufferStart + buffer.length >= size) return { end: position, completed: true };
        buffer = readAt(fd, position, Math.max(CHUNK, decoded.length), size);
        bufferStart = position;
        continue;
      }
      // Corrupt: resynchronise on the next magic in what is loaded, or load further.
      const next = findNextMagic(buffer, at + 1);
      if (next >= 0) {
        position = bufferStart + next;
        continue;
      }
      at = Math.max(at + 1, buffer.length - 3);
      position = bufferStart + at;
      if (bufferStart + buffer.length >= size) return { end: position, completed: true };
      buffer = readAt(fd, position, CHUNK, size);
      bufferStart = position;
    }
    return { end: position, completed: true };
  } finally {
    closeSync(fd);
  }
}

/**
 * Visits records from the end of the file towards the start, using the length trailer. When
 * the tail does not parse cleanly (a record being written, or damage) it falls back to a
 * forward scan of the whole segment, replayed in reverse. Records `skip` rejects are stepped
 * over by their framing, as in scanForward().
 */
export function scanBackward(path: string, visit: RecordVisitor, skip?: RecordPrefilter): ScanResult {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return { end: 0, completed: true };
  }
  let size = 0;
  let position = 0;
  try {
    size = fstatSync(fd).size;
    let window: Buffer = Buffer.alloc(0);
    let windowStart = size;
    position = size;
    while (position > 0) {
      if (position - windowStart < TRAILER_SIZE) {
        windowStart = Math.max(0, position - CHUNK);
        window = readAt(fd, windowStart, position - windowStart, size);
        if (window.length < position - windowStart) break;
      }
      const total = u32(window, position - windowStart - TRAILER_SIZE);
      if (total < MIN_RECORD_SIZE || total > MAX_RECORD_SIZE || total > position) break;
      const recordStart = position - total;
      if (recordStart < windowStart) {
        windowStart = Math.max(0, Math.min(recordStart, position - CHUNK));
        window = readAt(fd, windowStart, position - windowStart, size);
        if (window.length < position - windowStart) break;
      }
      // The window may reach past `position` (records already visited): the trailer check
      // above already bounds this record to end there.
      const at = recordStart - windowStart;
      if (skip && u32(window, at) === RECORD_MAGIC_WORD && u32(window, at + 4) === total && !skip(window, at)) {
        position = recordStart;
        continue;
      }
      const decoded = decodeRecord(window.subarray(0, position - windowStart), at);
      if (decoded.kind !== 'record' || decoded.length !== total) break;
      if (visit(decoded.entry, recordStart) === false) return { end: size, completed: false };
      position = recordStart;
    }
    if (position === 0) return { end: size, completed: true };
  } finally {
    closeSync(fd);
  }
  const replayed = replayInReverse(path, position, visit, skip);
  // If the tail parsed cleanly the segment's complete data ends at its size; if the very last
  // record is torn, the forward scan found where complete data ends.
  return { end: position < size ? size : replayed.end, completed: replayed.completed };
}

/** Visits, newest first, the records before `before` (those after it were already visited). */
function replayInReverse(path: string, before: number, visit: RecordVisitor, skip?: RecordPrefilter): ScanResult {
  const records: Array<{ entry: JournalEntry; offset: number }> = [];
  const { end } = scanForward(
    path,
    0,
    (entry, offset) => {
      if (offset >= before) return false;
      records.push({ entry, offset });
    },
    skip,
  );
  for (let i = records.length - 1; i >= 0; i--) {
    if (visit(records[i].entry, records[i].offset) === false) return { end, completed: false };
  }
  return { end, completed: true };
}

function readAt(fd: number, position: number, length: number, size: number): Buffer {
  const wanted = Math.max(0, Math.min(length, size - position));
  const buffer = Buffer.allocUnsafe(wanted);
  let filled = 0;
  while (filled < wanted) {
    const n = readSync(fd, buffer, filled, wanted - filled, position + filled);
    if (n === 0) break;
    filled += n;
  }
  return buffer.subarray(0, filled);
}

// The store is a directory of segment files numbered in write order. The highest number is the
// one being written; segments are never renamed, so a follower's file stays where it is, and
// vacuuming only ever deletes the lowest numbers.

// fs.promises, read where used: journalctl lists segments synchronously, and node:fs/promises
// (with readline under it) would cost each of its starts about a millisecond.
import { promises as fsp, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runtimeDir, writableOrCreatable } from '../control/paths.js';

export const DEFAULT_JOURNAL_DIR = '/var/log/journal';
/** Where journald keeps a volatile journal (Storage=volatile, or auto when /var is not writable). */
export const VOLATILE_JOURNAL_DIR = '/run/log/journal';
const SEGMENT_PATTERN = /^unitd-(\d{12})\.jrnl$/;

/** The directory asked for: the option, else $UNITD_JOURNAL_DIR (empty means unset), else undefined. */
export function configuredJournalDir(explicit?: string): string | undefined {
  const env = process.env.UNITD_JOURNAL_DIR;
  return explicit ?? (env !== undefined && env !== '' ? env : undefined);
}

export function journalDir(explicit?: string): string {
  return configuredJournalDir(explicit) ?? DEFAULT_JOURNAL_DIR;
}

/** The journal of a manager that may write neither /var/log nor /run/log: inside its own runtime directory. */
export function runtimeJournalDir(runtimeDirectory: string): string {
  return join(runtimeDirectory, 'journal');
}

/**
 * Where a non-root manager keeps its journal: the first of /var/log/journal, /run/log/journal
 * and its runtime directory's journal/ it may write (an image may give its USER /var/log/journal).
 */
export function unprivilegedJournalDir(runtimeDirectory: string): string {
  return [DEFAULT_JOURNAL_DIR, VOLATILE_JOURNAL_DIR].find(writableOrCreatable) ?? runtimeJournalDir(runtimeDirectory);
}

/**
 * The store a reader opens when none is named: the persistent one, unless the daemon fell back
 * to the volatile one (read-only /var) or, in non-root mode, its runtime directory's, which
 * then holds the newest segment.
 */
export function readableJournalDir(explicit?: string): string {
  const configured = configuredJournalDir(explicit);
  if (configured !== undefined) return configured;
  const newest = (dir: string): number => {
    const last = listSegments(dir).at(-1);
    if (!last) return -1;
    try {
      return statSync(last.path).mtimeMs;
    } catch {
      return -1;
    }
  };
  let best = DEFAULT_JOURNAL_DIR;
  let bestTime = newest(best);
  for (const dir of [VOLATILE_JOURNAL_DIR, runtimeJournalDir(runtimeDir())]) {
    const time = newest(dir);
    if (time > bestTime) [best, bestTime] = [dir, time];
  }
  return best;
}

export function segmentName(sequence: number): string {
  return `unitd-${String(sequence).padStart(12, '0')}.jrnl`;
}

export function segmentSequence(name: string): number | undefined {
  const match = SEGMENT_PATTERN.exec(name);
  return match ? Number(match[1]) : undefined;
}

export interface SegmentInfo {
  sequence: number;
  path: string;
  size: number;
}

/** The store's segments, oldest first; a missing directory is an empty store. */
export function listSegments(dir: string): SegmentInfo[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const segments: SegmentInfo[] = [];
  for (const name of names) {
    const sequence = segmentSequence(name);
    if (sequence === undefined) continue;
    const path = join(dir, name);
    try {
      segments.push({ sequence, path, size: statSync(path).size });
    } catch {
      // Vacuumed between readdir and stat.
    }
  }
  return segments.sort((a, b) => a.sequence - b.sequence);
}

/** listSegments without blocking the event loop, for the writer inside the daemon. */
export async function listSegmentsAsync(dir: string): Promise<SegmentInfo[]> {
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch {
    return [];
  }
  const segments: SegmentInfo[] = [];
  for (const name of names) {
    const sequence = segmentSequence(name);
    if (sequence === undefined) continue;
    const path = join(dir, name);
    try {
      segments.push({ sequence, path, size: (await fsp.stat(path)).size });
    } catch {
      // Removed between readdir and stat.
    }
  }
  return segments.sort((a, b) => a.sequence - b.sequence);
}

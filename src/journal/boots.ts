// Boots as journalctl sees them. Each daemon start stamps a new random boot ID on its records
// (store.ts) and starts a new segment, so a segment holds one boot: the boots and their first
// and last entries come from each segment's first and last record, not a scan of the store.
// The running daemon's boot ID is also in <runtime dir>/boot_id, which journalctl reads for
// `-b` (the host's /proc/sys/kernel/random/boot_id is the host's, not this container's).

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runtimeDir } from '../control/paths.js';
import { scanBackward, scanForward } from './segment-reader.js';
import { listSegments } from './segments.js';

export interface BootInfo {
  bootId: string;
  /** µs since the epoch of the boot's first and last entry. */
  first: number;
  last: number;
}

/** Stands for records written before boot IDs existed. */
export const UNKNOWN_BOOT = '0'.repeat(32);

export function bootIdFile(): string {
  return join(runtimeDir(), 'boot_id');
}

/** The running daemon's boot ID, or undefined when no daemon wrote one here. */
export function currentBootId(): string | undefined {
  try {
    const id = readFileSync(bootIdFile(), 'utf8').trim();
    return /^[0-9a-f]{32}$/.test(id) ? id : undefined;
  } catch {
    return undefined;
  }
}

/** Published by the daemon at start; best effort (journalctl then takes the newest boot). */
export function publishBootId(bootId: string): void {
  try {
    writeFileSync(bootIdFile(), bootId + '\n', { mode: 0o644 });
  } catch {
    /* no runtime directory: journalctl falls back to the newest boot in the store */
  }
}

/** The store's boots, oldest first. */
export function listBoots(dir: string): BootInfo[] {
  const boots: BootInfo[] = [];
  for (const segment of listSegments(dir)) {
    let first: { bootId: string; timestamp: number } | undefined;
    let last: { bootId: string; timestamp: number } | undefined;
    scanForward(segment.path, 0, (entry) => {
      first = { bootId: entry.bootId || UNKNOWN_BOOT, timestamp: entry.timestamp };
      return false;
    });
    scanBackward(segment.path, (entry) => {
      last = { bootId: entry.bootId || UNKNOWN_BOOT, timestamp: entry.timestamp };
      return false;
    });
    if (!first || !last) continue;
    const previous = boots.at(-1);
    if (previous && previous.bootId === first.bootId) previous.last = Math.max(previous.last, last.timestamp);
    else boots.push({ bootId: first.bootId, first: first.timestamp, last: last.timestamp });
  }
  return boots;
}

/** `-b` arguments: an ID, an offset (0 this boot, -1 the one before, 1 the first), or both. */
export interface BootSelector {
  id?: string;
  offset: number;
}

/**
 * The boot a selector means, or undefined when the store has no such boot. Offsets count from
 * the current boot (the running daemon's, else the newest), or from the given ID.
 */
export function resolveBoot(boots: BootInfo[], selector: BootSelector, current: string | undefined): string | undefined {
  if (selector.id === undefined && selector.offset > 0) return boots[selector.offset - 1]?.bootId;
  let anchor: number;
  if (selector.id !== undefined) anchor = boots.findIndex((b) => b.bootId === selector.id);
  else if (current !== undefined) {
    anchor = boots.findIndex((b) => b.bootId === current);
    // The daemon has not written yet: its boot is still "this boot", with no entries.
    if (anchor < 0) return selector.offset === 0 ? current : boots[boots.length + selector.offset]?.bootId;
  } else anchor = boots.length - 1;
  if (anchor < 0) return undefined;
  return boots[anchor + selector.offset]?.bootId;
}

// Reading the store back for journalctl and `systemctl status`: the first or last N entries
// matching a filter, and following new ones as they are written.
//
// Following is driven by inotify (fs.watch on the store directory reports both new segments
// and appends to the active one); a slow safety re-check covers file systems where inotify
// misses writes (some network and FUSE mounts), it is not the main mechanism.

import { existsSync, watch, type FSWatcher } from 'node:fs';
import type { JournalCursor, StoredEntry } from './entry.js';
import { compileFilter, compilePrefilter, type EntryPredicate, type JournalFilter } from './filter.js';
import { scanBackward, scanForward, type RecordPrefilter } from './segment-reader.js';
import { listSegments, readableJournalDir } from './segments.js';

export interface ReadResult {
  /** Oldest first. */
  entries: StoredEntry[];
  /** Where new records will appear: hand it to follow(). */
  end: JournalCursor;
}

export interface FollowHandle {
  close(): void;
}

const SAFETY_RECHECK_MS = 5000;

export class JournalReader {
  readonly dir: string;

  constructor(dir?: string) {
    this.dir = readableJournalDir(dir);
  }

  /** Entries in write order from the oldest, at most `limit` of them. */
  head(filter: JournalFilter, limit = Infinity): ReadResult {
    const matches = compileFilter(filter);
    const skip = compilePrefilter(filter);
    const entries: StoredEntry[] = [];
    let end: JournalCursor = { segment: 0, offset: 0 };
    for (const segment of listSegments(this.dir)) {
      const result = scanForward(
        segment.path,
        0,
        (entry, offset) => {
          if (!matches(entry)) return true;
          entries.push({ ...entry, cursor: { segment: segment.sequence, offset } });
          return entries.length < limit;
        },
        skip,
      );
      end = { segment: segment.sequence, offset: result.end };
      if (!result.completed) return { entries, end: this.endCursor() };
    }
    return { entries, end };
  }

  /**
   * Entries from a cursor on, in write order (`--cursor`; `--after-cursor` leaves out the
   * cursor's own entry). A cursor into a vacuumed segment starts at the oldest entry kept.
   */
  fromCursor(filter: JournalFilter, cursor: JournalCursor, inclusive: boolean): ReadResult {
    const matches = compileFilter(filter);
    const skip = compilePrefilter(filter);
    const entries: StoredEntry[] = [];
    let end: JournalCursor = cursor;
    for (const segment of listSegments(this.dir)) {
      if (segment.sequence < cursor.segment) continue;
      const start = segment.sequence === cursor.segment ? cursor.offset : 0;
      const result = scanForward(
        segment.path,
        start,
        (entry, offset) => {
          if (!inclusive && segment.sequence === cursor.segment && offset === cursor.offset) return true;
          if (matches(entry)) entries.push({ ...entry, cursor: { segment: segment.sequence, offset } });
          return true;
        },
        skip,
      );
      end = { segment: segment.sequence, offset: result.end };
    }
    return { entries, end };
  }

  /** The last `limit` matching entries, oldest first, found by reading backwards from the newest segment. */
  tail(filter: JournalFilter, limit: number): ReadResult {
    const matches = compileFilter(filter);
    const skip = compilePrefilter(filter);
    const newestFirst: StoredEntry[] = [];
    const segments = listSegments(this.dir);
    let end: JournalCursor = { segment: 0, offset: 0 };
    for (let i = segments.length - 1; i >= 0 && newestFirst.length < limit; i--) {
      const segment = segments[i];
      const result = scanBackward(
        segment.path,
        (entry, offset) => {
          if (!matches(entry)) return true;
          newestFirst.push({ ...entry, cursor: { segment: segment.sequence, offset } });
          return newestFirst.length < limit;
        },
        skip,
      );
      if (i === segments.length - 1) end = { segment: segment.sequence, offset: result.end };
    }
    return { entries: newestFirst.reverse(), end };
  }

  /** Cursor just after the last complete record of the store. */
  endCursor(): JournalCursor {
    return this.tail({}, 0).end;
  }

  /**
   * Calls `onEntry` for every matching record written after `from`, in write order, until
   * closed. Segments vacuumed before the follower reached them are skipped.
   */
  follow(filter: JournalFilter, from: JournalCursor, onEntry: (entry: StoredEntry) => void): FollowHandle {
    const follower = new Follower(this.dir, compileFilter(filter), compilePrefilter(filter), from, onEntry);
    follower.start();
    return follower;
  }
}

class Follower implements FollowHandle {
  private watcher: FSWatcher | undefined;
  private recheck: NodeJS.Timeout | undefined;
  private closed = false;
  private scheduled = false;

  constructor(
    private readonly dir: string,
    private readonly matches: EntryPredicate,
    private readonly skip: RecordPrefilter | undefined,
    private cursor: JournalCursor,
    private readonly onEntry: (entry: StoredEntry) => void,
  ) {}

  start(): void {
    if (!existsSync(this.dir)) {
      this.waitForStore();
      return;
    }
    this.watchDirectory();
    // The safety net keeps the process alive only together with the watcher, never alone.
    this.recheck = setInterval(() => {
      if (!this.watcher) this.watchDirectory();
      this.catchUp();
    }, SAFETY_RECHECK_MS);
    this.recheck.unref();
    this.catchUp();
  }

  close(): void {
    this.closed = true;
    this.watcher?.close();
    this.watcher = undefined;
    clearInterval(this.recheck);
  }

  /** The daemon has not created the store yet: `journalctl -f` waits for it (a rare, cheap check). */
  private waitForStore(): void {
    this.recheck = setInterval(() => {
      if (this.closed || !existsSync(this.dir)) return;
      clearInterval(this.recheck);
      this.start();
    }, 500);
  }

  private watchDirectory(): void {
    try {
      this.watcher = watch(this.dir, { persistent: true }, () => this.schedule());
      this.watcher.on('error', () => {
        this.watcher?.close();
        this.watcher = undefined;
      });
    } catch {
      this.watcher = undefined;
    }
  }

  /** Coalesces a burst of inotify events (one per write) into one read. */
  private schedule(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.catchUp();
    });
  }

  private catchUp(): void {
    if (this.closed) return;
    for (const segment of listSegments(this.dir)) {
      if (segment.sequence < this.cursor.segment) continue;
      const start = segment.sequence === this.cursor.segment ? this.cursor.offset : 0;
      const result = scanForward(
        segment.path,
        start,
        (entry, offset) => {
          if (this.closed) return false;
          if (this.matches(entry)) this.onEntry({ ...entry, cursor: { segment: segment.sequence, offset } });
          return true;
        },
        this.skip,
      );
      this.cursor = { segment: segment.sequence, offset: result.end };
      if (this.closed) return;
    }
  }
}

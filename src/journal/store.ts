// The journal writer. `append()` is synchronous, cheap and can never throw or wait: it encodes
// the record and queues it. One asynchronous drain loop writes queued records to the active
// segment. A slow or full disk therefore costs the daemon at most `maxQueueBytes` of memory;
// beyond that lines are counted as dropped (per unit) and a "N lines dropped" record takes
// their place once writing works again. Like s6's logger, a logging problem cannot stall
// supervision.

import { randomId128 } from '../manager/random-id.js';
import { mkdir, open, statfs, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { loadJournalConfig, type JournalConfig } from './config.js';
import { nowMicros, type JournalEntry } from './entry.js';
import { encodeRecord } from './record.js';
import { configuredJournalDir, journalDir, listSegmentsAsync, segmentName, VOLATILE_JOURNAL_DIR } from './segments.js';

export interface JournalStoreOptions {
  /** Store directory; defaults to $UNITD_JOURNAL_DIR or /var/log/journal. */
  dir?: string;
  /** Where `systemd/journald.conf` is read from (default /etc). */
  configRoot?: string;
  /** Overrides for what journald.conf says (tests use small limits). */
  config?: Partial<JournalConfig>;
  /** Memory the queue may hold while the disk is slow or full (default 16 MiB). */
  maxQueueBytes?: number;
  /** _BOOT_ID stamped on every record (default: a new random one, i.e. one per daemon start). */
  bootId?: string;
  /**
   * Told when the default store cannot be written because its file system is read-only and
   * the volatile one in /run is used instead (journald's Storage=auto).
   */
  onVolatileFallback?: (from: string, to: string, error: Error) => void;
  /** Told once when writing starts failing and once when it recovers; never on every retry. */
  onWriteStateChange?: (state: WriteState) => void;
}

export type WriteState = { ok: true; droppedWhileFailing: number } | { ok: false; error: Error };

export interface JournalStats {
  /** Records written to disk, including "lines dropped" notices. */
  written: number;
  /** Lines that did not fit the queue, over the store's lifetime. */
  dropped: number;
  queuedRecords: number;
  queuedBytes: number;
  /** Failed write attempts (each retry of a full disk counts). */
  writeErrors: number;
  lastError?: string;
  activeSegment?: string;
}

/** Identifier of the records the journal writes about itself. */
export const JOURNAL_IDENTIFIER = 'unitd-journal';
const MAX_BATCH_BYTES = 16 * 1024 * 1024;
/** A segment with less room than this left is closed rather than filled with tiny writes. */
const ROTATE_SLACK = 64 * 1024;
/** Queued bytes at which pipe readers are asked to pause (at most half the queue). */
const CONGESTION_BYTES = 4 * 1024 * 1024;
/** How far a healthy writer's queue may exceed maxQueueBytes (lines in flight from paused pipes). */
const HEALTHY_OVERSHOOT = 4;
const RETRY_MIN_MS = 50;
const RETRY_MAX_MS = 5000;
const CRITICAL_PRIORITY = 2;

interface QueuedRecord {
  bytes: Buffer;
  critical: boolean;
}

/** A new random boot ID, 32 hex digits as systemd's sd_id128 text. */
export function newBootId(): string {
  return randomId128();
}

/** Errors that mean "this file system will not take writes", not "try again later". */
const READ_ONLY_ERRORS = new Set(['EROFS']);

export class JournalStore {
  private storeDir: string;
  private storeConfig: JournalConfig;
  /** Only the default store falls back to /run; a configured directory is used or fails. */
  private mayFallBack: boolean;
  readonly bootId: string;
  /** CLOCK_MONOTONIC µs at start (process.hrtime: the global `performance` would load perf_hooks). */
  private readonly bootStartedUSec = process.hrtime.bigint() / 1000n;
  private readonly maxQueueBytes: number;
  private readonly options: JournalStoreOptions;
  private readonly onWriteStateChange: (state: WriteState) => void;

  private queue: QueuedRecord[] = [];
  private queueHead = 0;
  private queuedBytes = 0;
  /** Lines dropped since the last notice, per unit. */
  private droppedByUnit = new Map<string, number>();
  private droppedSinceFailure = 0;
  private lastError: Error | undefined;
  /** The write error in force while lines were being dropped, for the notice. */
  private dropReason: string | undefined;

  private file: FileHandle | undefined;
  private fileSequence = 0;
  private fileSize = 0;
  private unsynced = false;

  private draining = false;
  private closed = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelay = RETRY_MIN_MS;
  private syncTimer: NodeJS.Timeout | undefined;
  private idleWaiters: Array<() => void> = [];
  private uncongestedWaiters: Array<() => void> = [];
  private counters = { written: 0, dropped: 0, writeErrors: 0 };

  constructor(options: JournalStoreOptions = {}) {
    this.options = options;
    this.storeDir = journalDir(options.dir);
    this.mayFallBack = configuredJournalDir(options.dir) === undefined;
    this.bootId = options.bootId ?? newBootId();
    this.storeConfig = { ...loadJournalConfig({ storeDir: this.storeDir, configRoot: options.configRoot }), ...options.config };
    this.maxQueueBytes = options.maxQueueBytes ?? 16 * 1024 * 1024;
    this.onWriteStateChange = options.onWriteStateChange ?? (() => {});
  }

  /**
   * Queues one record. Never throws, never waits; drops (and counts) when the queue is full.
   * `paced`: the line comes from a reader that pauses on congested() (a service pipe).
   */
  append(entry: JournalEntry, options: { paced?: boolean } = {}): void {
    if (this.closed) {
      this.countDrop(entry.unit);
      return;
    }
    let bytes: Buffer;
    try {
      bytes = encodeRecord(entry, { bootId: this.bootId, monotonic: Number(process.hrtime.bigint() / 1000n - this.bootStartedUSec) });
    } catch {
      this.countDrop(entry.unit);
      return;
    }
    // A single huge line is still accepted into an empty queue, so no line size is unstorable.
    // While writing works, pausing the pipes (congested()) bounds the queue; what many pipes
    // bring in before they pause may overshoot, up to HEALTHY_OVERSHOOT times the bound.
    const limit = options.paced && this.lastError === undefined ? this.maxQueueBytes * HEALTHY_OVERSHOOT : this.maxQueueBytes;
    if (this.queuedBytes > 0 && this.queuedBytes + bytes.length > limit) {
      this.countDrop(entry.unit);
      return;
    }
    this.queueDropNotices();
    this.enqueue({ bytes, critical: entry.priority <= CRITICAL_PRIORITY });
    this.kick();
  }

  /**
   * True while the writer is healthy but behind: readers of service pipes should pause, so the
   * services wait on a full pipe as they would with journald, instead of their lines being
   * dropped. While writing fails (disk full) this stays false: then lines are counted and
   * dropped rather than services blocked on a disk that may never recover.
   */
  congested(): boolean {
    return this.lastError === undefined && !this.closed && this.queuedBytes >= this.congestionBytes();
  }

  /** Calls back once the queue has drained to a quarter of the congestion mark, or writing fails. */
  whenUncongested(callback: () => void): void {
    if (!this.congested()) {
      queueMicrotask(callback);
      return;
    }
    this.uncongestedWaiters.push(callback);
  }

  stats(): JournalStats {
    return {
      ...this.counters,
      queuedRecords: this.queue.length - this.queueHead,
      queuedBytes: this.queuedBytes,
      lastError: this.lastError?.message,
      activeSegment: this.file ? join(this.dir, segmentName(this.fileSequence)) : undefined,
    };
  }

  /** Resolves once everything queued so far is on disk (waits through disk-full retries). */
  flush(): Promise<void> {
    this.queueDropNotices();
    this.kick();
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Writes what it can within `timeoutMs`, then closes the segment; whatever is still queued
   * is counted as dropped. Appends after close are dropped.
   */
  async close(timeoutMs = 2000): Promise<void> {
    if (this.closed) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.flush(), new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
    this.closed = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.syncTimer);
    this.counters.dropped += this.queue.length - this.queueHead;
    this.queue = [];
    this.queueHead = 0;
    this.queuedBytes = 0;
    while (this.draining) await new Promise((resolve) => setImmediate(resolve));
    this.releaseCongestion();
    await this.closeSegment();
    this.resolveIdleWaiters();
  }

  private enqueue(record: QueuedRecord): void {
    this.queue.push(record);
    this.queuedBytes += record.bytes.length;
  }

  private countDrop(unit: string): void {
    this.counters.dropped++;
    this.droppedSinceFailure++;
    this.droppedByUnit.set(unit, (this.droppedByUnit.get(unit) ?? 0) + 1);
    if (this.lastError) this.dropReason = this.lastError.message;
  }

  /**
   * Puts "N lines dropped" records into the queue where the lines went missing, so
   * `journalctl -u` shows the gap in place. They bypass the bound: one small record per unit.
   */
  private queueDropNotices(): void {
    if (this.droppedByUnit.size === 0 || this.closed) return;
    const reason = this.dropReason ? `writing failed: ${this.dropReason}` : 'the disk could not keep up';
    this.dropReason = undefined;
    for (const [unit, count] of this.droppedByUnit) {
      const message = `${count} lines dropped: journal queue full, ${reason}`;
      const bytes = encodeRecord({
        timestamp: nowMicros(),
        unit,
        identifier: JOURNAL_IDENTIFIER,
        pid: process.pid,
        priority: 4,
        message: Buffer.from(message),
        transport: 'driver',
      });
      this.enqueue({ bytes, critical: false });
    }
    this.droppedByUnit.clear();
  }

  private kick(): void {
    if (this.draining || this.retryTimer !== undefined || this.closed) return;
    this.draining = true;
    void this.drain().finally(() => {
      this.draining = false;
      if (this.isIdle()) this.resolveIdleWaiters();
    });
  }

  private congestionBytes(): number {
    return Math.min(this.maxQueueBytes / 2, CONGESTION_BYTES);
  }

  private releaseCongestion(): void {
    if (this.uncongestedWaiters.length === 0) return;
    if (this.lastError === undefined && !this.closed && this.queuedBytes > this.congestionBytes() / 4) return;
    const waiters = this.uncongestedWaiters;
    this.uncongestedWaiters = [];
    for (const wake of waiters) wake();
  }

  private isIdle(): boolean {
    return this.queue.length === this.queueHead && this.droppedByUnit.size === 0;
  }

  private resolveIdleWaiters(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private async drain(): Promise<void> {
    while (!this.closed) {
      if (this.queue.length === this.queueHead) {
        // Lines were dropped but nothing new arrived since: the notice still has to be written.
        this.queueDropNotices();
        if (this.queue.length === this.queueHead) break;
      }
      let batch: QueuedRecord[] = [];
      try {
        await this.prepareSegment();
        batch = this.takeBatch(this.config.maxFileSize - this.fileSize);
        await this.writeBatch(batch);
      } catch (error) {
        // The file system is full (the journal filled it, or another writer did): make room
        // by deleting the oldest segments, and try once more at once; newest lines win.
        let failure = error;
        // Once per failure: when someone else filled the disk, the retries with backoff must
        // not eat the whole journal.
        if ((error as NodeJS.ErrnoException).code === 'ENOSPC' && this.lastError === undefined && (await this.vacuumForSpace())) {
          try {
            await this.writeBatch(batch);
            failure = undefined;
          } catch (again) {
            failure = again;
          }
        }
        if (failure !== undefined) {
          this.requeueFront(batch);
          // Anything but a full disk (EROFS, EIO: the file system went read-only or was
          // remounted) can leave the open segment's fd dead for good: the retry opens a new one.
          if ((failure as NodeJS.ErrnoException).code !== 'ENOSPC') await this.abandonSegment();
          this.writeFailed(failure instanceof Error ? failure : new Error(String(failure)));
          return;
        }
      }
      if (this.lastError) this.writeRecovered();
      this.releaseCongestion();
    }
    this.compactQueue();
  }

  /**
   * Opens a segment if none is open, and starts the next one when the queued record would not
   * fit in what is left of this one (or only a sliver is left).
   */
  private async prepareSegment(): Promise<void> {
    if (this.file === undefined) {
      await this.openNewSegment();
      return;
    }
    const room = this.config.maxFileSize - this.fileSize;
    const next = this.queue[this.queueHead].bytes.length;
    if (this.fileSize > 0 && (next > room || room < Math.min(ROTATE_SLACK, this.config.maxFileSize / 4))) await this.rotate();
  }

  /**
   * Queued records up to `room` bytes (at least one), removed from the queue. Everything that
   * fits is taken: while the loop is busy reading many pipes, one write per loop turn must
   * keep up with all the lines that turn brought in.
   */
  private takeBatch(room: number): QueuedRecord[] {
    const batch: QueuedRecord[] = [];
    let bytes = 0;
    const limit = Math.min(MAX_BATCH_BYTES, room);
    while (this.queueHead < this.queue.length) {
      const record = this.queue[this.queueHead];
      if (batch.length > 0 && bytes + record.bytes.length > limit) break;
      batch.push(record);
      bytes += record.bytes.length;
      this.queueHead++;
      this.queuedBytes -= record.bytes.length;
    }
    this.compactQueue();
    return batch;
  }

  private compactQueue(): void {
    if (this.queueHead > 4096 && this.queueHead * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.queueHead);
      this.queueHead = 0;
    } else if (this.queueHead === this.queue.length) {
      this.queue = [];
      this.queueHead = 0;
    }
  }

  private requeueFront(batch: QueuedRecord[]): void {
    if (batch.length === 0) return;
    this.queue = [...batch, ...this.queue.slice(this.queueHead)];
    this.queueHead = 0;
    for (const record of batch) this.queuedBytes += record.bytes.length;
  }

  /**
   * Writes the batch at the end of the active segment with a positional write. On a short
   * write (disk full) the whole records written stay, the torn tail is cut off again so no
   * reader ever sees a half record followed by another, and the rest goes back to the queue.
   */
  private async writeBatch(batch: QueuedRecord[]): Promise<void> {
    const size = batch.reduce((sum, record) => sum + record.bytes.length, 0);
    const file = this.file as FileHandle;
    const data = batch.length === 1 ? batch[0].bytes : Buffer.concat(batch.map((record) => record.bytes), size);
    let written = 0;
    let failure: Error | undefined;
    try {
      written = (await file.write(data, 0, data.length, this.fileSize)).bytesWritten;
    } catch (error) {
      failure = error instanceof Error ? error : new Error(String(error));
    }
    if (written === data.length) {
      this.fileSize += written;
      this.recordWritten(batch);
      return;
    }
    let whole = 0;
    let wholeBytes = 0;
    while (whole < batch.length && wholeBytes + batch[whole].bytes.length <= written) wholeBytes += batch[whole++].bytes.length;
    this.fileSize += wholeBytes;
    this.recordWritten(batch.slice(0, whole));
    batch.splice(0, whole);
    await file.truncate(this.fileSize).catch(() => {});
    throw failure ?? Object.assign(new Error('short write: no space left on device'), { code: 'ENOSPC' });
  }

  private recordWritten(records: QueuedRecord[]): void {
    if (records.length === 0) return;
    this.counters.written += records.length;
    this.unsynced = true;
    // journald syncs at once after CRIT, ALERT and EMERG (journald.conf SyncIntervalSec=).
    if (records.some((record) => record.critical)) void this.sync();
    else if (this.syncTimer === undefined) {
      this.syncTimer = setTimeout(() => {
        this.syncTimer = undefined;
        void this.sync();
      }, this.config.syncIntervalMs);
      this.syncTimer.unref();
    }
  }

  private async sync(): Promise<void> {
    if (!this.unsynced || this.file === undefined) return;
    this.unsynced = false;
    await this.file.datasync().catch(() => {});
  }

  /** The directory being written (the volatile one after a fallback). */
  get dir(): string {
    return this.storeDir;
  }

  get config(): JournalConfig {
    return this.storeConfig;
  }

  private async openNewSegment(): Promise<void> {
    try {
      await this.openSegmentFile();
    } catch (error) {
      if (!this.mayFallBack || !READ_ONLY_ERRORS.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
      const from = this.storeDir;
      this.mayFallBack = false;
      this.storeDir = VOLATILE_JOURNAL_DIR;
      this.storeConfig = { ...loadJournalConfig({ storeDir: this.storeDir, configRoot: this.options.configRoot }), ...this.options.config };
      this.options.onVolatileFallback?.(from, this.storeDir, error as Error);
      await this.openSegmentFile();
    }
  }

  private async openSegmentFile(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const segments = await listSegmentsAsync(this.dir);
    // Always a fresh segment: the previous daemon's last one may end in a record torn by a crash.
    let sequence = Math.max(this.fileSequence, segments.at(-1)?.sequence ?? 0) + 1;
    for (;;) {
      try {
        this.file = await open(join(this.dir, segmentName(sequence)), 'wx', 0o640);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        sequence++;
      }
    }
    this.fileSequence = sequence;
    this.fileSize = 0;
    await this.vacuum();
  }

  private async rotate(): Promise<void> {
    await this.closeSegment();
    await this.openNewSegment();
  }

  private async closeSegment(): Promise<void> {
    const file = this.file;
    if (file === undefined) return;
    this.file = undefined;
    await this.sync();
    await file.close().catch(() => {});
  }

  /** Drops the open segment without syncing it (its fd may be dead); what it holds stays readable. */
  private async abandonSegment(): Promise<void> {
    const file = this.file;
    this.file = undefined;
    await file?.close().catch(() => {});
  }

  /**
   * Deletes the oldest segments until the closed ones plus a full active segment fit in
   * SystemMaxUse= and at most SystemMaxFiles= segments exist, so the store stays under its
   * limit at every moment, not only after the next rotation.
   */
  private async vacuum(): Promise<void> {
    const segments = (await listSegmentsAsync(this.dir)).filter((segment) => segment.sequence !== this.fileSequence);
    const used = segments.reduce((sum, segment) => sum + segment.size, 0);
    let total = used + this.config.maxFileSize;
    let count = segments.length + 1;
    // SystemKeepFree=: what the journal may use is also bounded by what it has plus what is
    // free beyond the reserve (journald's rule), never below one segment.
    let limit = this.config.maxUse;
    try {
      const fs = await statfs(this.dir);
      limit = Math.min(limit, Math.max(this.config.maxFileSize, used + fs.bavail * fs.bsize - this.config.keepFree));
    } catch {
      /* no statfs: SystemMaxUse= alone */
    }
    for (const segment of segments) {
      if (total <= limit && count <= this.config.maxFiles) break;
      try {
        await unlink(segment.path);
      } catch {
        continue;
      }
      total -= segment.size;
      count--;
    }
  }

  /**
   * After ENOSPC: deletes the oldest closed segment; when the active one is the only one and
   * fills most of the disk, starts a new segment and deletes the old one (its lines are the
   * oldest). True if anything was freed.
   */
  private async vacuumForSpace(): Promise<boolean> {
    const closed = (await listSegmentsAsync(this.dir)).filter((segment) => segment.sequence !== this.fileSequence);
    for (const segment of closed) {
      try {
        await unlink(segment.path);
        return true;
      } catch {
        continue;
      }
    }
    if (this.file === undefined || this.fileSize === 0) return false;
    // Only when the journal's own segment is what fills the disk (at least half of it); a disk
    // filled by someone else is waited out instead of costing the newest history too.
    const fs = await statfs(this.dir).catch(() => undefined);
    if (fs === undefined || this.fileSize < (fs.blocks * fs.bsize) / 2) return false;
    const full = join(this.dir, segmentName(this.fileSequence));
    await this.closeSegment();
    await unlink(full).catch(() => {});
    await this.openNewSegment();
    return true;
  }

  private writeFailed(error: Error): void {
    this.counters.writeErrors++;
    if (this.lastError === undefined) {
      this.droppedSinceFailure = 0;
      this.onWriteStateChange({ ok: false, error });
    }
    this.lastError = error;
    this.releaseCongestion();
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.kick();
    }, this.retryDelay);
    this.retryDelay = Math.min(RETRY_MAX_MS, this.retryDelay * 2);
  }

  private writeRecovered(): void {
    this.lastError = undefined;
    this.retryDelay = RETRY_MIN_MS;
    this.onWriteStateChange({ ok: true, droppedWhileFailing: this.droppedSinceFailure });
  }
}

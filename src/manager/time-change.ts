// The manager's watch on the wall clock and the time zone (systemd's manager_setup_time_change()
// and manager_setup_timezone_change()): one CLOCK_REALTIME cancel-on-set timerfd and one inotify
// watch on /etc for everyone, opened while some unit listens (waiting timers), so a clock set or
// a new /etc/localtime re-arms every calendar timer at once and nothing polls.
//
// Test hook: the host clock cannot be set from a test (a namespace has no CLOCK_REALTIME of its
// own), so with UNITD_TEST_CLOCK_CHANGE=PATH in the daemon's environment, creating PATH is taken
// as a clock change, delivered exactly as the timerfd's cancel is; the file is removed again.

import { lstatSync, readlinkSync, rmSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { ClockWatch } from '../native/clock-watch.js';
import { IN, Inotify, type InotifyEvent } from '../native/inotify.js';
import { forgetLoadedZones } from '../units/values/tzfile.js';

export type TimeChange = 'clock' | 'zone';
type Listener = (change: TimeChange) => void;

const LOCALTIME = '/etc/localtime';

/** What tells one /etc/localtime from another (manager_read_timezone_stat()): its link target, else its inode and mtime. */
function zoneIdentity(): string {
  try {
    const st = lstatSync(LOCALTIME);
    return st.isSymbolicLink() ? `link:${readlinkSync(LOCALTIME)}` : `file:${st.ino}:${st.mtimeMs}`;
  } catch {
    return 'none';
  }
}

export class TimeChangeWatch {
  private readonly listeners = new Set<Listener>();
  private clock: ClockWatch | undefined;
  private files: Inotify | undefined;
  private zone = '';
  private testHook: string | undefined;

  /** UNITD_TEST_CLOCK_CHANGE (see the header); set once by the manager. */
  setTestHook(path: string | undefined): void {
    this.testHook = path === '' ? undefined : path;
  }

  /** Listen while subscribed; the returned function unsubscribes. Failing to watch is reported once through `onError`. */
  subscribe(listener: Listener, onError: (message: string) => void): () => void {
    this.listeners.add(listener);
    if (this.listeners.size === 1) this.open(onError);
    return () => {
      if (this.listeners.delete(listener) && this.listeners.size === 0) this.close();
    };
  }

  private open(onError: (message: string) => void): void {
    try {
      this.clock = new ClockWatch(() => this.emit('clock'));
    } catch (err) {
      onError(`Failed to watch for clock changes: ${(err as Error).message}`);
    }
    this.zone = zoneIdentity();
    try {
      this.files = new Inotify((batch) => this.onFiles(batch));
      this.files.add(dirname(LOCALTIME), IN.CREATE | IN.MOVED_TO | IN.CLOSE_WRITE | IN.ATTRIB | IN.DELETE);
    } catch (err) {
      onError(`Failed to watch ${LOCALTIME}: ${(err as Error).message}`);
    }
    try {
      if (this.testHook !== undefined) this.files?.add(dirname(this.testHook), IN.CREATE | IN.MOVED_TO);
    } catch (err) {
      onError(`Failed to watch ${this.testHook}: ${(err as Error).message}`);
    }
  }

  private close(): void {
    this.clock?.close();
    this.clock = undefined;
    this.files?.close();
    this.files = undefined;
  }

  private onFiles(batch: InotifyEvent[]): void {
    const hook = this.testHook;
    if (hook !== undefined && batch.some((e) => e.name === basename(hook))) {
      rmSync(hook, { force: true });
      this.emit('clock');
    }
    if (!batch.some((e) => e.name === basename(LOCALTIME))) return;
    const zone = zoneIdentity();
    if (zone === this.zone) return;
    this.zone = zone;
    forgetLoadedZones();
    this.emit('zone');
  }

  private emit(change: TimeChange): void {
    for (const listener of [...this.listeners]) listener(change);
  }
}

/** The one watch of this manager. */
export const timeChanges = new TimeChangeWatch();

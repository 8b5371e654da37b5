// inotify(7) watches for path units: the kernel's own event mask, including IN_CLOSE_WRITE,
// which Node's fs.watch does not subscribe to (systemd.path(5) PathChanged= needs it).

import { native, type NativeInotify, type NativeInotifyEvent } from './binding.js';
import { expectFunction, expectInteger, expectString } from './validate.js';

/** The event bits of <sys/inotify.h>. */
export const IN = {
  ACCESS: 0x1,
  MODIFY: 0x2,
  ATTRIB: 0x4,
  CLOSE_WRITE: 0x8,
  CLOSE_NOWRITE: 0x10,
  OPEN: 0x20,
  MOVED_FROM: 0x40,
  MOVED_TO: 0x80,
  CREATE: 0x100,
  DELETE: 0x200,
  DELETE_SELF: 0x400,
  MOVE_SELF: 0x800,
  UNMOUNT: 0x2000,
  Q_OVERFLOW: 0x4000,
  IGNORED: 0x8000,
  ONLYDIR: 0x1000000,
  DONT_FOLLOW: 0x2000000,
  ISDIR: 0x40000000,
} as const;

export type InotifyEvent = NativeInotifyEvent;

/** One inotify instance: add watches, get every event of a loop turn in one batch. */
export class Inotify {
  readonly #native: NativeInotify;

  constructor(onEvents: (batch: InotifyEvent[]) => void) {
    expectFunction(onEvents, 'onEvents');
    this.#native = new native.NativeInotify((batch) => onEvents(batch));
  }

  /** inotify_add_watch(2): the watch descriptor; adding the same inode again returns the same one. Throws ENOENT, EACCES, ENOSPC ... */
  add(path: string, mask: number): number {
    expectString(path, 'path');
    expectInteger(mask, 'mask', 1, 0xffffffff);
    return this.#native.add(path, mask);
  }

  remove(wd: number): void {
    expectInteger(wd, 'wd', 0, 0x7fffffff);
    this.#native.remove(wd);
  }

  /** Closes the fd (all watches go with it). Idempotent. */
  close(): void {
    this.#native.close();
  }
}

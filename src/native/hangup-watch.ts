// Hang-up and error on stored fds without polling (hangup-watch.cc): an epoll set that asks
// for no events, so only EPOLLHUP/EPOLLERR wake it, as systemd's fd store watch does.

import { native, type NativeHangupWatch } from './binding.js';
import { expectFunction, expectInteger, MAX_FD } from './validate.js';

/** Calls `onHangup(fd, error)` once when a watched fd gets EPOLLHUP (`error` false) or EPOLLERR; the fd is unwatched first. */
export class HangupWatch {
  readonly #native: NativeHangupWatch;

  constructor(onHangup: (fd: number, error: boolean) => void) {
    expectFunction(onHangup, 'onHangup');
    this.#native = new native.NativeHangupWatch((fd, error) => onHangup(fd, error));
  }

  /** Watches `fd`; false when it cannot be polled (a regular file or memfd: EPERM), which the caller accepts. */
  add(fd: number): boolean {
    expectInteger(fd, 'fd', 0, MAX_FD);
    return this.#native.add(fd);
  }

  /** Stops watching `fd`; call before closing it. */
  remove(fd: number): void {
    expectInteger(fd, 'fd', 0, MAX_FD);
    this.#native.remove(fd);
  }

  /** Closes the epoll fd. Idempotent. */
  close(): void {
    this.#native.close();
  }
}

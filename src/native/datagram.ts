// Unix datagram sockets with sender credentials: the sd_notify(3) transport. Node has no
// AF_UNIX SOCK_DGRAM, so the socket lives in the addon and is polled on Node's own loop.

import { native, type NativeDatagramSocket, type NativeDatagramStats } from './binding.js';
import { expectFunction, expectSocketPath } from './validate.js';

/** The sender as the kernel saw it (SCM_CREDENTIALS / SO_PEERCRED), not as it claims. */
export interface Credentials {
  pid: number;
  uid: number;
  gid: number;
}

/** Counters for what arrived; oversize messages (> 64 KiB) and ones without credentials are dropped. */
export type DatagramStats = Omit<NativeDatagramStats, 'fd'>;

export class DatagramSocket {
  readonly path: string;
  readonly #native: NativeDatagramSocket;

  private constructor(path: string, socket: NativeDatagramSocket) {
    this.path = path;
    this.#native = socket;
  }

  /**
   * Binds an AF_UNIX SOCK_DGRAM socket with SO_PASSCRED. A path starting with '@' is an
   * abstract name. A stale socket file at the path is replaced. Passed fds (SCM_RIGHTS) are
   * closed on arrival.
   */
  static bind(path: string, onMessage: (data: Buffer, from: Credentials) => void): DatagramSocket {
    expectSocketPath(path, 'path');
    expectFunction(onMessage, 'onMessage');
    const socket = new native.NativeDatagramSocket(path, (data, from) => onMessage(data, from));
    return new DatagramSocket(path, socket);
  }

  /**
   * The socket `bind` made in the program before a daemon-reexec, kept open across execve
   * at `fd` (src/native/reexec.ts): polled again, nothing re-bound, nothing queued lost.
   */
  static adopt(path: string, fd: number, onMessage: (data: Buffer, from: Credentials) => void): DatagramSocket {
    expectSocketPath(path, 'path');
    expectFunction(onMessage, 'onMessage');
    const socket = new native.NativeDatagramSocket(path, (data, from) => onMessage(data, from), fd);
    return new DatagramSocket(path, socket);
  }

  /** The socket's descriptor (-1 once closed), for daemon-reexec to keep. */
  get fd(): number {
    return this.#native.stats().fd;
  }

  /** Stops polling, closes the fd and removes the socket file (not for abstract names). Idempotent. */
  close(): void {
    this.#native.close();
  }

  /** Keep the event loop alive while the socket is open (the default). */
  ref(): void {
    this.#native.ref();
  }

  unref(): void {
    this.#native.unref();
  }

  stats(): DatagramStats {
    const { fd: _fd, ...counters } = this.#native.stats();
    return counters;
  }
}

/** Sends one datagram without blocking (EAGAIN if the receiver's queue is full). */
export function sendDatagram(path: string, data: Buffer | string): void {
  expectSocketPath(path, 'path');
  if (typeof data === 'string') data = Buffer.from(data);
  else if (!Buffer.isBuffer(data)) throw new TypeError('data must be a Buffer or string');
  native.sendDatagram(path, data);
}

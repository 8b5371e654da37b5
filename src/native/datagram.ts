// Unix datagram sockets with sender credentials: the sd_notify(3) transport. Node has no
// AF_UNIX SOCK_DGRAM, so the socket lives in the addon and is polled on Node's own loop.

import { closeSync } from 'node:fs';
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

/**
 * The fds that came with one datagram (SCM_RIGHTS, close-on-exec). A handler keeps the ones it
 * wants with take(); whatever is left when the handler returns (or throws) is closed.
 */
export class ReceivedFds {
  #fds: number[];

  constructor(fds: number[]) {
    this.#fds = fds;
  }

  get count(): number {
    return this.#fds.length;
  }

  /** Hands every fd to the caller, who closes them from now on. */
  take(): number[] {
    const fds = this.#fds;
    this.#fds = [];
    return fds;
  }

  /** Closes what nobody took; returns how many. */
  closeRest(): number {
    const fds = this.take();
    for (const fd of fds) {
      try {
        closeSync(fd);
      } catch {
        // already gone: nothing to leak
      }
    }
    return fds.length;
  }
}

export type DatagramHandler = (data: Buffer, from: Credentials, fds: ReceivedFds) => void;

export class DatagramSocket {
  readonly path: string;
  readonly #native: NativeDatagramSocket;
  /** Passed fds the handler left behind (the native side counts those of dropped messages). */
  #closedByWrapper = 0;
  #closed = false;

  private constructor(path: string, socket: NativeDatagramSocket) {
    this.path = path;
    this.#native = socket;
  }

  /**
   * Binds an AF_UNIX SOCK_DGRAM socket with SO_PASSCRED. A path starting with '@' is an
   * abstract name. A stale socket file at the path is replaced. Passed fds (SCM_RIGHTS) go to
   * the handler, and are closed after it unless it took them.
   */
  static bind(path: string, onMessage: DatagramHandler): DatagramSocket {
    return DatagramSocket.open(path, onMessage, undefined);
  }

  /**
   * The socket `bind` made in the program before a daemon-reexec, kept open across execve
   * at `fd` (src/native/reexec.ts): polled again, nothing re-bound, nothing queued lost.
   */
  static adopt(path: string, fd: number, onMessage: DatagramHandler): DatagramSocket {
    return DatagramSocket.open(path, onMessage, fd);
  }

  private static open(path: string, onMessage: DatagramHandler, adoptedFd: number | undefined): DatagramSocket {
    expectSocketPath(path, 'path');
    expectFunction(onMessage, 'onMessage');
    let wrapper: DatagramSocket | undefined;
    const socket = new native.NativeDatagramSocket(
      path,
      (batch) => {
        // A handler may close the socket mid-batch: the datagrams after that are dropped as
        // a closed socket would have, their fds closed; so are the rest if a handler throws.
        let next = 0;
        try {
          while (next < batch.length && (wrapper === undefined || !wrapper.#closed)) {
            const { data, from, fds } = batch[next++];
            const received = new ReceivedFds(fds);
            try {
              onMessage(data, from, received);
            } finally {
              if (wrapper) wrapper.#closedByWrapper += received.closeRest();
            }
          }
        } finally {
          for (; next < batch.length; next++) if (wrapper) wrapper.#closedByWrapper += new ReceivedFds(batch[next].fds).closeRest();
        }
      },
      adoptedFd,
    );
    wrapper = new DatagramSocket(path, socket);
    return wrapper;
  }

  /** Delivers the datagrams queued now, before returning (nothing once closed). */
  drain(): void {
    if (!this.#closed) this.#native.drain();
  }

  /** The socket's descriptor (-1 once closed), for daemon-reexec to keep. */
  get fd(): number {
    return this.#native.stats().fd;
  }

  /** Stops polling, closes the fd and removes the socket file (not for abstract names). Idempotent. */
  close(): void {
    this.#closed = true;
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
    return { ...counters, closedPassedFds: counters.closedPassedFds + this.#closedByWrapper };
  }
}

/** Sends one datagram without blocking (EAGAIN if the receiver's queue is full). */
export function sendDatagram(path: string, data: Buffer | string): void {
  expectSocketPath(path, 'path');
  if (typeof data === 'string') data = Buffer.from(data);
  else if (!Buffer.isBuffer(data)) throw new TypeError('data must be a Buffer or string');
  native.sendDatagram(path, data);
}

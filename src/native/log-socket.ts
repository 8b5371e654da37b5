// The log sockets' receiving end. Each message comes with the sender as /proc described it
// when the message arrived (see log-socket.cc for why arrival, not delivery, is the moment),
// and every open LogSocket is drained by the reaper before it reaps, so a child's last
// message is delivered before its exit is.

import { native, type NativeLogMessage, type NativeLogSender, type NativeLogSocket, type NativeLogStats } from './binding.js';
import { expectFunction, expectSocketPath } from './validate.js';

/** The sender: kernel credentials, plus what /proc said on arrival (see NativeLogSender). */
export type LogSender = NativeLogSender;
export type LogMessage = NativeLogMessage;

/** Messages received; dropped ones had no credentials, were over 64 KiB, or passed bad fds. */
export type LogSocketStats = NativeLogStats;

const open = new Set<LogSocket>();

export class LogSocket {
  readonly path: string;
  readonly #native: NativeLogSocket;

  private constructor(path: string, socket: NativeLogSocket) {
    this.path = path;
    this.#native = socket;
  }

  /**
   * Binds an AF_UNIX SOCK_DGRAM socket with SO_PASSCRED (a stale socket file is replaced) and
   * starts its receiver thread. `onMessage` runs on the main thread, in arrival order.
   */
  static bind(path: string, onMessage: (message: LogMessage) => void): LogSocket {
    return LogSocket.open(path, onMessage, 'datagram');
  }

  /**
   * A listening SOCK_STREAM socket (journald's stdout transport): each connection arrives as a
   * message whose `connection` is the accepted fd (the callback owns it) and whose sender is
   * the peer (SO_PEERCRED), described on arrival like a datagram's sender.
   */
  static listen(path: string, onConnection: (message: LogMessage & { connection: number }) => void): LogSocket {
    return LogSocket.open(path, (message) => {
      if (message.connection !== undefined) onConnection({ ...message, connection: message.connection });
    }, 'stream');
  }

  private static open(path: string, onMessage: (message: LogMessage) => void, kind: 'datagram' | 'stream'): LogSocket {
    expectSocketPath(path, 'path');
    expectFunction(onMessage, 'onMessage');
    const socket = new LogSocket(path, new native.NativeLogSocket(path, (batch) => batch.forEach(onMessage), kind));
    open.add(socket);
    return socket;
  }

  /** Delivers, now, everything that has arrived. */
  drain(): void {
    this.#native.drain();
  }

  /** Stops the thread, closes the socket and removes its file (not for abstract names). Idempotent. */
  close(): void {
    open.delete(this);
    this.#native.close();
  }

  ref(): void {
    this.#native.ref();
  }

  unref(): void {
    this.#native.unref();
  }

  stats(): LogSocketStats {
    return this.#native.stats();
  }
}

/** The reaper's first step: what children sent before exiting is delivered while they still exist. */
export function drainLogSockets(): void {
  for (const socket of open) {
    try {
      socket.drain();
    } catch (error) {
      queueMicrotask(() => {
        throw error;
      });
    }
  }
}

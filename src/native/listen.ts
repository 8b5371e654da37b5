// Listening sockets and FIFOs for .socket units (listen.cc). The fds belong to the caller,
// who closes them with fs.closeSync; a ReadableWatch only observes an fd.

import { native } from './binding.js';
import { expectFunction, expectInteger, MAX_FD } from './validate.js';

export interface ListenSpec {
  family: 'unix' | 'inet' | 'inet6';
  type: 'stream' | 'dgram' | 'seqpacket';
  /** How errors name the address (`[::]:22`, `/run/x.sock`). */
  label: string;
  /** inet/inet6. */
  host?: string;
  port?: number;
  scope?: string;
  /** unix: a path, or `@name` for the abstract namespace. */
  path?: string;
  /** SocketMode= of a unix node. */
  mode?: number;
  backlog?: number;
  bindIPv6Only?: 'default' | 'both' | 'ipv6-only';
  reusePort?: boolean;
  freeBind?: boolean;
  transparent?: boolean;
  broadcast?: boolean;
  passCredentials?: boolean;
  passSecurity?: boolean;
  keepAlive?: boolean;
  keepAliveTimeSec?: number;
  keepAliveIntervalSec?: number;
  keepAliveProbes?: number;
  noDelay?: boolean;
  deferAcceptSec?: number;
  ipTos?: number;
  ipTtl?: number;
  receiveBuffer?: number;
  sendBuffer?: number;
  mark?: number;
  priority?: number;
}

export interface ListeningSocket {
  fd: number;
  /** Options the kernel refused ("SO_REUSEPORT failed: ..."): systemd warns and goes on. */
  warnings: string[];
}

export interface AcceptedConnection {
  fd: number;
  /** IP sockets: `127.0.0.1:7777` (v4-mapped peers in IPv4 form). */
  local?: string;
  remote?: string;
  remoteHost?: string;
  remotePort?: number;
  /** AF_UNIX: SO_PEERCRED of the peer. */
  peerPid?: number;
  peerUid?: number;
  /** Options of the listening port the kernel refused on this connection (as listenSocket's). */
  warnings: string[];
}

interface ListenBinding {
  listenSocket(spec: ListenSpec): ListeningSocket;
  openFifo(path: string, mode: number): number;
  setBlocking(fd: number, blocking: boolean): void;
  acceptConnection(fd: number, spec?: ListenSpec): AcceptedConnection | null;
  NativeReadableWatch: new (fd: number, onReadable: () => void) => { close(): void };
}

const binding = native as unknown as ListenBinding;

/** socket(2) + options + bind(2) + listen(2): throws a system error (`bind [::]:22: Address already in use`). */
export function listenSocket(spec: ListenSpec): ListeningSocket {
  return binding.listenSocket(spec);
}

/** mkfifo(3) under SocketMode= (an existing FIFO is reused), opened read-write and non-blocking. */
export function openFifo(path: string, mode: number): number {
  expectInteger(mode, 'mode', 0, 0o7777);
  return binding.openFifo(path, mode);
}

/** O_NONBLOCK off (`blocking`) or on, for the open file description every holder of the fd shares. */
export function setBlocking(fd: number, blocking: boolean): void {
  expectInteger(fd, 'fd', 0, MAX_FD);
  binding.setBlocking(fd, blocking);
}

/**
 * accept4(2) one queued connection, or undefined when none is left. With `spec` (the port's
 * listenSocket spec) the connection gets the port's socket options, as systemd's accepted fds do.
 */
export function acceptConnection(fd: number, spec?: ListenSpec): AcceptedConnection | undefined {
  expectInteger(fd, 'fd', 0, MAX_FD);
  return binding.acceptConnection(fd, spec) ?? undefined;
}

/** Calls back on Node's loop while `fd` is readable, without reading: level-triggered, close() to stop. */
export class ReadableWatch {
  readonly #native: { close(): void };

  constructor(fd: number, onReadable: () => void) {
    expectInteger(fd, 'fd', 0, MAX_FD);
    expectFunction(onReadable, 'onReadable');
    this.#native = new binding.NativeReadableWatch(fd, onReadable);
  }

  close(): void {
    this.#native.close();
  }
}

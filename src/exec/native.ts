// The part of the native layer the exec and manager layers use, gathered in one
// object so the manager gets it injected (tests can pass a wrapped one).

import {
  spawn,
  spawnAsync,
  onChildExit,
  DatagramSocket,
  setChildSubreaper,
  SpawnError,
  type SpawnSpec,
  type SpawnResult,
  type SpawnCallback,
  type PendingSpawn,
  type StdioSpec,
  type ExitInfo,
  type Credentials,
  type DatagramHandler,
  ReceivedFds,
} from '../native/index.js';

export type { SpawnSpec, SpawnResult, SpawnCallback, PendingSpawn, StdioSpec, Credentials, DatagramHandler };
export type ChildExit = ExitInfo;

export interface DatagramSocketHandle {
  close(): void;
  /** Delivers what is queued now (absent in test doubles, which deliver at once). */
  drain?(): void;
  /** Its descriptor, which daemon-reexec keeps (absent in test doubles). */
  readonly fd?: number;
}

export interface NativeModule {
  spawn(spec: SpawnSpec): SpawnResult;
  /**
   * The clone off the event loop (native/spawn.ts spawnAsync): the callback gets the pid once
   * the child has exec'd. Absent in test doubles, whose spawn() answers at once; the manager
   * then uses spawn().
   */
  spawnAsync?(spec: SpawnSpec, callback: SpawnCallback): PendingSpawn;
  onChildExit(listener: (e: ChildExit) => void): () => void;
  /** `adoptedFd`: the socket at `path` kept open across daemon-reexec, polled again instead of bound. */
  bindDatagram(path: string, onMessage: DatagramHandler, adoptedFd?: number): DatagramSocketHandle;
  setChildSubreaper(): void;
}

export const realNative: NativeModule = {
  spawn,
  spawnAsync,
  onChildExit,
  bindDatagram: (path, onMessage, adoptedFd) => (adoptedFd === undefined ? DatagramSocket.bind(path, onMessage) : DatagramSocket.adopt(path, adoptedFd, onMessage)),
  setChildSubreaper,
};

export { SpawnError, ReceivedFds };

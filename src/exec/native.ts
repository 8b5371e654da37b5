// The part of the native layer the exec and manager layers use, gathered in one
// object so the manager gets it injected (tests can pass a wrapped one).

import {
  spawn,
  onChildExit,
  DatagramSocket,
  setChildSubreaper,
  SpawnError,
  type SpawnSpec,
  type SpawnResult,
  type StdioSpec,
  type ExitInfo,
  type Credentials,
  type DatagramHandler,
  type ReceivedFds,
} from '../native/index.js';

export type { SpawnSpec, SpawnResult, StdioSpec, Credentials, DatagramHandler, ReceivedFds };
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
  onChildExit(listener: (e: ChildExit) => void): () => void;
  /** `adoptedFd`: the socket at `path` kept open across daemon-reexec, polled again instead of bound. */
  bindDatagram(path: string, onMessage: DatagramHandler, adoptedFd?: number): DatagramSocketHandle;
  setChildSubreaper(): void;
}

export const realNative: NativeModule = {
  spawn,
  onChildExit,
  bindDatagram: (path, onMessage, adoptedFd) => (adoptedFd === undefined ? DatagramSocket.bind(path, onMessage) : DatagramSocket.adopt(path, adoptedFd, onMessage)),
  setChildSubreaper,
};

export { SpawnError };

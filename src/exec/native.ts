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
}

export interface NativeModule {
  spawn(spec: SpawnSpec): SpawnResult;
  onChildExit(listener: (e: ChildExit) => void): () => void;
  bindDatagram(path: string, onMessage: DatagramHandler): DatagramSocketHandle;
  setChildSubreaper(): void;
}

export const realNative: NativeModule = {
  spawn,
  onChildExit,
  bindDatagram: (path, onMessage) => DatagramSocket.bind(path, onMessage),
  setChildSubreaper,
};

export { SpawnError };

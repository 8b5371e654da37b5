// Loads the native addon through node-gyp-build: build/Release/unitd_native.node when it was
// built from source (a checkout: `npm install` runs `node-gyp-build`, which builds only when
// no prebuild matches), else prebuilds/<platform>-<arch>/ shipped in the package (an
// installed tarball or .deb needs no compiler). src/native/ and dist/native/ sit at the same
// depth under the package root, so the root is found the same way from the sources (tests)
// and from the build.

import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** `pid`: the failed child (already reaped), 0 if none could be made. */
export interface NativeFailure { pid: number; exitCode: number; errno: number; code: string; message: string; step: string }
export type NativeSpawnResult = { pid: number; stdin?: number; stdout?: number; stderr?: number; releasedTerminal?: boolean } | { failure: NativeFailure };
/** What spawnAsync's callback gets: the result, or the parent's own failure, and the pids of this spawn the reaper must drop. */
export type NativeAsyncSpawnResult = (NativeSpawnResult | { error: Error }) & { dropped: number[] };
export interface NativeExit { pid: number; code: 'exited' | 'killed' | 'dumped'; status: number }
export interface NativeCredentials { pid: number; uid: number; gid: number }
export interface NativeDatagramStats {
  received: number;
  droppedOversize: number;
  droppedWithoutCredentials: number;
  closedPassedFds: number;
  fd: number;
}
/** One datagram as the native socket hands it over (a batch per readable event). */
export interface NativeDatagram {
  data: Buffer;
  from: NativeCredentials;
  fds: number[];
}

export interface NativeDatagramSocket {
  close(): void;
  drain(): void;
  ref(): void;
  unref(): void;
  stats(): NativeDatagramStats;
}

export interface NativeLogStats {
  received: number;
  dropped: number;
  queued: number;
  /** Receiver threads: one per usable CPU (at most 8). */
  receivers: number;
  /** How far ahead of senders they run: 'realtime' needs CAP_SYS_NICE; then 'nice', 'short-slice' (Linux 6.12+), 'normal'. */
  scheduling: 'starting' | 'realtime' | 'nice' | 'short-slice' | 'normal';
}
/** A log message's sender: kernel credentials, plus /proc facts read on arrival. */
export interface NativeLogSender extends NativeCredentials {
  /** ppid, sid, comm and ancestors are absent when /proc/PID was already gone. */
  ppid?: number;
  sid?: number;
  comm?: string;
  /** UNITD_UNIT from its environment (absent for a zombie: its memory is already freed). */
  unit?: string;
  /** Parent, grandparent, ... up to 32 levels, below PID 1; empty when `unit` was found. */
  ancestors?: number[];
}
export interface NativeLogMessage {
  /** Stream sockets: an accepted connection (O_NONBLOCK, O_CLOEXEC) that the receiver now owns; data is empty. */
  connection?: number;
  data: Buffer;
  sender: NativeLogSender;
  /** µs since the epoch, taken on arrival. */
  receivedAt: number;
}
export interface NativeLogSocket {
  close(): void;
  drain(): void;
  ref(): void;
  unref(): void;
  stats(): NativeLogStats;
}

/** One inotify(7) event; `name` is empty for events on the watched path itself. */
export interface NativeInotifyEvent {
  wd: number;
  mask: number;
  cookie: number;
  name: string;
}
export interface NativeInotify {
  add(path: string, mask: number): number;
  remove(wd: number): void;
  close(): void;
}
/** One entry of a signal batch: `count` consecutive deliveries of `signal` from `pid` (0: unknown sender). */
export interface NativeSignalDelivery {
  signal: number;
  pid: number;
  count: number;
}
export interface NativeSignalWatcher {
  close(): void;
  ref(): void;
  unref(): void;
}
export interface NativeClockWatch {
  readonly fd: number;
  close(): void;
}

export interface NativeHangupWatch {
  add(fd: number): boolean;
  remove(fd: number): void;
  close(): void;
}

export interface NativeBinding {
  spawn(spec: object): NativeSpawnResult;
  spawnAsync(spec: object, callback: (result: NativeAsyncSpawnResult) => void): { failure: NativeFailure } | number;
  spawningPids(): number[];
  spawningPid(token: number): number;
  revertTerminal(terminal: object, chown: boolean): { errno: number; code: string; message: string } | null;
  rlimitNames: string[];
  reapExited(foreignPids: number[]): { exits: NativeExit[]; blockedBy: number };
  NativeDatagramSocket: new (path: string, onMessages: (batch: NativeDatagram[]) => void, adoptedFd?: number) => NativeDatagramSocket;
  sendDatagram(path: string, data: Buffer): void;
  NativeLogSocket: new (path: string, onMessages: (batch: NativeLogMessage[]) => void, kind?: 'datagram' | 'stream') => NativeLogSocket;
  peerCredentials(fd: number): NativeCredentials;
  setChildSubreaper(): void;
  isChildSubreaper(): boolean;
  NativeInotify: new (onEvents: (batch: NativeInotifyEvent[]) => void) => NativeInotify;
  NativeSignalWatcher: new (signals: number[], onSignals: (batch: NativeSignalDelivery[]) => void) => NativeSignalWatcher;
  sigrtmin: number;
  execSelf(file: string, argv: string[], env: string[], keepFds: number[]): never;
  adoptFd(fd: number): boolean;
  sigrtmax: number;
  NativeClockWatch: new (onChange: () => void) => NativeClockWatch;
  NativeHangupWatch: new (onHangup: (fd: number, error: boolean) => void) => NativeHangupWatch;
  /** True when V8's compaction ran (false: the runtime lacks its entry points; malloc_trim ran alone). */
  reduceMemory(): boolean;
}

const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

function loadBinding(): NativeBinding {
  const require = createRequire(import.meta.url);
  try {
    const load = require('node-gyp-build') as (dir: string) => unknown;
    return load(PACKAGE_ROOT) as NativeBinding;
  } catch (error) {
    const reason = error instanceof Error ? error.message.trim() : String(error);
    throw new Error(`unitd: cannot load the native addon from ${PACKAGE_ROOT}: ${reason}. Run \`npm install\` or \`npx node-gyp rebuild\` in the package root.`);
  }
}

export const native: NativeBinding = loadBinding();

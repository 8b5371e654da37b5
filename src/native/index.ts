// The native process layer: the only module the rest of unitd imports for processes and
// unix datagram sockets. See README.md for the rules it keeps (no child_process for
// services, async-signal-safe children, one reaper).

export {
  spawn,
  spawnAsync,
  spawnStarted,
  revertTerminal,
  SpawnError,
  checkSpawnSpec,
  RLIMIT_NAMES,
  STDIO_KINDS,
  FILE_MODES,
  type SpawnSpec,
  type SpawnResult,
  type SpawnCallback,
  type PendingSpawn,
  type TerminalSpec,
  type TerminalAcquire,
  type StdioSpec,
  type StdioKind,
  type FileMode,
  type ResourceLimit,
  type RlimitName,
} from './spawn.js';
export { reapAll, onChildExit, heldExitCount, exitPending, spawnsSettled, EXIT_CODES, type ExitInfo, type ExitCode } from './reaper.js';
export { DatagramSocket, ReceivedFds, sendDatagram, type Credentials, type DatagramStats, type DatagramHandler } from './datagram.js';
export { LogSocket, type LogMessage, type LogSender, type LogSocketStats } from './log-socket.js';
export { Inotify, IN, type InotifyEvent } from './inotify.js';
export { ClockWatch } from './clock-watch.js';
export { HangupWatch } from './hangup-watch.js';
export { reduceMemory } from './memory.js';
export { peerCredentials, socketPeerCredentials, setChildSubreaper, isChildSubreaper } from './credentials.js';
export { execSelf, adoptFd } from './reexec.js';
export { SignalWatcher, signalName, SIGRTMIN, SIGRTMAX, type SignalDelivery } from './signals.js';
export {
  EXIT_STATUSES,
  EXIT_STATUS_CLASSES,
  exitStatusByCode,
  exitStatusByName,
  type ExitStatus,
  type ExitStatusName,
  type ExitStatusClass,
} from '../units/values/exit-status.js';

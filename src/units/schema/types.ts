// The typed result of interpreting a unit file: what the manager, the exec layer
// and `systemctl show` work from. Defaults (defaults.ts) match systemd 252.

import type { UnitType } from '../unit-name.js';
import type { ExecCommand } from '../values/command-line.js';
import type { EnvironmentFileSpec } from '../values/environment-file.js';
import type { ExitStatusSet } from '../values/exit-status.js';
import type { TasksMax } from '../values/tasks-max.js';
import type { Usec } from '../values/timespan.js';
import type { SocketAddress, SocketPortKind } from '../values/socket-address.js';
import type {
  CollectMode,
  EmergencyAction,
  ExecDirectoryPreserve,
  JobMode,
  KillMode,
  NotifyAccess,
  OomPolicy,
  PathSpecKind,
  ResourceLimit,
  ServiceExitType,
  ServiceRestart,
  ServiceType,
  StandardInputKind,
  StandardOutputKind,
  SyslogLevel,
  TimeoutFailureMode,
  TimerBase,
} from './enums.js';
import type { CalendarSpec } from '../values/calendar.js';

export interface Condition {
  /** The key without its Condition/Assert prefix: "PathExists", "Virtualization" ... */
  kind: string;
  negate: boolean;
  /** `|` prefix: triggering conditions are ORed among themselves. */
  trigger: boolean;
  value: string;
}

export interface UnitSection {
  description: string;
  documentation: string[];
  requires: string[];
  requisite: string[];
  wants: string[];
  bindsTo: string[];
  partOf: string[];
  upholds: string[];
  conflicts: string[];
  before: string[];
  after: string[];
  onFailure: string[];
  onSuccess: string[];
  /** Triggers=: never in a file; the unit a timer, socket or path starts (implicit-deps.ts). */
  triggers: string[];
  propagatesReloadTo: string[];
  reloadPropagatedFrom: string[];
  propagatesStopTo: string[];
  stopPropagatedFrom: string[];
  joinsNamespaceOf: string[];
  requiresMountsFor: string[];
  defaultDependencies: boolean;
  stopWhenUnneeded: boolean;
  refuseManualStart: boolean;
  refuseManualStop: boolean;
  allowIsolate: boolean;
  ignoreOnIsolate: boolean;
  conditions: Condition[];
  asserts: Condition[];
  successAction: EmergencyAction;
  failureAction: EmergencyAction;
  successActionExitStatus?: number;
  failureActionExitStatus?: number;
  startLimitIntervalUSec: Usec;
  startLimitBurst: number;
  startLimitAction: EmergencyAction;
  jobTimeoutUSec: Usec;
  jobRunningTimeoutUSec: Usec;
  jobTimeoutAction: EmergencyAction;
  onFailureJobMode: JobMode;
  onSuccessJobMode: JobMode;
  collectMode: CollectMode;
  sourcePath?: string;
}

export interface InstallSection {
  wantedBy: string[];
  requiredBy: string[];
  alias: string[];
  also: string[];
  defaultInstance?: string;
}

/** A resource limit as setrlimit() takes it; Infinity = RLIM_INFINITY. */
export interface RlimitValue {
  soft: number;
  hard: number;
}

export interface StandardInput {
  kind: StandardInputKind;
  /** Path for `file:`, name for `fd:`. */
  target?: string;
}

export interface StandardOutput {
  kind: StandardOutputKind;
  target?: string;
}

export interface ExecDirectory {
  /** Relative to the directory root (/run, /var/lib, ...). */
  path: string;
  /** Extra symlinks (`name:link1:link2`). */
  symlinks: string[];
}

export interface ServiceSection {
  /** Type=, or derived when unset: dbus with BusName=, simple with ExecStart=, else oneshot. */
  type: ServiceType;
  exitType: ServiceExitType;
  execCondition: ExecCommand[];
  execStartPre: ExecCommand[];
  execStart: ExecCommand[];
  execStartPost: ExecCommand[];
  execReload: ExecCommand[];
  execStop: ExecCommand[];
  execStopPost: ExecCommand[];
  restart: ServiceRestart;
  restartUSec: Usec;
  /** RestartSteps= [v254+]: restarts over which the delay grows to restartMaxDelayUSec; 0 = fixed RestartSec=. */
  restartSteps: number;
  /** RestartMaxDelaySec= [v254+]. */
  restartMaxDelayUSec: Usec;
  /** Unset: 90s, or infinity for oneshot. */
  timeoutStartUSec: Usec;
  timeoutStopUSec: Usec;
  /** Unset: same as timeoutStopUSec. */
  timeoutAbortUSec: Usec;
  timeoutStartFailureMode: TimeoutFailureMode;
  timeoutStopFailureMode: TimeoutFailureMode;
  runtimeMaxUSec: Usec;
  runtimeRandomizedExtraUSec: Usec;
  watchdogUSec: Usec;
  /** notify types, WatchdogSec= and FileDescriptorStoreMax= turn `none` into `main`. */
  notifyAccess: NotifyAccess;
  pidFile?: string;
  remainAfterExit: boolean;
  guessMainPID: boolean;
  busName?: string;
  fileDescriptorStoreMax: number;
  /** Sockets=: socket units whose fds this service gets, with Wants= and After= on them. */
  sockets: string[];
  successExitStatus: ExitStatusSet;
  restartPreventExitStatus: ExitStatusSet;
  restartForceExitStatus: ExitStatusSet;
  oomPolicy: OomPolicy;
  rootDirectoryStartOnly: boolean;
  // systemd.kill(5)
  killMode: KillMode;
  killSignal: number;
  /** Unset: KillSignal=. */
  restartKillSignal: number;
  finalKillSignal: number;
  sendSIGKILL: boolean;
  sendSIGHUP: boolean;
  watchdogSignal: number;
  /** ReloadSignal= [v253+], for Type=notify-reload. */
  reloadSignal: number;
  // systemd.exec(5)
  user?: string;
  group?: string;
  supplementaryGroups: string[];
  workingDirectory?: string; // absolute, or "~" for the home of User=
  workingDirectoryMissingOK: boolean;
  rootDirectory?: string;
  environment: [name: string, value: string][];
  environmentFiles: EnvironmentFileSpec[];
  passEnvironment: string[];
  unsetEnvironment: string[];
  umask: number;
  nice?: number;
  oomScoreAdjust?: number;
  /** TasksMax= (resource control); unset: systemd's DefaultTasksMax=. Shown, not enforced (no cgroups). */
  tasksMax?: TasksMax;
  limits: Partial<Record<ResourceLimit, RlimitValue>>;
  runtimeDirectory: ExecDirectory[];
  stateDirectory: ExecDirectory[];
  cacheDirectory: ExecDirectory[];
  logsDirectory: ExecDirectory[];
  configurationDirectory: ExecDirectory[];
  runtimeDirectoryMode: number;
  stateDirectoryMode: number;
  cacheDirectoryMode: number;
  logsDirectoryMode: number;
  configurationDirectoryMode: number;
  runtimeDirectoryPreserve: ExecDirectoryPreserve;
  standardInput: StandardInput;
  standardOutput: StandardOutput;
  standardError: StandardOutput;
  standardInputText: string;
  standardInputData?: string;
  ttyPath?: string;
  ttyReset: boolean;
  ttyVHangup: boolean;
  ttyVTDisallocate: boolean;
  /** TTYRows=/TTYColumns=; undefined: the terminal's own size is kept. */
  ttyRows?: number;
  ttyColumns?: number;
  syslogIdentifier?: string;
  syslogLevel: SyslogLevel;
  syslogFacility: string;
  syslogLevelPrefix: boolean;
  noNewPrivileges: boolean;
  ignoreSIGPIPE: boolean;
  /** CPUAffinity=: CPU indices, sorted; undefined when unset (the manager's own affinity). */
  cpuAffinity?: number[];
  /** CapabilityBoundingSet=: capability numbers kept; undefined: all (nothing dropped). */
  capabilityBoundingSet?: number[];
  /** AmbientCapabilities=: capability numbers, ascending. */
  ambientCapabilities: number[];
  /** SecureBits=: linux/securebits.h flags. */
  secureBits: number;
  /** CPUSchedulingPolicy=/CPUSchedulingPriority=: undefined when neither is set (inherited). */
  cpuScheduling?: { policy: number; priority: number };
  cpuSchedulingResetOnFork: boolean;
  /** IOSchedulingClass=/IOSchedulingPriority= as one ioprio value, (class << 13) | level; undefined: inherited. */
  ioPriority?: number;
}

/** Settings of types unitd keeps inert (socket, timer, path, mount ...): raw values per key, lists reset by "". */
export type RawSettings = Record<string, Record<string, string[]>>;

export interface PathSpec {
  kind: PathSpecKind;
  /** Absolute and normalized (the schema refuses anything else). */
  path: string;
}

/** [Path] (systemd.path(5)). */
export interface PathSection {
  /** Every PathExists=, PathChanged=, ... in file order. */
  paths: PathSpec[];
  /** Unit=: unset = `<prefix>.service`. */
  unit?: string;
  makeDirectory: boolean;
  directoryMode: number;
  triggerLimitIntervalUSec: Usec;
  triggerLimitBurst: number;
}

/** One Listen*= of a socket unit, in file order. */
export interface SocketPort {
  kind: SocketPortKind;
  /** Stream/Datagram/SequentialPacket: the parsed address; the others keep `text`. */
  address?: SocketAddress;
  /** As systemd prints it (Listen=, list-sockets). */
  text: string;
}

/** [Socket] (systemd.socket(5)); exec and kill keys go to `exec`, a service-shaped section. */
export interface SocketSection {
  ports: SocketPort[];
  accept: boolean;
  /** Service=: unset = `<prefix>.service`. */
  service?: string;
  bindIPv6Only: 'default' | 'both' | 'ipv6-only';
  backlog: number;
  socketUser?: string;
  socketGroup?: string;
  socketMode: number;
  directoryMode: number;
  removeOnStop: boolean;
  symlinks: string[];
  fileDescriptorName?: string;
  reusePort: boolean;
  freeBind: boolean;
  transparent: boolean;
  broadcast: boolean;
  passCredentials: boolean;
  passSecurity: boolean;
  keepAlive: boolean;
  keepAliveTimeUSec: Usec;
  keepAliveIntervalUSec: Usec;
  keepAliveProbes: number;
  noDelay: boolean;
  /** DeferAcceptSec= (TCP_DEFER_ACCEPT); 0: off. */
  deferAcceptUSec: Usec;
  /** IPTOS=, IPTTL=: unset leaves the kernel's. */
  ipTos?: number;
  ipTtl?: number;
  receiveBuffer?: number;
  sendBuffer?: number;
  mark?: number;
  priority?: number;
  writable: boolean;
  flushPending: boolean;
  maxConnections: number;
  maxConnectionsPerSource: number;
  timeoutUSec: Usec;
  triggerLimitIntervalUSec: Usec;
  /** Unset: 20, or 200 with Accept=yes. */
  triggerLimitBurst?: number;
  /** ExecStartPre/ExecStartPost/ExecStopPost= and User=, KillMode= ...; ExecStopPre= lands in `execStop`. */
  exec: ServiceSection;
}

/** One monotonic value of a timer: OnActiveSec=5min → { base: 'OnActiveSec', usec: 300e6 }. */
export interface MonotonicTimerValue {
  base: TimerBase;
  usec: Usec;
}

/** [Timer] (systemd.timer(5)). */
export interface TimerSection {
  /** OnActiveSec= ... OnUnitInactiveSec= in file order. */
  monotonic: MonotonicTimerValue[];
  /** OnCalendar= in file order. */
  calendar: CalendarSpec[];
  /** Unit=: unset = `<prefix>.service`. */
  unit?: string;
  onClockChange: boolean;
  onTimezoneChange: boolean;
  accuracyUSec: Usec;
  randomizedDelayUSec: Usec;
  fixedRandomDelay: boolean;
  persistent: boolean;
  wakeSystem: boolean;
  remainAfterElapse: boolean;
}

export interface UnsupportedSetting {
  key: string;
  file: string;
  line: number;
}

export interface UnitConfig {
  type: UnitType;
  unit: UnitSection;
  install: InstallSection;
  service?: ServiceSection;
  path?: PathSection;
  socket?: SocketSection;
  timer?: TimerSection;
  /** Known keys of sections unitd does not interpret (e.g. [Timer]). */
  settings: RawSettings;
  /** Accepted, not applied in a container (sandboxing, cgroup resource control ...). */
  unsupported: UnsupportedSetting[];
  /** Set when systemd would say LoadState=bad-setting: the exact refusal message. */
  badSetting?: string;
}

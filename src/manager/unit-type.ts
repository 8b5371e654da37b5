// The one table of operations every unit type implements (systemd's UnitVTable):
// service.ts and target.ts register here; the manager and the job engine only
// talk to units through it.

import type { Logger } from '../journal/logger.js';
import { JOB_RESULTS, type JobResult, type KillWhom, type Properties } from '../control/api.js';
import type { ChildExit, NativeModule } from '../exec/native.js';
import type { BusNames } from './bus-names.js';
import type { ExecSettings } from '../exec/settings.js';
import type { ConsoleWriter, LogSink } from './log-sink.js';
import type { TimerClock } from './clock.js';
import type { ProcessTable } from './process-tracker.js';
import type { ActiveState } from './states.js';
import type { LoadState } from '../units/schema/enums.js';
import { defaultUnitSection } from '../units/schema/defaults.js';
import type { Condition, InstallSection, RawSettings, UnitConfig, UnitSection } from '../units/schema/types.js';
import type { ServiceSettings } from './service-settings.js';

/** [Unit] settings (the schema's UnitSection) plus the [Install] lists the manager shows. */
export type UnitSettings = UnitSection & Pick<InstallSection, 'wantedBy' | 'requiredBy'>;

/** One Condition*=/Assert*= entry (systemd.unit(5) "Conditions and Asserts"). */
export type UnitCondition = Condition;

export function defaultUnitSettings(): UnitSettings {
  return { ...defaultUnitSection(), wantedBy: [], requiredBy: [] };
}

/**
 * UnitFileState= and UnitFilePreset= walk the search path, so they are worked out when first
 * read, as systemd's unit_get_unit_file_state() does: a unit loaded only to run (an Accept=yes
 * instance per connection) never needs them. One object serves every unit, so a loaded unit
 * holds no closures for it.
 */
export interface UnitFileStates {
  unitFileState(id: string): string;
  unitFilePreset(id: string, fileState: string): string;
}

export function unitFileStateOf(u: LoadedUnit): string {
  return (u.unitFileState ??= u.fileStates?.unitFileState(u.id) ?? '');
}

export function unitFilePresetOf(u: LoadedUnit): string {
  return (u.unitFilePreset ??= u.fileStates?.unitFilePreset(u.id, unitFileStateOf(u)) ?? '');
}

/** A unit as loaded: what the loader found plus the settings of its type. */
export interface LoadedUnit {
  id: string;
  names: string[];
  loadState: LoadState;
  /** `org.freedesktop.systemd1.NoSuchUnit "Unit x not found."` style, when not loaded. */
  loadError?: { name: string; message: string };
  fragmentPath: string;
  dropInPaths: string[];
  /** UnitFileState=; read it with unitFileStateOf(): unset until first asked (see fileStates). */
  unitFileState?: string;
  /** UnitFilePreset=: `enabled`, `disabled` or empty; read it with unitFilePresetOf(). */
  unitFilePreset?: string;
  /** Works out the two above on first read (the unit source, shared by all its units). */
  fileStates?: UnitFileStates;
  unit: UnitSettings;
  service?: ServiceSettings;
  /** Known keys of the type's own section that the schema does not type yet (e.g. [Timer]), raw. */
  settings?: RawSettings;
  /** The schema's typed unit (for the types that read their own section from it: [Path] ...). */
  schema?: UnitConfig;
  /** Exec settings shared by all exec-capable types. */
  exec?: ExecSettings;
  /** Load warnings to show once. */
  warnings: string[];
  /** Files read and their modification times (ms), for NeedDaemonReload=. */
  mtimes?: Map<string, number>;
  /** Synthesized by unitd (builtin-units.ts): the search path has no such file. */
  builtin?: boolean;
}

/** Everything a state change tells the job engine (systemd's unit_notify flags). */
export interface StateChange {
  from: ActiveState;
  to: ActiveState;
  /** The unit is about to be restarted automatically: a waiting start job has failed. */
  willAutoRestart?: boolean;
  /** The start was skipped (condition): the start job is `done`, not `failed`. */
  skipped?: boolean;
  /** A reload finished with this outcome. */
  reloadResult?: 'done' | 'failed';
}

/** What a unit instance may ask of the manager. */
export interface UnitHost {
  readonly log: Logger;
  readonly console: ConsoleWriter;
  readonly logSink: LogSink;
  readonly native: NativeModule;
  readonly runtimeDir: string;
  /** The clock of the unit's timers (default: the real one); tests drive state machines with a fake. */
  readonly clock?: TimerClock;
  /** What the unit reads of the process table (default: /proc); tests give a fake. */
  readonly processTable?: ProcessTable;
  /** Kernel OOM kills so far in unitd's memory cgroup (default: memory.ts's reader); tests give a fake. */
  oomKills?(): number | undefined;
  managerEnvironment(): string[];
  readonly processEnvironment: Record<string, string | undefined>;
  /** Route exits of this pid to the unit (a pid may have several watchers; the first is its owner). */
  watchPid(pid: number, unit: string): void;
  /** Stop routing to `unit` (every watcher when omitted). */
  unwatchPid(pid: number, unit?: string): void;
  stateChanged(unit: string, change: StateChange): void;
  /** Type=idle: resolves when every other queued job is done (JobEngine.whenOthersDone). */
  whenOtherJobsDone?(unit: string): { done: Promise<void>; cancel(): void };
  /** The unit refused a start (start limit hit): the manager runs its StartLimitAction=. */
  startLimitHit?(unit: string): void;
  /** RestartSec= elapsed: queue the restart job (stop + start) for this unit. */
  requestAutoRestart(unit: string): void;
  /**
   * A trigger unit (timer, socket, path) starts the unit it triggers: a normal start job
   * (mode replace), whose start() sees `{ kind: 'unit', unit: trigger }`. False when the job
   * could not be queued (logged as `Failed to queue unit startup job: ...`).
   */
  triggerStart(unit: string, trigger: string, environment?: string[]): boolean;
  /**
   * A socket unit adds (and later drops) a Triggers= edge at run time: the Accept=yes
   * instance it just started, so the instance's state reaches its triggerNotify().
   */
  addTrigger?(trigger: string, unit: string): void;
  removeTrigger?(trigger: string, unit: string): void;
  /** The fds socket units pass to `unit`'s main process (LISTEN_FDS), collected from the units triggering it. */
  socketFds?(unit: string): PassedFds | undefined;
  /** Names on the system bus, for Type=dbus services (absent in tests without a bus). */
  readonly busNames?: BusNames;
  /** What a trigger unit needs to know of the unit it triggers (loading it if needed). */
  unitStatus(unit: string): TriggeredUnitStatus;
  /** Manager-level message about a unit: journal (ring) + daemon log. */
  unitMessage(unit: string, message: string, priority?: number): void;
  /**
   * The one error boundary: run `fn` for an event of `unit` (a timer, a file watch, a notify
   * message, a child exit, a job). A throw prints one line naming the unit and the event,
   * fails the unit with result `resources`, fails its job, and PID 1 carries on.
   */
  deliver(unit: string, event: UnitEvent, fn: () => void): void;
}

export interface UnitInstance {
  readonly activeState: ActiveState;
  readonly subState: string;
  /** Replace the settings after daemon-reload (the running state is kept). */
  reload(config: LoadedUnit): void;
  /**
   * Takes no part in the job machinery (the skip list): its jobs are instant, need no
   * ordering, skip Condition*= checks and say nothing on the console when they succeed.
   */
  readonly inert?: boolean;
  /** Begin starting; completion is reported through host.stateChanged. */
  start(trigger?: StartTrigger): 'started' | 'already' | 'wait' | 'failed';
  /** `forRestart`: the stop half of a restart job (RestartKillSignal=, RuntimeDirectoryPreserve=restart). */
  stop(options?: { forRestart?: boolean }): 'stopping' | 'already' | 'wait';
  canReload(): boolean;
  reloadUnit(): 'reloading' | 'wait' | 'failed';
  kill(whom: KillWhom, signal: number): number;
  childExited(exit: ChildExit): void;
  /** An exit of a process that no unit watched (an orphan): units waiting for emptiness re-check. */
  orphanExited(): void;
  resetFailed(): void;
  properties(): Properties;
  /** Pids for status' process tree. */
  pids(): number[];
  /** An event handler of this unit threw: stop what runs and end `failed` with this result. */
  fail?(result: 'resources'): void;
  /** Waiting to be restarted automatically (systemd's will_restart): a stop of it is silent. Default false. */
  willAutoRestart?(): boolean;
  /** The signal the stop budget's final sweep sends (FinalKillSignal=); undefined: nothing to kill. */
  finalKillSignal?(): number | undefined;
  /** The last run's Result= (`success`, `exit-code`, `start-limit-hit` ...); absent for types without one. */
  lastResult?(): string;
  /**
   * A unit this one triggers (Triggers=) changed state or lost its job: systemd's
   * trigger_notify(), how a path, timer or socket unit follows the unit it started.
   */
  triggerNotify?(triggered: TriggeredUnitStatus): void;
  /** A socket unit: the fds it passes to `service` (its ports, or an Accept=yes instance's connection). */
  passedFds?(service: string, named?: boolean): PassedFds | undefined;
  /**
   * The type's say in garbage collection (systemd's UnitVTable.may_gc), asked only of an
   * inactive unit without a job: false while something of it must outlive the unit object
   * (a process still around, fds in its store, live connections). Default true.
   */
  mayCollect?(): boolean;
  /** The daemon is going down, or the unit was collected: stop without restarts, free what it holds. */
  dispose(): void;
  /**
   * daemon-reexec (serialize.ts): the running state as plain JSON, `keep` naming each fd that
   * must survive execve. Stops reading kept pipes; nothing else changes. Absent: the unit
   * comes back inactive (a type with nothing to keep).
   */
  snapshot?(keep: (fd: number) => void): UnitSnapshot;
  /** daemon-reexec: resume from snapshot()'s JSON of the previous program; its fds are open at the same numbers. */
  restore?(snapshot: UnitSnapshot): void;
}

/** A unit's running state across daemon-reexec: JSON, read back only by the same type. */
export type UnitSnapshot = Record<string, unknown>;

/** Fds for a service's main process, dup'ed to 3, 4 ... and named in LISTEN_FDNAMES. */
export interface PassedFds {
  fds: number[];
  names: string[];
}

/** The events the error boundary names (UnitHost.deliver). */
export type UnitEvent = 'timer' | 'pid-file' | 'file-watch' | 'notify' | 'bus-name' | 'child-exit' | 'spawned' | 'control' | 'job';

/** A triggered unit as its trigger unit sees it. */
export interface TriggeredUnitStatus {
  id: string;
  loadState: LoadState;
  activeState: ActiveState;
  /** The unit's SubState (a socket follows its service's `running`, socket_trigger_notify()). */
  subState: string;
  /** A job is queued or running for it: a trigger unit waits for the job to end. */
  hasJob: boolean;
  result?: string;
  /** CLOCK_MONOTONIC µs when it last left / entered `inactive` (0: never), for OnUnitActiveSec=/OnUnitInactiveSec=. */
  inactiveExitMonotonic?: number;
  inactiveEnterMonotonic?: number;
}

/** What set a start going: a job asked for by a client or dependency, Restart=, or a trigger unit. */
export type StartTrigger =
  | { kind: 'job' }
  | { kind: 'auto-restart' }
  /** `environment`: TRIGGER_UNIT=, TRIGGER_PATH= ... for the started unit's processes (systemd's activation details). */
  | { kind: 'unit'; unit: string; environment?: string[] };

export type JobVerb = 'start' | 'stop' | 'reload';

/**
 * systemd's status_message_formats: the console/journal line of a job per verb and result,
 * `%s` standing for the unit's label. A missing entry means no line.
 */
export interface StatusMessageFormats {
  starting: Partial<Record<JobVerb, string>>;
  finished: Record<JobVerb, Partial<Record<JobResult, string>>>;
  /** Say on the console that a start was skipped for an unmet condition. */
  announceConditionSkip: boolean;
}

/** The wording of job.c's generic table, as unitd prints it (types override what differs). */
export const DEFAULT_STATUS_MESSAGES: StatusMessageFormats = {
  starting: { start: 'Starting %s...', stop: 'Stopping %s...', reload: 'Reloading %s...' },
  finished: {
    start: {
      done: 'Started %s.',
      failed: 'Failed to start %s.',
      timeout: 'Failed to start %s.',
      dependency: 'Dependency failed for %s.',
      assert: 'Assertion failed for %s.',
    },
    stop: Object.fromEntries(JOB_RESULTS.map((r) => [r, 'Stopped %s.'])),
    reload: Object.fromEntries(JOB_RESULTS.map((r) => [r, r === 'done' ? 'Reloaded %s.' : 'Reload failed for %s.'])),
  },
  announceConditionSkip: true,
};

/** One row of the unit-type table (systemd's UnitVTable). */
export interface UnitType {
  readonly suffix: string;
  create(config: LoadedUnit, host: UnitHost): UnitInstance;
  /** `systemctl freeze`/`thaw` apply (units that run processes); default false. */
  readonly canFreeze?: boolean;
  /** Job wording of this type; default DEFAULT_STATUS_MESSAGES. `config` lets a service say "Finished" for Type=oneshot. */
  statusMessages?(config: LoadedUnit): StatusMessageFormats;
}

/** The line for a job of `config` with `formats`, or undefined when the type says nothing. */
export function statusMessage(formats: StatusMessageFormats, verb: JobVerb, phase: 'starting' | JobResult, label: string): string | undefined {
  const format = phase === 'starting' ? formats.starting[verb] : formats.finished[verb][phase];
  return format?.replace('%s', label);
}

export type { ChildExit };

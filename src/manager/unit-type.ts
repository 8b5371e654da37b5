// The one table of operations every unit type implements (systemd's UnitVTable):
// service.ts and target.ts register here; the manager and the job engine only
// talk to units through it.

import type { Logger } from 'pino';
import type { KillWhom, Properties } from '../control/api.js';
import type { ChildExit, NativeModule } from '../exec/native.js';
import type { ExecSettings } from '../exec/settings.js';
import type { ConsoleWriter, LogSink } from './log-sink.js';
import type { ActiveState, LoadState } from './states.js';
import type { ServiceSettings } from './service-settings.js';

/** [Unit] settings the manager uses. */
export interface UnitSettings {
  description: string;
  documentation: string[];
  requires: string[];
  wants: string[];
  bindsTo: string[];
  partOf: string[];
  requisite: string[];
  conflicts: string[];
  after: string[];
  before: string[];
  onFailure: string[];
  requiredBy: string[];
  wantedBy: string[];
  stopWhenUnneeded: boolean;
  refuseManualStart: boolean;
  refuseManualStop: boolean;
  defaultDependencies: boolean;
  startLimitIntervalUSec: number;
  startLimitBurst: number;
  startLimitAction: string;
  upholds: string[];
  onSuccess: string[];
  propagatesReloadTo: string[];
  reloadPropagatedFrom: string[];
  propagatesStopTo: string[];
  stopPropagatedFrom: string[];
  allowIsolate: boolean;
  ignoreOnIsolate: boolean;
  conditions: UnitCondition[];
  asserts: UnitCondition[];
  successAction: string;
  failureAction: string;
  successActionExitStatus?: number;
  failureActionExitStatus?: number;
  onFailureJobMode: string;
  onSuccessJobMode: string;
}

/** One Condition*=/Assert*= entry (systemd.unit(5) "Conditions and Asserts"). */
export interface UnitCondition {
  /** Without the Condition/Assert prefix: PathExists, Virtualization, ... */
  kind: string;
  negate: boolean;
  trigger: boolean;
  value: string;
}

export function defaultUnitSettings(): UnitSettings {
  return {
    description: '',
    documentation: [],
    requires: [],
    wants: [],
    bindsTo: [],
    partOf: [],
    requisite: [],
    conflicts: [],
    after: [],
    before: [],
    onFailure: [],
    requiredBy: [],
    wantedBy: [],
    stopWhenUnneeded: false,
    refuseManualStart: false,
    refuseManualStop: false,
    defaultDependencies: true,
    startLimitIntervalUSec: 10_000_000,
    startLimitBurst: 5,
    startLimitAction: 'none',
    upholds: [],
    onSuccess: [],
    propagatesReloadTo: [],
    reloadPropagatedFrom: [],
    propagatesStopTo: [],
    stopPropagatedFrom: [],
    allowIsolate: false,
    ignoreOnIsolate: false,
    conditions: [],
    asserts: [],
    successAction: 'none',
    failureAction: 'none',
    onFailureJobMode: 'replace',
    onSuccessJobMode: 'replace',
  };
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
  unitFileState: string;
  /** UnitFilePreset=: `enabled`, `disabled` or empty. */
  unitFilePreset?: string;
  unit: UnitSettings;
  service?: ServiceSettings;
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
  managerEnvironment(): string[];
  readonly processEnvironment: Record<string, string | undefined>;
  /** Route exits of this pid to the unit. */
  watchPid(pid: number, unit: string): void;
  unwatchPid(pid: number): void;
  stateChanged(unit: string, change: StateChange): void;
  /** RestartSec= elapsed: queue the restart job (stop + start) for this unit. */
  requestAutoRestart(unit: string): void;
  /** Manager-level message about a unit: journal (ring) + daemon log. */
  unitMessage(unit: string, message: string, priority?: number): void;
}

export interface UnitInstance {
  readonly activeState: ActiveState;
  readonly subState: string;
  /** Replace the settings after daemon-reload (the running state is kept). */
  reload(config: LoadedUnit): void;
  /** Begin starting; completion is reported through host.stateChanged. Returns false when it cannot start now. */
  start(): 'started' | 'already' | 'wait' | 'failed';
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
  /** The daemon is going down: stop without restarts. */
  dispose(): void;
}

export interface UnitType {
  readonly suffix: string;
  create(config: LoadedUnit, host: UnitHost): UnitInstance;
}

export type { ChildExit };

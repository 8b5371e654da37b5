// The one table of operations every unit type implements (systemd's UnitVTable):
// service.ts and target.ts register here; the manager and the job engine only
// talk to units through it.

import type { Logger } from 'pino';
import type { KillWhom, Properties } from '../control/api.js';
import type { ChildExit, NativeModule } from '../exec/native.js';
import type { ExecSettings } from '../exec/settings.js';
import type { ConsoleWriter, LogSink } from './log-sink.js';
import type { ActiveState } from './states.js';
import type { LoadState } from '../units/schema/enums.js';
import { defaultUnitSection } from '../units/schema/defaults.js';
import type { Condition, InstallSection, UnitSection } from '../units/schema/types.js';
import type { ServiceSettings } from './service-settings.js';

/** [Unit] settings (the schema's UnitSection) plus the [Install] lists the manager shows. */
export type UnitSettings = UnitSection & Pick<InstallSection, 'wantedBy' | 'requiredBy'>;

/** One Condition*=/Assert*= entry (systemd.unit(5) "Conditions and Asserts"). */
export type UnitCondition = Condition;

export function defaultUnitSettings(): UnitSettings {
  return { ...defaultUnitSection(), wantedBy: [], requiredBy: [] };
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

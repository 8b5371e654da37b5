// Properties every unit shows (semantics §8.6), named as systemd names them,
// values raw: µs numbers, booleans, strings, lists. The client formats.

import type { Properties } from '../control/api.js';
import { NO_TIMESTAMP, now, type DualTimestamp } from './clock.js';
import { isDown, type ActiveState } from './states.js';
import { unitFilePresetOf, unitFileStateOf, type LoadedUnit } from './unit-type.js';

export interface UnitTimestamps {
  stateChange: DualTimestamp;
  inactiveExit: DualTimestamp;
  activeEnter: DualTimestamp;
  activeExit: DualTimestamp;
  inactiveEnter: DualTimestamp;
  condition: DualTimestamp;
}

/** A unit that has never changed state. */
export function noTimestamps(): UnitTimestamps {
  return {
    stateChange: NO_TIMESTAMP,
    inactiveExit: NO_TIMESTAMP,
    activeEnter: NO_TIMESTAMP,
    activeExit: NO_TIMESTAMP,
    inactiveEnter: NO_TIMESTAMP,
    condition: NO_TIMESTAMP,
  };
}

/** Stamps a state change as unit_notify() does: going up sets InactiveExit/ActiveEnter, going down ActiveExit/InactiveEnter. */
export function recordTransition(ts: UnitTimestamps, from: ActiveState, to: ActiveState): void {
  const t = now();
  ts.stateChange = t;
  if (isDown(from) && !isDown(to)) {
    ts.inactiveExit = t;
    ts.activeEnter = t;
  } else if (!isDown(from) && isDown(to)) {
    ts.activeExit = t;
    ts.inactiveEnter = t;
  }
}

export function timestampProperties(ts: UnitTimestamps): Properties {
  const p: Properties = {};
  const put = (name: string, t: DualTimestamp) => {
    p[name] = t.realtime;
    p[`${name}Monotonic`] = t.monotonic;
  };
  put('StateChangeTimestamp', ts.stateChange);
  put('InactiveExitTimestamp', ts.inactiveExit);
  put('ActiveEnterTimestamp', ts.activeEnter);
  put('ActiveExitTimestamp', ts.activeExit);
  put('InactiveEnterTimestamp', ts.inactiveEnter);
  put('ConditionTimestamp', ts.condition);
  put('AssertTimestamp', ts.condition);
  return p;
}

export function execStateProperty(rec: { startTimestamp: number; stopTimestamp: number; pid: number; code: number; status: number }) {
  return { startTimestamp: rec.startTimestamp, stopTimestamp: rec.stopTimestamp, pid: rec.pid, code: rec.code, status: rec.status };
}

/** `org.freedesktop.systemd1.NoSuchUnit "Unit x not found."`, as `systemctl show -p LoadError` prints it. */
export function loadErrorText(config: LoadedUnit): string {
  if (!config.loadError) return '';
  return `${config.loadError.name} "${config.loadError.message}"`;
}

export function unitBaseProperties(
  config: LoadedUnit,
  activeState: ActiveState,
  subState: string,
  extra: { canReload: boolean; invocationId: string; conditionResult: boolean },
): Properties {
  const u = config.unit;
  const loaded = config.loadState === 'loaded';
  return {
    Id: config.id,
    Names: config.names.length > 0 ? config.names : [config.id],
    Description: u.description || config.id,
    LoadState: config.loadState,
    ActiveState: activeState,
    SubState: subState,
    UnitFileState: unitFileStateOf(config),
    UnitFilePreset: unitFilePresetOf(config),
    FragmentPath: config.fragmentPath,
    SourcePath: u.sourcePath ?? '',
    DropInPaths: config.dropInPaths,
    Requires: u.requires,
    Wants: u.wants,
    BindsTo: u.bindsTo,
    PartOf: u.partOf,
    Requisite: u.requisite,
    Conflicts: u.conflicts,
    After: u.after,
    Before: u.before,
    RequiredBy: u.requiredBy,
    WantedBy: u.wantedBy,
    ConsistsOf: [],
    BoundBy: [],
    OnFailure: u.onFailure,
    Documentation: u.documentation,
    CanStart: loaded && !u.refuseManualStart,
    CanStop: !u.refuseManualStop,
    CanReload: loaded && extra.canReload,
    StopWhenUnneeded: u.stopWhenUnneeded,
    RefuseManualStart: u.refuseManualStart,
    RefuseManualStop: u.refuseManualStop,
    DefaultDependencies: u.defaultDependencies,
    Job: '',
    ConditionResult: extra.conditionResult,
    AssertResult: true,
    InvocationID: extra.invocationId,
    LoadError: loadErrorText(config),
    Transient: false,
    NeedDaemonReload: false,
    StartLimitIntervalUSec: u.startLimitIntervalUSec,
    StartLimitBurst: u.startLimitBurst,
    StartLimitAction: u.startLimitAction,
  };
}

// Where the manager gets units from: the units layer's UnitStore (search path,
// aliases, drop-ins, .wants/) with the schema's interpreter, mapped onto the
// manager's settings. Tests can hand the manager any other UnitSource.

import { formatDiagnostic } from '../units/diagnostics.js';
import { UnitStore } from '../units/loader.js';
import type { UnitConfig } from '../units/schema/interpret.js';
import type { LookupOptions } from '../units/paths.js';
import { unitFileState } from '../units/unit-file-state.js';
import { applyDefaultDependencies, emptyDependencySets } from '../units/implicit-deps.js';
import { defaultExecSettings } from '../exec/settings.js';
import { execSettingsOf, serviceSettingsOf, unitSettingsOf } from './unit-config.js';
import { defaultUnitSettings, type LoadedUnit, type UnitSettings } from './unit-type.js';

export interface UnitSource {
  load(name: string): LoadedUnit;
  /** daemon-reload: forget cached files. */
  reload(): void;
}


export class StoreUnitSource implements UnitSource {
  private store: UnitStore<UnitConfig>;

  constructor(private readonly options: LookupOptions = {}) {
    this.store = new UnitStore<UnitConfig>(options);
  }

  reload(): void {
    this.store.reload();
  }

  private fileState(id: string): string {
    try {
      return unitFileState(this.store.lookup, id).state ?? '';
    } catch {
      return '';
    }
  }

  /**
   * DefaultDependencies= (semantics §2.4). A requirement added implicitly
   * (sysinit.target) is kept only when that unit exists: images rarely ship
   * the early-boot targets, and their absence must not fail every start.
   */
  private addDefaultDependencies(id: string, type: Parameters<typeof applyDefaultDependencies>[1], unit: UnitSettings): void {
    const deps = { ...emptyDependencySets(), requires: [...unit.requires], wants: [...unit.wants], after: [...unit.after], before: [...unit.before], conflicts: [...unit.conflicts] };
    applyDefaultDependencies(id, type, deps, unit.defaultDependencies);
    unit.requires = deps.requires.filter((n) => unit.requires.includes(n) || this.exists(n));
    unit.after = deps.after;
    unit.before = deps.before;
    unit.conflicts = deps.conflicts;
  }

  private exists(name: string): boolean {
    try {
      return this.store.load(name).loadState === 'loaded';
    } catch {
      return false;
    }
  }

  load(name: string): LoadedUnit {
    let raw;
    try {
      raw = this.store.load(name);
    } catch (err) {
      // A loader bug must not take PID 1 down: the unit is just unloadable.
      return notLoaded(name, 'error', 'org.freedesktop.systemd1.LoadFailed', `Unit ${name} failed to load properly: ${(err as Error).message}`);
    }
    const unit = raw.config ? unitSettingsOf(raw.config) : defaultUnitSettings();
    if (raw.config && !raw.config.unit.description && raw.loadState === 'loaded') unit.description = '';
    for (const w of raw.wantsFromDirs) if (!unit.wants.includes(w)) unit.wants.push(w);
    for (const r of raw.requiresFromDirs) if (!unit.requires.includes(r)) unit.requires.push(r);
    if (raw.loadState === 'loaded') this.addDefaultDependencies(raw.id, raw.type, unit);
    if (raw.config) {
      unit.wantedBy = [...raw.config.install.wantedBy];
      unit.requiredBy = [...raw.config.install.requiredBy];
    }
    const loaded: LoadedUnit = {
      id: raw.id,
      names: raw.names,
      loadState: raw.loadState,
      loadError: raw.loadError,
      fragmentPath: raw.fragmentPath ?? '',
      dropInPaths: raw.dropInPaths,
      unitFileState: this.fileState(raw.id),
      unit,
      warnings: raw.diagnostics.map(formatDiagnostic),
    };
    const service = raw.config?.service;
    if (service && raw.loadState === 'loaded') {
      loaded.service = serviceSettingsOf(service);
      loaded.exec = execSettingsOf(service, raw.config?.unsupported.map((u) => u.key.replace(/^[^.]*\./, '')) ?? []);
    } else if (raw.type === 'service') {
      loaded.exec = defaultExecSettings();
    }
    return loaded;
  }
}

export function notLoaded(id: string, loadState: LoadedUnit['loadState'], errorName: string, message: string): LoadedUnit {
  return {
    id,
    names: [id],
    loadState,
    loadError: { name: errorName, message },
    fragmentPath: '',
    dropInPaths: [],
    unitFileState: '',
    unit: defaultUnitSettings(),
    warnings: [],
  };
}

// Where the manager gets units from: the units layer's UnitStore (search path,
// aliases, drop-ins, .wants/) with the schema's interpreter, mapped onto the
// manager's settings. Tests can hand the manager any other UnitSource.

import { formatDiagnostic } from '../units/diagnostics.js';
import { UnitStore } from '../units/loader.js';
import { interpretUnit } from '../units/schema/interpret.js';
import { lookupPaths, type LookupOptions } from '../units/paths.js';
import { unitFileState } from '../units/unit-file-state.js';
import { SymlinkIndexCache } from '../units/symlink-index.js';
import { presetStateOf, readPresets, type PresetRule } from '../units/presets.js';
import { applyDefaultDependencies, applyServiceDependencies, applyTimerDependencies, applyTriggerDependencies, emptyDependencySets, triggeredUnitOf } from '../units/implicit-deps.js';
import { defaultExecSettings } from '../exec/settings.js';
import { execSettingsOf, unitSettingsOf } from './unit-config.js';
import { serviceSettingsOf } from './service-settings.js';
import { defaultUnitSettings, type LoadedUnit, type UnitFileStates, type UnitSettings } from './unit-type.js';
import { DiagnosticLog } from '../units/diagnostics.js';
import { parseUnitText } from '../units/syntax.js';
import { BUILTIN_FRAGMENT_DIR, builtinUnitText } from './builtin-units.js';
import type { SystemConf } from './system-conf.js';
import type { UnitFileStateAnswer } from '../control/api.js';

export interface UnitSource {
  load(name: string): LoadedUnit;
  /** daemon-reload: forget cached files. */
  reload(): void;
  /** The manager collected the unit: its cached load goes too (a template's instances would pile up). */
  forget?(id: string): void;
  /** unitFileStates (is-enabled): each unit file's state as on disk now; a source without unit files has none. */
  fileStates?(names: string[], unitPath?: string): UnitFileStateAnswer[];
}


export class StoreUnitSource implements UnitSource, UnitFileStates {
  private store: UnitStore;

  constructor(options: LookupOptions = {}) {
    this.store = new UnitStore(options);
  }

  /** system.conf's Default*= values, used where a unit does not set its own. */
  private managerDefaults: SystemConf | undefined;

  setManagerDefaults(conf: SystemConf): void {
    this.managerDefaults = conf;
  }

  private applyManagerDefaults(raw: { assignments: { section: string; key: string }[] }, loaded: LoadedUnit): void {
    const d = this.managerDefaults;
    if (!d) return;
    const has = (section: string, ...keys: string[]) => raw.assignments.some((a) => a.section === section && keys.includes(a.key));
    if (!has('Unit', 'StartLimitIntervalSec', 'StartLimitInterval')) loaded.unit.startLimitIntervalUSec = d.defaultStartLimitIntervalUSec;
    if (!has('Unit', 'StartLimitBurst')) loaded.unit.startLimitBurst = d.defaultStartLimitBurst;
    const svc = loaded.service;
    if (!svc) return;
    if (!has('Service', 'TimeoutStartSec', 'TimeoutSec') && svc.type !== 'oneshot') svc.timeoutStartUSec = d.defaultTimeoutStartUSec;
    if (!has('Service', 'TimeoutStopSec', 'TimeoutSec')) svc.timeoutStopUSec = d.defaultTimeoutStopUSec;
    if (!has('Service', 'TimeoutAbortSec', 'TimeoutStopSec', 'TimeoutSec')) svc.timeoutAbortUSec = d.defaultTimeoutAbortUSec;
    if (!has('Service', 'RestartSec')) svc.restartUSec = d.defaultRestartUSec;
  }

  forget(id: string): void {
    this.store.forget(id);
  }

  fileStates(names: string[], unitPath?: string): UnitFileStateAnswer[] {
    // A fresh index: the links as they are now, as systemd's GetUnitFileState reads them. The
    // search path is the one the asking systemctl would read itself (is-enabled reads files).
    const cache = new SymlinkIndexCache();
    const lookup = lookupPaths({ root: this.store.lookup.root, unitPathEnv: unitPath });
    return names.map((name) => {
      try {
        const r = unitFileState(lookup, name, cache);
        return r.state !== undefined ? { state: r.state } : { error: r.error ?? 'EIO' };
      } catch {
        return { error: 'EIO' };
      }
    });
  }

  reload(): void {
    this.reloaded = true;
    this.store.reload();
    this.presets = undefined;
    this.symlinks = undefined;
  }

  /** Preset rules, read once per daemon-reload (UnitFilePreset=). */
  private presets: PresetRule[] | undefined;

  /** UnitFilePreset=: `enabled`/`disabled` for any unit with a file state, as systemd reports it. */
  unitFilePreset(id: string, fileState: string): string {
    if (fileState === '') return '';
    try {
      this.presets ??= readPresets(this.store.lookup);
      return presetStateOf(this.presets, id) === 'enable' ? 'enabled' : 'disabled';
    } catch {
      return '';
    }
  }

  /**
   * The unit directories as read for the units loaded in this stretch of work (boot's
   * whole graph, one daemon-reload, one request): each directory is read once for all of
   * them instead of once per unit. Dropped when the event loop moves on and at
   * daemon-reload, so a unit loaded later sees links made since.
   */
  private symlinks: SymlinkIndexCache | undefined;

  /**
   * The store's cache of parsed files lives for the same stretch of work: within it, the
   * implicit-dependency checks (exists(), wantsDefaultDependencies()) of every unit loaded
   * reuse one parse; after it, the manager holds what it runs with and the parse (assignments,
   * the schema's typed sections: ~3 KiB a unit) goes, as systemd keeps no unit file text.
   */
  private loadsPending = false;

  private forgetLoadsSoon(): void {
    if (this.loadsPending) return;
    this.loadsPending = true;
    setImmediate(() => {
      this.loadsPending = false;
      this.store.forgetLoads();
      if (this.reloaded) {
        this.reloaded = false;
        this.reloadSettled?.();
      }
    }).unref();
  }

  /** Set by reload(): the next stretch of loads is a daemon-reload's. */
  private reloaded = false;
  private reloadSettled: (() => void) | undefined;

  /** Called once the loads of a daemon-reload are over (the daemon hands back their garbage: native reduceMemory). */
  onReloadSettled(callback: () => void): void {
    this.reloadSettled = callback;
  }

  private symlinkIndex(): SymlinkIndexCache {
    if (!this.symlinks) {
      this.symlinks = new SymlinkIndexCache();
      setImmediate(() => (this.symlinks = undefined)).unref();
    }
    return this.symlinks;
  }

  /** UnitFileState= (unit-type.ts UnitFileStates: worked out when first read). */
  unitFileState(id: string): string {
    try {
      return unitFileState(this.store.lookup, id, this.symlinkIndex()).state ?? '';
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
    // unit_add_default_target_dependency(): a target is ordered after what it pulls in only when
    // that unit is loaded and has DefaultDependencies=yes (systemd-pcrphase-sysinit.service,
    // After=sysinit.target, would otherwise make sysinit.target a cycle).
    unit.after = type === 'target' ? deps.after.filter((n) => unit.after.includes(n) || this.wantsDefaultDependencies(n)) : deps.after;
    unit.before = deps.before;
    unit.conflicts = deps.conflicts;
  }

  /** Type=dbus's dbus.socket and Sockets=; an implicit Requires= on a bus the image lacks is dropped, as for sysinit.target. */
  private addServiceDependencies(unit: UnitSettings, config: NonNullable<ReturnType<UnitStore['load']>['config']>): void {
    const deps = { requires: [...unit.requires], wants: [...unit.wants], after: [...unit.after] };
    applyServiceDependencies(deps, config);
    unit.requires = deps.requires.filter((n) => unit.requires.includes(n) || this.exists(n));
    unit.wants = deps.wants;
    unit.after = deps.after;
  }

  private wantsDefaultDependencies(name: string): boolean {
    if (builtinUnitText(name) !== undefined) return true;
    try {
      const raw = this.store.load(name);
      return raw.loadState === 'loaded' && raw.config?.unit.defaultDependencies !== false;
    } catch {
      return false;
    }
  }

  private exists(name: string): boolean {
    try {
      return this.store.load(name).loadState === 'loaded' || builtinUnitText(name) !== undefined;
    } catch {
      return false;
    }
  }

  /**
   * A standard target the search path lacks (builtin-units.ts): parsed from
   * unitd's own text; .wants/ and .requires/ directories on the search path
   * still count (multi-user.target.wants/ without multi-user.target).
   */
  private builtin(raw: ReturnType<UnitStore['load']>): ReturnType<UnitStore['load']> | undefined {
    const text = builtinUnitText(raw.id);
    if (text === undefined) return undefined;
    const log = new DiagnosticLog();
    const fragmentPath = `${BUILTIN_FRAGMENT_DIR}/${raw.id}`;
    const parsed = parseUnitText(text, fragmentPath, log);
    // `multi-user.target.d/*.conf` applies even though the image has no multi-user.target.
    const dropIns = this.store.dropInsOf(raw.id, log);
    const assignments = [...parsed.assignments, ...dropIns.assignments];
    const config = interpretUnit({ name: raw.id, assignments, log, specifiers: { unitName: raw.id, fragmentPath } });
    return {
      ...raw,
      loadState: 'loaded',
      loadError: undefined,
      fragmentPath,
      dropInPaths: dropIns.paths,
      mtimes: dropIns.mtimes,
      assignments,
      diagnostics: log.entries,
      config,
      wantsFromDirs: this.store.dependencyDirEntries([raw.id], 'wants'),
      requiresFromDirs: this.store.dependencyDirEntries([raw.id], 'requires'),
      upholdsFromDirs: this.store.dependencyDirEntries([raw.id], 'upholds'),
    };
  }

  load(name: string): LoadedUnit {
    this.forgetLoadsSoon();
    let raw;
    try {
      raw = this.store.load(name);
      if (raw.loadState === 'not-found') raw = this.builtin(raw) ?? raw;
    } catch (err) {
      // A loader bug must not take PID 1 down: the unit is just unloadable.
      return notLoaded(name, 'error', 'org.freedesktop.systemd1.LoadFailed', `Unit ${name} failed to load properly: ${(err as Error).message}`);
    }
    const unit = raw.config ? unitSettingsOf(raw.config) : defaultUnitSettings();
    if (raw.config && !raw.config.unit.description && raw.loadState === 'loaded') unit.description = '';
    for (const w of raw.wantsFromDirs) if (!unit.wants.includes(w)) unit.wants.push(w);
    for (const r of raw.requiresFromDirs) if (!unit.requires.includes(r)) unit.requires.push(r);
    for (const r of raw.upholdsFromDirs) if (!unit.upholds.includes(r)) unit.upholds.push(r);
    if (raw.loadState === 'loaded') this.addDefaultDependencies(raw.id, raw.type, unit);
    if (raw.loadState === 'loaded' && raw.config) applyTriggerDependencies(unit, triggeredUnitOf(raw.id, raw.config));
    if (raw.loadState === 'loaded' && raw.config) applyTimerDependencies(unit, raw.config);
    if (raw.loadState === 'loaded' && raw.config) this.addServiceDependencies(unit, raw.config);
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
      unitFileState: undefined,
      unitFilePreset: undefined,
      fileStates: this,
      unit,
      settings: raw.config?.settings,
      // Only the types that read their own section from it keep it (path.ts, timer.ts, socket.ts).
      schema: raw.loadState === 'loaded' && (raw.config?.path || raw.config?.timer || raw.config?.socket) ? raw.config : undefined,
      warnings: raw.diagnostics.map(formatDiagnostic),
      mtimes: raw.mtimes,
      builtin: raw.fragmentPath?.startsWith(BUILTIN_FRAGMENT_DIR + '/') ?? false,
    };
    if (loaded.builtin) {
      loaded.fragmentPath = '';
      loaded.unitFileState = 'static';
      loaded.unitFilePreset = '';
    }
    const service = raw.config?.service;
    if (service && raw.loadState === 'loaded') {
      loaded.service = serviceSettingsOf(service);
      this.applyManagerDefaults(raw, loaded);
      loaded.exec = execSettingsOf(service, raw.config?.unsupported.map((u) => u.key.replace(/^[^.]*\./, '')) ?? []);
    } else if (raw.type === 'service') {
      loaded.exec = defaultExecSettings();
    }
    // Sockets run ExecStartPre= ... with their own exec settings (User=, Environment= ...).
    const socket = raw.config?.socket;
    if (socket && raw.loadState === 'loaded') loaded.exec = execSettingsOf(socket.exec, raw.config?.unsupported.map((u) => u.key.replace(/^[^.]*\./, '')) ?? []);
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

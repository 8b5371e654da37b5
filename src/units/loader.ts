// Loading a unit by name, as the manager does at boot and on daemon-reload:
// find the fragment (literal name, then the template), collect its names
// (alias symlinks), drop-ins and .wants/.requires entries, parse everything,
// and settle the LoadState. Never throws for bad input: problems become
// LoadState error/bad-setting/not-found with systemd's LoadError text.


import { Assignment, parseUnitText } from './syntax.js';
import { Diagnostic, DiagnosticLog } from './diagnostics.js';
import { LookupOptions, LookupPaths, chaseInRoot, lookupPaths, SymlinkLoopError } from './paths.js';
import { NameEntry, buildNameMap } from './name-map.js';
import { findDropIns } from './dropins.js';
import { type DependencyDirKind, dependencyDirEntries } from './dependency-dirs.js';
import { DependencySets, applyDefaultDependencies, applyServiceDependencies, emptyDependencySets } from './implicit-deps.js';
import { UnitType, parseUnitName, templateOf, withInstance } from './unit-name.js';
import type { UnitConfig } from './schema/types.js';
import type { LoadState } from './schema/enums.js';
import { interpretUnit } from './schema/interpret.js';
import { readUnitFile, UnitFileReadError } from './read-unit-file.js';
import { strerror } from './values/errno.js';


export interface LoadError {
  /** D-Bus error name, e.g. `org.freedesktop.systemd1.NoSuchUnit`. */
  name: string;
  message: string;
}

/** `LoadError=` as `systemctl show` prints it. */
export function formatLoadError(e: LoadError | undefined): string {
  return e === undefined ? '' : `${e.name} "${e.message}"`;
}

export interface LoadedUnit {
  /** The unit's real name (aliases resolved). */
  id: string;
  /** id first, then every alias found as a symlink. */
  names: string[];
  type: UnitType;
  loadState: LoadState;
  loadError?: LoadError;
  fragmentPath?: string;
  /** Where a linked unit's content really lives, when it differs from FragmentPath. */
  sourcePath?: string;
  dropInPaths: string[];
  /** Fragment then drop-ins, in the order systemd applies them. */
  assignments: Assignment[];
  diagnostics: Diagnostic[];
  config?: UnitConfig;
  /** Entries of the .wants/, .requires/ and .upholds/ directories. */
  wantsFromDirs: string[];
  requiresFromDirs: string[];
  upholdsFromDirs: string[];
  /** Modification times of every file read, for NeedDaemonReload=. */
  mtimes: Map<string, number>;
}

const ERRNO_DBUS: Record<string, string> = {
  EACCES: 'org.freedesktop.DBus.Error.AccessDenied',
  EPERM: 'org.freedesktop.DBus.Error.AccessDenied',
  ENOENT: 'org.freedesktop.DBus.Error.FileNotFound',
  EINVAL: 'org.freedesktop.DBus.Error.InvalidArgs',
  ENOMEM: 'org.freedesktop.DBus.Error.NoMemory',
};


class FileLoadError extends Error {
  constructor(
    readonly errno: string,
    readonly file: string,
    /** The line the diagnostics show, when it says more than the errno text. */
    readonly detail?: string,
  ) {
    super(`${file}: ${detail ?? strerror(errno)}`);
  }
}

function errnoOf(e: unknown): string {
  if (e instanceof SymlinkLoopError) return 'ELOOP';
  return (e as NodeJS.ErrnoException | undefined)?.code ?? 'EIO';
}

/** A registry of loaded units over one search path; `reload()` is daemon-reload. */
export class UnitStore {
  readonly lookup: LookupPaths;
  private nameMap: Map<string, NameEntry>;
  /** Every entry of the search-path directories as of the last (re)load: see buildNameMap. */
  private pathCache = new Set<string>();
  private readonly cache = new Map<string, LoadedUnit>();

  constructor(opts: LookupOptions = {}) {
    this.lookup = lookupPaths(opts);
    this.nameMap = buildNameMap(this.lookup, this.pathCache);
  }

  /** Forget everything and rescan the search path. */
  reload(): void {
    this.cache.clear();
    this.pathCache = new Set();
    this.nameMap = buildNameMap(this.lookup, this.pathCache);
  }

  /** Entries of NAMES' .wants/ (.requires/, .upholds/) directories on the search path. */
  dependencyDirEntries(names: readonly string[], kind: DependencyDirKind): string[] {
    return dependencyDirEntries(this.lookup.searchPath, names, kind, this.pathCache);
  }

  /**
   * Forget every cached load, keeping the scan of the search path: a caller that keeps what it
   * needs of each unit (the daemon) need not keep the parse too (assignments, typed config).
   */
  forgetLoads(): void {
    this.cache.clear();
  }

  /** Drop one unit's cached load (the manager collected it). */
  forget(id: string): void {
    this.cache.delete(id);
  }

  /** Every name that has an entry on the search path (files, aliases, masks). */
  knownNames(): string[] {
    return [...this.nameMap.keys()];
  }

  entry(name: string): NameEntry | undefined {
    return this.nameMap.get(name);
  }

  /** Follow alias symlinks to the real name; instances follow their template's alias. */
  resolveId(name: string): string {
    let cur = name;
    for (let i = 0; i < 64; i++) {
      const e = this.nameMap.get(cur);
      if (e?.kind === 'alias' && e.target !== undefined) {
        const tp = parseUnitName(e.target);
        const cp = parseUnitName(cur);
        cur = tp?.isTemplate && cp?.instance && !cp.isTemplate ? withInstance(e.target, cp.instance) : e.target;
        continue;
      }
      if (e === undefined) {
        const tpl = templateOf(cur);
        const te = tpl !== undefined ? this.nameMap.get(tpl) : undefined;
        const inst = parseUnitName(cur)?.instance;
        if (te?.kind === 'alias' && te.target !== undefined && inst !== undefined) {
          const next = withInstance(te.target, inst);
          if (next !== cur) {
            cur = next;
            continue;
          }
        }
      }
      return cur;
    }
    return cur;
  }

  /** All names that resolve to `id` (the id first). */
  namesOf(id: string): string[] {
    const names = [id];
    const inst = parseUnitName(id);
    for (const [n, e] of this.nameMap) {
      if (e.kind !== 'alias' || n === id) continue;
      if (this.resolveId(n) === id) names.push(n);
      else if (inst?.instance && !inst.isTemplate && parseUnitName(n)?.isTemplate) {
        const candidate = withInstance(n, inst.instance);
        if (candidate !== id && this.resolveId(candidate) === id && !names.includes(candidate)) names.push(candidate);
      }
    }
    return names;
  }

  load(name: string): LoadedUnit {
    const id = this.resolveId(name);
    const cached = this.cache.get(id);
    if (cached) return cached;
    const unit = this.loadUncached(name, id);
    // A name with no file costs nothing to answer again: not caching it keeps the cache
    // bounded by the files on the search path, whatever names clients ask about.
    if (unit.loadState !== 'not-found') this.cache.set(id, unit);
    return unit;
  }

  private loadUncached(requested: string, id: string): LoadedUnit {
    const parsedName = parseUnitName(id);
    const entry = this.fragmentEntry(id);
    const requestedEntry = this.nameMap.get(requested);
    const maskEntry = [entry, requestedEntry, this.nameMap.get(id)].find((e) => e?.kind === 'masked');
    // Aliases are searched only for a name that has a file: an unknown name must cost O(1), not a scan.
    const names = entry === undefined && maskEntry === undefined ? [id] : this.namesOf(id);
    if (!names.includes(requested) && requested !== id) names.push(requested);
    const unit: LoadedUnit = {
      id,
      names,
      type: parsedName?.type ?? 'service',
      loadState: 'loaded',
      dropInPaths: [],
      assignments: [],
      diagnostics: [],
      wantsFromDirs: [],
      requiresFromDirs: [],
      upholdsFromDirs: [],
      mtimes: new Map(),
    };
    if (!parsedName) {
      return this.fail(unit, 'error', { name: 'org.freedesktop.DBus.Error.InvalidArgs', message: `Unit name ${id} is not valid.` });
    }
    if (parsedName.isTemplate) {
      unit.loadState = 'error';
      unit.loadError = { name: 'org.freedesktop.DBus.Error.InvalidArgs', message: `Unit name ${id} is missing the instance name.` };
    }
    if (maskEntry !== undefined) {
      // systemd reports the mask link itself as the fragment (FragmentPath=/etc/systemd/system/x.service).
      unit.fragmentPath = maskEntry.path;
      return this.fail(unit, 'masked', { name: 'org.freedesktop.systemd1.UnitMasked', message: `Unit ${id} is masked.` });
    }
    if (entry === undefined) {
      return this.fail(unit, 'not-found', { name: 'org.freedesktop.systemd1.NoSuchUnit', message: `Unit ${id} not found.` });
    }
    const log = new DiagnosticLog();
    try {
      if (entry.kind === 'bad') throw new FileLoadError('EINVAL', entry.path);
      unit.fragmentPath = entry.path;
      const source = this.readFragment(unit, entry, log);
      if (source !== entry.path) unit.sourcePath = source;
      for (const d of findDropIns(this.lookup.searchPath, names, this.pathCache)) {
        if (d.masked) continue;
        unit.dropInPaths.push(d.path);
        this.readInto(unit, d.path, log);
      }
    } catch (e) {
      unit.diagnostics = log.entries;
      const errno = e instanceof FileLoadError ? e.errno : errnoOf(e);
      const file = e instanceof FileLoadError ? e.file : unit.fragmentPath ?? id;
      const detail = e instanceof FileLoadError && e.detail !== undefined ? e.detail : strerror(errno);
      unit.diagnostics.push({ level: 'error', file, message: `Failed to load configuration: ${detail}` });
      return this.fail(unit, 'error', {
        name: ERRNO_DBUS[errno] ?? `System.Error.${errno}`,
        message: `Unit ${id} failed to load properly, please adjust/correct and reload service manager: ${strerror(errno)}`,
      });
    }
    unit.wantsFromDirs = this.dependencyDirEntries(names, 'wants');
    unit.requiresFromDirs = this.dependencyDirEntries(names, 'requires');
    unit.upholdsFromDirs = this.dependencyDirEntries(names, 'upholds');
    // Every consumer (the daemon, verify, cat, list-dependencies) sees the schema's typed config.
    const config = interpretUnit({ name: id, assignments: unit.assignments, log, specifiers: { unitName: id, fragmentPath: unit.fragmentPath } });
    unit.config = config;
    unit.diagnostics = log.entries;
    if (config.badSetting !== undefined) {
      unit.loadState = 'bad-setting';
      unit.loadError = { name: 'org.freedesktop.systemd1.BadUnitSetting', message: `Unit ${id} has a bad unit file setting.` };
    }
    return unit;
  }

  private fail(unit: LoadedUnit, state: LoadState, error: LoadError): LoadedUnit {
    unit.loadState = state;
    unit.loadError = error;
    return unit;
  }

  /** The fragment for a name: its own entry, else its template's. */
  private fragmentEntry(id: string): NameEntry | undefined {
    const own = this.nameMap.get(id);
    if (own !== undefined && own.kind !== 'alias') return own;
    const tpl = templateOf(id);
    if (tpl === undefined) return undefined;
    const t = this.nameMap.get(tpl);
    if (t === undefined) return undefined;
    if (t.kind === 'alias' && t.target !== undefined) return this.nameMap.get(t.target);
    return t;
  }

  /** Read the fragment (following a linked file inside the root); returns the real path. */
  /**
   * The drop-ins (`NAME.d/*.conf` on the search path) of a unit the search path has no fragment
   * for: systemd applies them to the standard targets it knows without a file, as unitd does to
   * the ones it synthesizes. A drop-in that cannot be read is one diagnostic, not a failure.
   */
  dropInsOf(id: string, log: DiagnosticLog): { paths: string[]; assignments: Assignment[]; mtimes: Map<string, number> } {
    const scratch: LoadedUnit = {
      id,
      names: [id],
      type: parseUnitName(id)?.type ?? 'target',
      loadState: 'loaded',
      dropInPaths: [],
      assignments: [],
      diagnostics: [],
      wantsFromDirs: [],
      requiresFromDirs: [],
      upholdsFromDirs: [],
      mtimes: new Map(),
    };
    for (const d of findDropIns(this.lookup.searchPath, [id], this.pathCache)) {
      if (d.masked) continue;
      try {
        this.readInto(scratch, d.path, log);
        scratch.dropInPaths.push(d.path);
      } catch (e) {
        const errno = e instanceof FileLoadError ? e.errno : errnoOf(e);
        log.error(d.path, undefined, `Failed to load configuration: ${strerror(errno)}`);
      }
    }
    return { paths: scratch.dropInPaths, assignments: scratch.assignments, mtimes: scratch.mtimes };
  }

  private readFragment(unit: LoadedUnit, entry: NameEntry, log: DiagnosticLog): string {
    let real = entry.path;
    if (entry.kind === 'linked') {
      let resolved: string | undefined;
      try {
        resolved = chaseInRoot(this.lookup.root, entry.path);
      } catch (e) {
        throw new FileLoadError(errnoOf(e), entry.path);
      }
      if (resolved === undefined) throw new FileLoadError('ENOENT', entry.path);
      real = resolved;
    }
    this.readInto(unit, real, log, entry.path);
    return real;
  }

  private readInto(unit: LoadedUnit, file: string, log: DiagnosticLog, shownAs = file): void {
    let data: Buffer;
    try {
      const content = readUnitFile(file);
      unit.mtimes.set(file, content.mtimeMs);
      data = content.data;
    } catch (e) {
      if (e instanceof UnitFileReadError) throw new FileLoadError(e.errno, shownAs, e.detail);
      throw new FileLoadError(errnoOf(e), shownAs);
    }
    const parsed = parseUnitText(data, shownAs, log);
    if (parsed.fatal !== undefined) throw new FileLoadError('ENOBUFS', shownAs);
    unit.assignments.push(...parsed.assignments);
  }
}

/** One-shot load without keeping a store around. */
export function loadUnit(name: string, opts: LookupOptions = {}): LoadedUnit {
  return new UnitStore(opts).load(name);
}

/** Dependencies of a loaded unit as the graph sees them: settings, .wants/.requires entries, defaults. */
export function effectiveDependencies(unit: LoadedUnit): DependencySets {
  const deps = emptyDependencySets();
  if (unit.loadState !== 'loaded' || unit.config === undefined) return deps;
  const own = unit.config.unit;
  for (const k of Object.keys(deps) as (keyof DependencySets)[]) deps[k].push(...own[k]);
  for (const w of unit.wantsFromDirs) if (!deps.wants.includes(w)) deps.wants.push(w);
  for (const r of unit.requiresFromDirs) if (!deps.requires.includes(r)) deps.requires.push(r);
  for (const u of unit.upholdsFromDirs) if (!deps.upholds.includes(u)) deps.upholds.push(u);
  applyDefaultDependencies(unit.id, unit.type, deps, unit.config.unit.defaultDependencies);
  applyServiceDependencies(deps, unit.config);
  return deps;
}


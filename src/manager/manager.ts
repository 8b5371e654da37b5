// The manager: unit registry, pid routing, jobs, and the ManagerApi the control
// server exposes. It owns no event loop of its own: child exits, notify
// datagrams, timers and control requests all arrive as events.

import { existsSync } from 'node:fs';
import type { Logger } from '../journal/logger.js';
import {
  ManagerError,
  type JobListEntry,
  type JobOutcome,
  type JobRequest,
  type JobResult,
  type KillWhom,
  type LogLine,
  type ManagerApi,
  type Properties,
  type UnitFileStateAnswer,
  type UnitListEntry,
  type UnitProcess,
} from '../control/api.js';
import { defaultManagerEnvironment } from '../exec/environment.js';
import type { ChildExit, NativeModule } from '../exec/native.js';
import { describeFailures, runGenerators, type GeneratorOptions } from './generators.js';
import { unitMemory } from './memory.js';
import { Freezer } from './freezer.js';
import { UnitResources } from './unit-resources.js';
import { CLEAN_WHAT, cleanableKinds, cleanDirectories, type CleanWhat } from '../exec/directories.js';
import { JobEngine } from './jobs.js';
import { describeCondition, failedCondition } from './conditions.js';
import { MANAGER_SCOPE } from '../journal/daemon-log.js';
import { emergencyActionMessage, emergencyDecision, type EmergencyDecision } from './emergency-actions.js';
import { REVERSE_PROPERTY, type DependencyKind } from './dependency-graph.js';
import { SkipList } from './skip-list.js';
import type { BusNames } from './bus-names.js';
import { skippedType } from './skipped-unit.js';
import { defaultSystemConf, type SystemConf } from './system-conf.js';
import { now, type DualTimestamp } from './clock.js';
import { statSync } from 'node:fs';
import { nowUSec, PRIORITY, type ConsoleWriter, type LogSink } from './log-sink.js';
import { readCommandLine, readProcess } from './process-tracker.js';
import type { LogSender } from '../native/index.js';
import type { UnitSource } from './unit-source.js';
import { notLoaded } from './unit-source.js';
import { FALLBACK_TYPE, unitTypeOf } from './unit-types.js';
import { SHOWN_ON_CONSOLE } from '../journal/daemon-log.js';
import type { ManagerStateSnapshot, UnitStateSnapshot } from './serialize.js';
import { InjectedFaults } from './fault-injection.js';
import { timeChanges } from './time-change.js';
import { UnitCollector, type GcFacts } from './unit-gc.js';
import { DEFAULT_STATUS_MESSAGES, statusMessage, type JobVerb, type LoadedUnit, type PassedFds, type StateChange, type StatusMessageFormats, type TriggeredUnitStatus, type UnitEvent, type UnitHost, type UnitInstance } from './unit-type.js';

export const VERSION = '252 (unitd 0.1.0)';

/** What a trigger unit declares at run time for each unit it started (Accept=yes instances): Triggers= and Before=. */
const triggerEdges = (to: string): { kind: DependencyKind; to: string }[] => [
  { kind: 'triggers', to },
  { kind: 'before', to },
];

interface Entry {
  config: LoadedUnit;
  instance: UnitInstance;
  /** The job wording of its type (statusMessages of its UnitType row). */
  messages: StatusMessageFormats;
  /** Order in which units became active, for a reverse-order shutdown. */
  activatedAt: number;
  /** Condition*=/Assert*= as last checked by a start job. */
  checks?: { conditionResult: boolean; assertResult: boolean; at: DualTimestamp; failed?: string };
}

export interface ManagerOptions {
  /** The system bus's names (Type=dbus); without it Type=dbus services start as simple ones. */
  busNames?: BusNames;
  log: Logger;
  console: ConsoleWriter;
  logSink: LogSink;
  native: NativeModule;
  runtimeDir: string;
  source: UnitSource;
  processEnvironment?: Record<string, string | undefined>;
  /** Called when a client or a unit asks the daemon to end (exit code; force: skip the orderly stop of units). */
  onExitRequest?: (code: number, options?: ExitRequestOptions) => void;
  /** Units not to run (skip-list.ts); default: none (tests), the daemon passes SkipList.load(). */
  skipList?: SkipList;
  /** [Manager] defaults from system.conf. */
  systemConf?: SystemConf;
  /** `[  OK  ] Started ...` lines on the console (off with --no-console-status / UNITD_CONSOLE_STATUS=0). */
  consoleStatus?: boolean;
  /** Run systemd generators at boot and daemon-reload (the real daemon does; tests leave it out). */
  generators?: GeneratorOptions;
  /** daemon-reexec / SIGRTMIN+25 (main.ts): resolves when execve is next; rejects, changing nothing, when it cannot be done. */
  onReexecRequest?: () => Promise<void>;
}

export interface ExitRequestOptions {
  kind?: 'poweroff' | 'halt' | 'reboot' | 'exit';
  /** Skip the orderly stop of units (the -force emergency actions). */
  force?: boolean;
  immediate?: boolean;
}

/** `foo` → `foo.service`, as systemctl does for names without a type suffix. */
export function normalizeUnitName(name: string): string {
  return unitTypeOf(name) || /\.[a-z]+$/.test(name) ? name : `${name}.service`;
}

export class Manager implements ManagerApi, UnitHost {
  readonly log: Logger;
  readonly console: ConsoleWriter;
  readonly logSink: LogSink;
  readonly native: NativeModule;
  readonly runtimeDir: string;
  readonly processEnvironment: Record<string, string | undefined>;
  readonly busNames: BusNames | undefined;
  private readonly source: UnitSource;
  private readonly units = new Map<string, Entry>();
  private readonly freezer = new Freezer();
  private readonly resources = new UnitResources();
  /** Units watching each pid, its owner first: a root MAINPID= of another unit's process adds a watcher, as systemd's non-exclusive unit_watch_pid does. */
  private readonly pidOwners = new Map<number, string[]>();
  private readonly jobs: JobEngine;
  private managerEnv: string[];
  private activationCounter = 0;
  private state: 'initializing' | 'starting' | 'running' | 'stopping' = 'initializing';
  private readonly onExitRequest: (code: number, options?: ExitRequestOptions) => void;
  private readonly onReexecRequest: (() => Promise<void>) | undefined;
  private readonly skipList: SkipList | undefined;
  readonly systemConf: SystemConf;
  /** Status lines on the console; SIGRTMIN+20/+21 turn them on/off at run time (main.ts). */
  consoleStatus: boolean;
  /** Reached basic.target (is-system-running leaves `initializing`). */
  private basicReached = false;
  private unsubscribeReaper: (() => void) | undefined;
  private readonly generatorOptions: GeneratorOptions | undefined;
  private readonly injectedFaults: InjectedFaults;
  /** systemd's unit GC (unit-gc.ts): unneeded inactive units leave memory. */
  private readonly gc = new UnitCollector(
    {
      facts: (id) => this.gcFacts(id),
      referrers: (id) => this.jobs.graph.referrers(id),
      collect: (id) => this.collect(id),
      paused: () => this.state === 'stopping',
    },
    // A sweep runs on its own turn of the loop: a throw in it is logged, never PID 1's end.
    (sweep) => setImmediate(() => this.guard(sweep)),
  );

  constructor(options: ManagerOptions) {
    this.log = options.log;
    this.console = options.console;
    this.logSink = options.logSink;
    this.native = options.native;
    this.runtimeDir = options.runtimeDir;
    this.busNames = options.busNames;
    this.source = options.source;
    this.processEnvironment = options.processEnvironment ?? process.env;
    this.managerEnv = defaultManagerEnvironment(this.processEnvironment);
    this.onExitRequest = options.onExitRequest ?? (() => undefined);
    this.onReexecRequest = options.onReexecRequest;
    this.skipList = options.skipList;
    this.systemConf = options.systemConf ?? defaultSystemConf();
    this.consoleStatus = options.consoleStatus ?? true;
    for (const a of this.systemConf.defaultEnvironment) {
      const name = a.slice(0, a.indexOf('='));
      this.managerEnv = [...this.managerEnv.filter((e) => !e.startsWith(name + '=')), a];
    }
    this.generatorOptions = options.generators;
    this.injectedFaults = new InjectedFaults(this.processEnvironment.UNITD_TEST_FAULTS);
    timeChanges.setTestHook(this.processEnvironment.UNITD_TEST_CLOCK_CHANGE);
    this.jobs = new JobEngine(
      {
        get: (name) => {
          const entry = this.entry(name);
          return { config: entry.config, instance: entry.instance };
        },
        all: () => this.uniqueEntries().map((e) => e.config),
        runtimeEdges: (id) => this.runtimeEdges(id),
        checkStart: (unit) => this.checkStart(unit),
        deliver: (unit, event, fn) => this.deliver(unit, event, fn),
        isInert: (unit) => this.units.get(unit)?.instance.inert === true,
      },
      {
        starting: (unit, type) => this.jobStarting(unit, type),
        finished: (unit, type, result) => this.jobFinished(unit, type, result),
        warn: (unit, message) => this.unitMessage(unit, message, PRIORITY.warning),
        info: (unit, message) => this.unitMessage(unit, message, PRIORITY.info),
        ended: (unit) => {
          this.notifyTriggeringUnits(unit);
          this.gc.add(unit);
        },
      },
    );
  }

  /** Subscribe to the reaper: every exit of every child (services and orphans) comes here. */
  attachReaper(): void {
    this.unsubscribeReaper ??= this.native.onChildExit((e) => this.childExited(e));
  }

  // ---------------------------------------------------------------- registry

  private entry(name: string): Entry {
    const id = normalizeUnitName(name);
    const existing = this.units.get(id);
    if (existing) return existing;
    const config = this.loadConfig(id);
    return this.units.get(config.id) ?? this.register(config);
  }

  /**
   * A unit for a client's read-only question (status, show, list of processes).
   * A name with no unit file that is not in memory is answered from an entry
   * that is not kept: like systemd's unit GC of unreferenced units that failed
   * to load, asking about any number of unknown names leaves nothing behind
   * and does not make the dependency graph be rebuilt.
   */
  private lookup(name: string): Entry {
    const id = normalizeUnitName(name);
    const existing = this.units.get(id);
    if (existing) return existing;
    const config = this.loadConfig(id);
    const byId = this.units.get(config.id);
    if (byId) return byId;
    return isCollectable(config) ? this.createEntry(config) : this.register(config);
  }

  private loadConfig(id: string): LoadedUnit {
    let config: LoadedUnit;
    try {
      config = this.source.load(id);
    } catch (err) {
      config = notLoaded(id, 'error', 'org.freedesktop.systemd1.LoadFailed', `Unit ${id} failed to load properly: ${(err as Error).message}`);
    }
    if (!unitTypeOf(config.id) && config.loadState === 'loaded') {
      config = { ...config, loadState: 'error', loadError: { name: 'org.freedesktop.systemd1.LoadFailed', message: `Unit type of ${config.id} is not supported.` } };
    }
    return config;
  }

  private createEntry(config: LoadedUnit): Entry {
    const skipped = config.loadState === 'loaded' && this.skipList !== undefined && config.names.some((n) => this.skipList!.skips(n));
    // A unit of an unsupported type is shown (load error) through the simplest type.
    const rowType = skipped ? skippedType : (unitTypeOf(config.id) ?? FALLBACK_TYPE);
    const instance = rowType.create(config, this);
    const messages = rowType.statusMessages?.(config) ?? DEFAULT_STATUS_MESSAGES;
    return { config, instance, messages, activatedAt: 0 };
  }

  private register(config: LoadedUnit): Entry {
    for (const w of config.warnings) this.unitMessage(config.id, w, PRIORITY.warning);
    const entry = this.createEntry(config);
    this.units.set(config.id, entry);
    for (const alias of config.names) if (alias !== config.id && !this.units.has(alias)) this.units.set(alias, entry);
    // After the names are in: resolving its own names while its edges are added finds it.
    this.jobs?.unitAdded(config);
    this.gc.add(config.id);
    return entry;
  }

  /** Drop an entry under all its names (daemon-reload's collection of units nothing needs). */
  private forget(entry: Entry): void {
    for (const name of [entry.config.id, ...entry.config.names]) if (this.units.get(name) === entry) this.units.delete(name);
    entry.instance.dispose();
  }

  private gcFacts(id: string): GcFacts | undefined {
    const entry = this.units.get(id);
    if (!entry || entry.config.id !== id) return undefined;
    const a = entry.instance.activeState;
    const idle = a === 'inactive' || a === 'failed';
    return {
      activeState: a,
      collectMode: entry.config.unit.collectMode,
      // unit_success_failure_handler_has_jobs(): an OnFailure=/OnSuccess= unit about to run keeps it.
      hasJob: this.jobs.jobFor(id) !== undefined || [...entry.config.unit.onFailure, ...entry.config.unit.onSuccess].some((u) => this.jobs.jobFor(normalizeUnitName(u)) !== undefined),
      typeMayCollect: idle && (entry.instance.mayCollect?.() ?? true),
    };
  }

  /**
   * unit_free() of a collected unit: it leaves the registry under all its names, with its
   * edges, cached file, pid routes and samples; the next question about it loads it afresh.
   * What must outlive it is on disk (a Persistent= timer's stamp) or in the journal.
   */
  private collect(id: string): string[] {
    const entry = this.units.get(id);
    if (!entry) return [];
    const named = this.jobs.graph.namedBy(id);
    this.log.debug({ unit: id }, 'Collecting.');
    this.forget(entry);
    this.jobs.unitRemoved(id);
    this.source.forget?.(id);
    this.resources.forget(id);
    for (const [pid, owners] of this.pidOwners) if (owners.includes(id)) this.unwatchPid(pid, id);
    return named;
  }

  private uniqueEntries(): Entry[] {
    return [...new Set(this.units.values())];
  }

  // ---------------------------------------------------------------- UnitHost

  managerEnvironment(): string[] {
    return this.managerEnv;
  }

  watchPid(pid: number, unit: string): void {
    const watchers = this.pidOwners.get(pid);
    if (!watchers) this.pidOwners.set(pid, [unit]);
    else if (!watchers.includes(unit)) watchers.push(unit);
  }

  unwatchPid(pid: number, unit?: string): void {
    const rest = unit === undefined ? [] : (this.pidOwners.get(pid) ?? []).filter((u) => u !== unit);
    if (rest.length > 0) this.pidOwners.set(pid, rest);
    else this.pidOwners.delete(pid);
  }

  /**
   * The unit a log message's sender belongs to: a pid we spawned, else the UNITD_UNIT marker
   * in its environment (double-forked daemons keep it), else the session a unit's spawn
   * created, else its nearest ancestor that is one of ours. The sender's /proc facts were
   * read when its message arrived, so a sender that has exited since still counts.
   */
  unitForSender(sender: Pick<LogSender, 'pid' | 'sid' | 'unit' | 'ancestors'>): string | undefined {
    const direct = this.pidOwners.get(sender.pid)?.[0] ?? sender.unit;
    if (direct) return direct;
    for (const pid of [sender.sid, ...(sender.ancestors ?? [])]) {
      const owner = pid !== undefined && pid > 1 ? this.pidOwners.get(pid)?.[0] : undefined;
      if (owner) return owner;
    }
    return undefined;
  }

  stateChanged(unit: string, change: StateChange): void {
    const entry = this.units.get(unit);
    if (entry && (change.to === 'active' || change.to === 'activating') && entry.activatedAt === 0) {
      entry.activatedAt = ++this.activationCounter;
    }
    if (entry && (change.to === 'inactive' || change.to === 'failed')) entry.activatedAt = 0;
    this.jobs.stateChanged(unit, change);
    this.notifyTriggeringUnits(unit);
    if (entry && (change.to === 'inactive' || change.to === 'failed')) this.gc.add(entry.config.id);
    if (entry) this.emergencyActionFor(entry, change);
    if (entry && unit === 'basic.target' && change.to === 'active') {
      this.basicReached = true;
      if (this.state === 'initializing') this.state = 'starting';
    }
  }

  requestAutoRestart(unit: string): void {
    try {
      this.jobs.enqueue(unit, 'restart', { trigger: { kind: 'auto-restart' } });
    } catch (err) {
      this.log.error({ unit, err }, 'cannot queue automatic restart');
    }
  }

  unitStatus(unit: string): TriggeredUnitStatus {
    const entry = this.entry(unit);
    // Every state change of a triggered unit asks this; only timers read the timestamps, and
    // building all properties each time was most of what an Accept=yes connection cost.
    let props: Properties | undefined;
    const monotonic = (name: string): number => {
      props ??= entry.instance.properties();
      return typeof props[name] === 'number' ? (props[name] as number) : 0;
    };
    return {
      id: entry.config.id,
      loadState: entry.config.loadState,
      activeState: entry.instance.activeState,
      subState: entry.instance.subState,
      hasJob: this.jobs.jobFor(entry.config.id) !== undefined,
      result: entry.instance.lastResult?.(),
      get inactiveExitMonotonic() {
        return monotonic('InactiveExitTimestampMonotonic');
      },
      get inactiveEnterMonotonic() {
        return monotonic('InactiveEnterTimestampMonotonic');
      },
    };
  }

  /** trigger_notify(): every unit that triggers `unit` hears of its state (after a change, or when its job ended). */
  private notifyTriggeringUnits(unit: string): void {
    const triggering = this.jobs.graph.related(unit, 'triggered-by');
    if (triggering.length === 0) return;
    const status = this.unitStatus(unit);
    for (const name of triggering) {
      const instance = this.units.get(name)?.instance;
      if (instance?.triggerNotify) this.guard(() => instance.triggerNotify!(status));
    }
  }

  /** Triggers= and Before= a unit declares at run time (Accept=yes instances), by trigger unit. */
  private readonly runtimeTriggers = new Map<string, Set<string>>();

  private runtimeEdges(id: string): { kind: DependencyKind; to: string }[] {
    const units = this.runtimeTriggers.get(id);
    if (!units) return [];
    return [...units].flatMap(triggerEdges);
  }

  addTrigger(trigger: string, unit: string): void {
    const entry = this.units.get(trigger);
    if (!entry) return;
    let units = this.runtimeTriggers.get(entry.config.id);
    if (!units) this.runtimeTriggers.set(entry.config.id, (units = new Set()));
    if (units.has(unit)) return;
    units.add(unit);
    this.jobs.runtimeEdgesChanged(entry.config, triggerEdges(unit), 1);
  }

  removeTrigger(trigger: string, unit: string): void {
    const entry = this.units.get(trigger);
    const units = entry && this.runtimeTriggers.get(entry.config.id);
    if (!entry || !units?.delete(unit)) return;
    if (units.size === 0) this.runtimeTriggers.delete(entry.config.id);
    this.jobs.runtimeEdgesChanged(entry.config, triggerEdges(unit), -1);
    this.gc.add(unit);
  }

  /** service_collect_fds(): the fds of every unit triggering `unit` or named in its Sockets=, in the order of their names. */
  socketFds(unit: string): PassedFds | undefined {
    const fds: number[] = [];
    const names: string[] = [];
    const named = new Set(this.units.get(unit)?.config.service?.sockets ?? []);
    for (const name of [...new Set([...this.jobs.graph.related(unit, 'triggered-by'), ...named])].sort()) {
      const passed = this.units.get(name)?.instance.passedFds?.(unit, named.has(name));
      if (!passed) continue;
      fds.push(...passed.fds);
      names.push(...passed.names);
    }
    return fds.length > 0 ? { fds, names } : undefined;
  }

  triggerStart(unit: string, trigger: string, environment?: string[]): boolean {
    try {
      this.jobs.enqueue(unit, 'start', { trigger: { kind: 'unit', unit: trigger, environment } });
      return true;
    } catch (err) {
      this.unitMessage(trigger, `Failed to queue unit startup job: ${(err as Error).message}`, PRIORITY.warning);
      return false;
    }
  }

  unitMessage(unit: string, message: string, priority: number = PRIORITY.info): void {
    this.logSink.write({ timestamp: nowUSec(), unit, identifier: 'systemd', pid: process.pid, priority, message: `${unit}: ${message}` });
    this.log.debug({ unit }, message); // the journal has it already; this copy is for unitd.log at debug level
    if (priority <= PRIORITY.warning) this.console.line(`${unit}: ${message}`);
  }

  private label(unit: string): string {
    const entry = this.units.get(unit);
    const d = entry?.config.unit.description;
    return d && d !== unit ? `${unit} - ${d}` : unit;
  }

  private formatsOf(unit: string): StatusMessageFormats {
    return this.units.get(unit)?.messages ?? DEFAULT_STATUS_MESSAGES;
  }

  private jobStarting(unit: string, type: JobVerb): void {
    const line = statusMessage(this.formatsOf(unit), type, 'starting', this.label(unit));
    if (line === undefined) return;
    if (this.consoleStatus) this.console.line(`         ${line}`);
    this.logSink.write({ timestamp: nowUSec(), unit, identifier: 'systemd', pid: process.pid, priority: PRIORITY.info, message: line });
  }

  private jobFinished(unit: string, type: JobVerb, result: JobResult): void {
    if (type === 'start' && result !== 'done') {
      this.logSink.write({ timestamp: nowUSec(), unit, identifier: 'systemd', pid: process.pid, priority: PRIORITY.notice, message: `${unit}: Job ${unit}/start failed with result '${result}'.` });
    }
    const line = statusMessage(this.formatsOf(unit), type, result, this.label(unit));
    if (line === undefined) return;
    const status = jobStatusBadge(type, result);
    if (this.consoleStatus) {
      this.console.line(`[${status}] ${line}`);
      if (status === 'FAILED') this.console.line(`See 'systemctl status ${unit}' for details.`);
    }
    this.logSink.write({ timestamp: nowUSec(), unit, identifier: 'systemd', pid: process.pid, priority: status === '  OK  ' ? PRIORITY.info : PRIORITY.err, message: line });
  }

  // ---------------------------------------------------------------- child exits

  private childExited(exit: ChildExit): void {
    const watchers = this.pidOwners.get(exit.pid);
    if (watchers) {
      // Reaped: the pid is free for reuse, so no unit may keep watching it.
      this.pidOwners.delete(exit.pid);
      for (const owner of watchers) {
        const entry = this.units.get(owner);
        if (entry) this.deliver(owner, 'child-exit', () => entry.instance.childExited(exit));
        // A process of an inactive unit (left over, or cloned by a spawn that outlived its start) was
        // all that kept it loaded: collectable now (systemd queues a unit whose cgroup empties).
        if (entry) this.gc.add(owner);
      }
      return;
    }
    // An orphan (a daemon's grandchild, reparented to us): units waiting for emptiness look again.
    for (const entry of this.uniqueEntries()) this.guard(() => entry.instance.orphanExited());
  }

  deliver(unit: string, event: UnitEvent, fn: () => void): void {
    try {
      this.injectedFaults.fire(`${unit}:${event}`);
      fn();
    } catch (err) {
      this.eventFailed(unit, event, err);
    }
  }

  /** The error boundary's verdict: one line, the unit failed with result `resources`, its job failed. */
  private eventFailed(unit: string, event: UnitEvent, err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    this.unitMessage(unit, `Handling ${event} event failed: ${message}`, PRIORITY.err);
    this.log.error({ unit, event, err, [SHOWN_ON_CONSOLE]: true }, 'unit event handler failed');
    try {
      this.units.get(unit)?.instance.fail?.('resources');
    } catch (e) {
      this.log.error({ unit, err: e }, 'failing the unit failed too');
    }
    this.jobs.failJob(unit);
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error({ err }, 'handler failed; continuing');
    }
  }

  // ---------------------------------------------------------------- boot and shutdown

  /** systemd.generator(7): before units are loaded at boot and at every daemon-reload. */
  async runGenerators(): Promise<void> {
    if (this.generatorOptions === undefined) return;
    try {
      const report = await runGenerators(this.native, { environment: this.managerEnv, ...this.generatorOptions });
      for (const line of describeFailures(report)) this.console.line(line);
      this.log.info({ ran: [...report.builtin.map((b) => b.name), ...report.results.map((r) => r.name)], skipped: report.skipped }, 'generators finished');
    } catch (err) {
      this.log.error({ err }, 'running generators failed');
    }
    this.source.reload();
  }

  /** daemon-reexec (serialize.ts): every unit's running state, the jobs and the manager's own; `keep` collects fds. */
  snapshotState(keep: (fd: number) => void): ManagerStateSnapshot {
    const units: UnitStateSnapshot[] = [];
    for (const e of this.uniqueEntries()) {
      if (e.instance.snapshot === undefined || e.config.loadState !== 'loaded' || e.instance.inert) continue;
      units.push({ id: e.config.id, activatedAt: e.activatedAt, checks: e.checks, state: e.instance.snapshot(keep) });
    }
    return {
      state: this.state, basicReached: this.basicReached, managerEnvironment: this.managerEnv, consoleStatus: this.consoleStatus,
      activationCounter: this.activationCounter, nextJobId: this.jobs.nextJobId, units,
      jobs: this.jobs.list().map((j) => ({ unit: j.unit, type: j.type })),
    };
  }

  /**
   * The new program resumes (semantics: systemd's manager_deserialize + coldplug): units are
   * loaded from disk as at daemon-reload and take back their running state, trigger units
   * last (they look at the units they trigger); then the jobs that were queued are queued again.
   */
  restoreState(snap: ManagerStateSnapshot): void {
    this.managerEnv = snap.managerEnvironment;
    this.consoleStatus = snap.consoleStatus;
    this.basicReached = snap.basicReached;
    this.activationCounter = snap.activationCounter;
    this.jobs.continueJobIds(snap.nextJobId);
    const restored = snap.units.map((u) => ({ u, entry: this.entry(u.id) }));
    const triggersLast = [...restored.filter((r) => !r.entry.instance.triggerNotify), ...restored.filter((r) => r.entry.instance.triggerNotify)];
    for (const { u, entry } of triggersLast) {
      entry.activatedAt = u.activatedAt;
      if (u.checks !== undefined) entry.checks = u.checks;
      try {
        entry.instance.restore?.(u.state);
      } catch (err) {
        this.unitMessage(entry.config.id, `Failed to deserialize unit state: ${(err as Error).message}`, PRIORITY.err);
      }
    }
    this.jobs.invalidateGraph();
    for (const job of snap.jobs) {
      try {
        this.jobs.enqueue(job.unit, job.type);
      } catch (err) {
        this.unitMessage(job.unit, `Failed to requeue ${job.type} job: ${(err as Error).message}`, PRIORITY.warning);
      }
    }
    this.state = snap.state;
    if (this.state === 'initializing' || this.state === 'starting') {
      // The boot transaction was under way: `running` once the queue empties, as boot() would have.
      void this.jobs.whenIdle().then(() => {
        if (this.state === 'initializing' || this.state === 'starting') this.state = 'running';
      });
    }
  }

  /**
   * Boot (semantics §7.1): start the default target; `initializing` until
   * basic.target is reached, `starting` until the job queue first runs empty,
   * then `running` (or `degraded`).
   */
  async boot(unit: string): Promise<JobResult> {
    this.state = 'initializing';
    let result: JobResult;
    try {
      const job = this.jobs.enqueue(unit, 'start');
      this.state = this.basicReached ? 'starting' : 'initializing';
      const idle = this.jobs.whenIdle();
      result = await job.done;
      await idle;
    } catch (err) {
      this.console.line(`[FAILED] Failed to start ${unit}: ${(err as Error).message}`);
      this.log.error({ unit, err }, 'boot transaction failed');
      result = 'failed';
    }
    if (this.state === 'initializing' || this.state === 'starting') this.state = 'running';
    return result;
  }

  /**
   * The orderly part of shutdown (semantics §7.5): one transaction that starts
   * `${kind}.target` and stops every unit that is up, irreversibly, so stops run
   * in reverse dependency order and in parallel where ordering allows. Bounded
   * by `budgetMs`; units still up after it get their FinalKillSignal (SIGKILL).
   * `force` skips the stop jobs (the -force actions).
   */
  async stopAll(options: { budgetMs?: number; kind?: 'poweroff' | 'halt' | 'reboot' | 'exit'; force?: boolean } = {}): Promise<{ timedOut: string[] }> {
    this.state = 'stopping';
    this.jobs.shuttingDown = true;
    const budgetMs = options.budgetMs ?? 9000;
    const up = () => this.uniqueEntries().filter((e) => e.instance.activeState !== 'inactive' && e.instance.activeState !== 'failed');
    if (!options.force) {
      const requests: { unit: string; kind: 'start' | 'stop'; matters?: boolean }[] = [];
      const kindTarget = `${options.kind ?? 'poweroff'}.target`;
      const anchored = this.entry(kindTarget).config.loadState === 'loaded';
      if (anchored) requests.push({ unit: kindTarget, kind: 'start' });
      // As systemd's shutdown.target conflicts pull them in: stops that do not matter to the
      // request, so an ordering cycle among running units is broken by deleting one of them
      // (left to the final kill) instead of failing the whole shutdown.
      for (const e of up()) if (e.config.id !== kindTarget && e.config.id !== 'shutdown.target' && e.config.id !== 'final.target') requests.push({ unit: e.config.id, kind: 'stop', matters: !anchored });
      let jobs: Promise<unknown>[] = [];
      try {
        jobs = this.jobs.enqueueMany(requests, 'replace-irreversibly').map((j) => j.done);
      } catch (err) {
        this.console.line(`Failed to enqueue the shutdown transaction: ${err instanceof Error ? err.message : String(err)} Stopping units one by one.`);
        this.log.error({ err }, 'shutdown transaction failed; stopping units one by one');
        for (const r of requests) {
          if (r.kind !== 'stop') continue;
          try {
            jobs.push(this.jobs.enqueue(r.unit, 'stop', { mode: 'replace-irreversibly' }).done);
          } catch (e) {
            this.log.error({ unit: r.unit, err: e }, 'stop failed');
          }
        }
      }
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(jobs), new Promise<void>((r) => (timer = setTimeout(r, budgetMs)))]);
      clearTimeout(timer);
    }
    const timedOut: string[] = [];
    for (const e of up()) {
      const signal = e.instance.finalKillSignal?.();
      if (signal === undefined) continue;
      timedOut.push(e.config.id);
      const n = e.instance.kill('all', signal);
      this.unitMessage(e.config.id, `Stop budget exceeded, sending final kill signal to ${n} process(es).`, PRIORITY.warning);
    }
    for (const entry of this.uniqueEntries()) entry.instance.dispose();
    this.busNames?.close();
    return { timedOut };
  }

  /**
   * StartLimitAction=: systemd runs it the moment a start is refused (unit_test_start_limit(),
   * reason "unit X failed"), logged by the manager as a warning and always on the console.
   */
  whenOtherJobsDone(unit: string): { done: Promise<void>; cancel(): void } {
    return this.jobs.whenOthersDone(unit);
  }

  startLimitHit(unit: string): void {
    const entry = this.units.get(unit);
    const action = entry?.config.unit.startLimitAction ?? 'none';
    const decision = this.state === 'stopping' ? undefined : emergencyDecision(action, undefined);
    if (!entry || !decision) return;
    const message = emergencyActionMessage(action, `unit ${entry.config.id} failed`);
    this.logSink.write({ timestamp: nowUSec(), unit: MANAGER_SCOPE, identifier: 'systemd', pid: process.pid, priority: PRIORITY.warning, message });
    this.console.line(`[  !!  ] ${message}`); // manager_status_printf(STATUS_TYPE_EMERGENCY)
    setImmediate(() => this.onExitRequest(decision.exitCode, { kind: decision.kind, force: decision.force, immediate: decision.immediate }));
  }

  /** SuccessAction=/FailureAction=: end the container with the unit (emergency-actions.ts). */
  private emergencyActionFor(entry: Entry, change: StateChange): void {
    if (this.state === 'stopping' || change.willAutoRestart) return;
    const u = entry.config.unit;
    let decision: EmergencyDecision | undefined;
    const status = (): number | undefined => {
      const p = entry.instance.properties();
      return typeof p.ExecMainStatus === 'number' ? p.ExecMainStatus : undefined;
    };
    if (change.to === 'failed' && change.from !== 'failed' && u.failureAction !== 'none') {
      decision = emergencyDecision(u.failureAction, u.failureActionExitStatus ?? status());
      if (decision) this.unitMessage(entry.config.id, `Failed with FailureAction=${u.failureAction}, ${decision.kind === 'exit' ? `exiting with status ${decision.exitCode}` : 'shutting down'}.`, PRIORITY.warning);
    } else if (change.to === 'inactive' && change.from !== 'inactive' && change.from !== 'failed' && u.successAction !== 'none') {
      decision = emergencyDecision(u.successAction, u.successActionExitStatus ?? status());
      if (decision) this.unitMessage(entry.config.id, `Succeeded with SuccessAction=${u.successAction}, ${decision.kind === 'exit' ? `exiting with status ${decision.exitCode}` : 'shutting down'}.`);
    }
    if (!decision) return;
    const d = decision;
    setImmediate(() => this.onExitRequest(d.exitCode, { kind: d.kind, force: d.force, immediate: d.immediate }));
  }

  /** Condition*= then Assert*= (semantics §2.5), right before a start runs. */
  private checkStart(unit: string): 'ok' | 'condition' | 'assert' {
    const entry = this.units.get(unit);
    if (!entry || entry.instance.inert) return 'ok';
    const u = entry.config.unit;
    if (u.conditions.length === 0 && u.asserts.length === 0) return 'ok';
    const ctx = { environment: this.managerEnv };
    const at = now();
    const cond = failedCondition(u.conditions, ctx);
    if (cond) {
      const text = describeCondition('Condition', cond);
      entry.checks = { conditionResult: false, assertResult: true, at, failed: `${text} was not met` };
      const message = `${this.label(unit)} was skipped because of an unmet condition check (${text}).`;
      this.logSink.write({ timestamp: nowUSec(), unit, identifier: 'systemd', pid: process.pid, priority: PRIORITY.info, message });
      if (this.consoleStatus && entry.messages.announceConditionSkip) this.console.line(`         ${this.label(unit)} was skipped because of an unmet condition check (${text}).`);
      return 'condition';
    }
    const assert = failedCondition(u.asserts, ctx);
    if (assert) {
      const text = describeCondition('Assert', assert);
      entry.checks = { conditionResult: true, assertResult: false, at, failed: `${text} was not met` };
      this.unitMessage(unit, 'Starting requested but asserts failed.', PRIORITY.warning);
      this.unitMessage(unit, `Assertion failed for ${this.label(unit)}.`, PRIORITY.warning);
      return 'assert';
    }
    entry.checks = { conditionResult: true, assertResult: true, at };
    return 'ok';
  }

  /** Properties the job engine and the manager know better than the unit: conditions, reverse dependencies, reload need. */
  private managerUnitProperties(entry: Entry, props: Properties): Properties {
    const c = entry.checks;
    if (c) {
      props.ConditionResult = c.conditionResult && props.ConditionResult !== false;
      props.AssertResult = c.assertResult;
      props.ConditionTimestamp = c.at.realtime;
      props.ConditionTimestampMonotonic = c.at.monotonic;
      props.AssertTimestamp = c.at.realtime;
      props.AssertTimestampMonotonic = c.at.monotonic;
    } else {
      // Never checked since it was loaded (a collected unit loads afresh): systemd shows both as no.
      props.ConditionResult = false;
      props.AssertResult = false;
    }
    const id = entry.config.id;
    const g = this.jobs.graph;
    for (const [kind, name] of Object.entries(REVERSE_PROPERTY) as [DependencyKind, string][]) {
      const reverse = g.reverse(id, kind);
      const own = Array.isArray(props[name]) ? (props[name] as string[]) : [];
      props[name] = [...new Set([...own, ...reverse])].sort();
    }
    props.Upholds = g.forward(id, 'upholds');
    props.Triggers = g.forward(id, 'triggers');
    props.OnSuccess = g.forward(id, 'onSuccess');
    props.PropagatesReloadTo = g.forward(id, 'propagatesReloadTo');
    props.ReloadPropagatedFrom = g.forward(id, 'reloadPropagatedFrom');
    props.PropagatesStopTo = g.forward(id, 'propagatesStopTo');
    props.StopPropagatedFrom = g.forward(id, 'stopPropagatedFrom');
    props.AllowIsolate = entry.config.unit.allowIsolate;
    props.IgnoreOnIsolate = entry.config.unit.ignoreOnIsolate;
    props.SuccessAction = entry.config.unit.successAction;
    props.FailureAction = entry.config.unit.failureAction;
    props.OnFailureJobMode = entry.config.unit.onFailureJobMode;
    props.OnSuccessJobMode = entry.config.unit.onSuccessJobMode;
    props.NeedDaemonReload = this.needDaemonReload(entry.config);
    return props;
  }

  /** NeedDaemonReload=: a file the unit was loaded from changed or vanished since. */
  private needDaemonReload(config: LoadedUnit): boolean {
    if (!config.mtimes) return false;
    for (const [file, mtime] of config.mtimes) {
      try {
        if (statSync(file).mtimeMs !== mtime) return true;
      } catch {
        return true;
      }
    }
    return false;
  }

  // ---------------------------------------------------------------- ManagerApi

  async enqueueJob(request: JobRequest): Promise<JobOutcome> {
    const id = normalizeUnitName(request.unit);
    if (this.state === 'stopping' && request.type !== 'stop') {
      throw new ManagerError('org.freedesktop.systemd1.ShuttingDown', 'Refusing to start units while shutting down.');
    }
    // systemd's manager_load_unit_prepare() refusal for a bare template, in its words.
    if (/@\.[a-z]+$/.test(id)) {
      throw new ManagerError('org.freedesktop.DBus.Error.InvalidArgs', `Unit name ${id} is missing the instance name.`);
    }
    this.jobs.checkManual(id, request.type);
    this.thawForJob(id);
    const job = this.jobs.enqueue(id, request.type, { mode: request.mode });
    const outcome: JobOutcome = { id: job.id, unit: job.unit, type: request.type };
    if (!request.wait) return outcome;
    outcome.result = await job.done;
    return outcome;
  }

  /**
   * kill and reset-failed act on the unit in memory only (systemd's method_generic_unit_operation()
   * without GENERIC_UNIT_LOAD): one the GC collected, or never loaded, is `not loaded` (observed on
   * 252: `Failed to reset failed state of unit a.service: Unit a.service not loaded.`), and so is
   * one that failed to load and is not running.
   */
  private refuseIfNotLoaded(unit: string): void {
    const id = normalizeUnitName(unit);
    if (!this.units.has(id)) throw new ManagerError('org.freedesktop.systemd1.NoSuchUnit', `Unit ${id} not loaded.`);
    const entry = this.entry(unit);
    if (['not-found', 'error', 'bad-setting'].includes(entry.config.loadState) && entry.instance.activeState === 'inactive') {
      throw new ManagerError('org.freedesktop.systemd1.NoSuchUnit', `Unit ${entry.config.id} not loaded.`);
    }
  }

  async killUnit(unit: string, whom: KillWhom, signal: number): Promise<{ signalled: number }> {
    this.refuseIfNotLoaded(unit);
    const entry = this.entry(unit);
    const signalled = this.controlUnit(entry.config.id, () => entry.instance.kill(whom, signal));
    if (signalled === 0 && whom !== 'all') {
      throw new ManagerError('org.freedesktop.DBus.Error.InvalidArgs', `No ${whom} process to kill`);
    }
    return { signalled };
  }

  /** A frozen unit's processes could not act on a job's signals: thaw first, as systemd does. */
  private thawForJob(id: string): void {
    const entry = this.units.get(id);
    if (entry !== undefined && this.freezer.isFrozen(entry.config.id)) this.freezer.apply(entry.config.id, 'thaw', entry.instance.pids());
  }

  private refuseUnknown(entry: Entry): void {
    if (entry.config.loadState === 'not-found') {
      throw new ManagerError('org.freedesktop.systemd1.NoSuchUnit', `Unit ${entry.config.id} not found.`);
    }
  }

  async freezeUnit(unit: string, action: 'freeze' | 'thaw'): Promise<void> {
    const entry = this.entry(unit);
    this.refuseUnknown(entry);
    const id = entry.config.id;
    if (unitTypeOf(id)?.canFreeze !== true || entry.config.loadState !== 'loaded') {
      throw new ManagerError('org.freedesktop.DBus.Error.NotSupported', `Unit '${id}' does not support freezing.`);
    }
    if (this.jobs.jobFor(id)) throw new ManagerError('org.freedesktop.systemd1.UnitBusy', 'Unit has a pending job.');
    const a = entry.instance.activeState;
    if (a !== 'active' && a !== 'reloading') throw new ManagerError('org.freedesktop.systemd1.UnitInactive', 'Unit is inactive.');
    this.controlUnit(id, () => this.freezer.apply(id, action, entry.instance.pids()));
  }

  async cleanUnit(unit: string, what: string[]): Promise<void> {
    const entry = this.entry(unit);
    this.refuseUnknown(entry);
    const id = entry.config.id;
    const kinds = new Set<CleanWhat>();
    for (const w of what) {
      if (w === 'all') CLEAN_WHAT.forEach((k) => kinds.add(k));
      else if ((CLEAN_WHAT as readonly string[]).includes(w)) kinds.add(w as CleanWhat);
      else throw new ManagerError('org.freedesktop.DBus.Error.InvalidArgs', `Invalid resource type: ${w}`);
    }
    const exec = entry.config.exec;
    if (exec === undefined || entry.config.loadState !== 'loaded') {
      throw new ManagerError('org.freedesktop.DBus.Error.NotSupported', `Unit '${id}' does not support cleaning.`);
    }
    const a = entry.instance.activeState;
    if ((a !== 'inactive' && a !== 'failed') || this.jobs.jobFor(id)) {
      throw new ManagerError('org.freedesktop.systemd1.UnitBusy', 'Unit is not inactive or has pending job.');
    }
    const matching = cleanableKinds(exec).filter((k) => kinds.has(k));
    if (matching.length === 0) throw new ManagerError('org.freedesktop.systemd1.NothingToClean', 'No matching resources found.');
    cleanDirectories(exec, matching);
    this.log.info({ unit: id, what: matching }, 'cleaned');
  }

  async resetFailed(unit?: string): Promise<void> {
    if (unit === undefined) {
      for (const e of this.uniqueEntries()) e.instance.resetFailed();
      return;
    }
    this.refuseIfNotLoaded(unit);
    const entry = this.entry(unit);
    this.controlUnit(entry.config.id, () => entry.instance.resetFailed());
  }

  /**
   * A control request's call into a unit, inside the error boundary: a refusal (ManagerError)
   * goes to the client as it is; any other throw fails the unit as a throw in any of its
   * events does (one line, result `resources`, its job failed) and the client gets its message.
   */
  private controlUnit<T>(unit: string, fn: () => T): T {
    try {
      this.injectedFaults.fire(`${unit}:control`);
      return fn();
    } catch (err) {
      if (err instanceof ManagerError) throw err;
      this.eventFailed(unit, 'control', err);
      throw new ManagerError('org.freedesktop.DBus.Error.Failed', err instanceof Error ? err.message : String(err));
    }
  }

  private withJob(entry: Entry, props: Properties): Properties {
    const job = this.jobs.jobFor(entry.config.id);
    if (job) props.Job = `${job.id} ${job.type}`;
    return props;
  }

  async unitProperties(units: string[]): Promise<Properties[]> {
    return units.map((u) => {
      const entry = this.lookup(u);
      const props = this.withJob(entry, this.managerUnitProperties(entry, entry.instance.properties()));
      const running = entry.instance.activeState !== 'inactive' && entry.instance.activeState !== 'failed';
      const pids = running ? entry.instance.pids() : [];
      if (props.MemoryCurrent === undefined && running) {
        const memory = unitMemory(pids);
        if (memory !== undefined) props.MemoryCurrent = memory;
      }
      props.FreezerState = this.freezer.state(entry.config.id, running);
      if (entry.config.exec !== undefined) {
        // Sampled on every read; an inactive unit keeps its last run's CPU, as systemd shows it.
        const run = typeof props.InactiveExitTimestamp === 'number' ? props.InactiveExitTimestamp : 0;
        const usage = this.resources.sample(entry.config.id, run, pids);
        if (running) props.TasksCurrent = usage.tasks;
        if (usage.cpuNsec > 0 || running) props.CPUUsageNSec = usage.cpuNsec;
      }
      return props;
    });
  }

  async managerProperties(): Promise<Properties> {
    const failed = this.uniqueEntries().filter((e) => e.instance.activeState === 'failed').length;
    return {
      Version: VERSION,
      Features: '',
      Virtualization: existsSync('/.dockerenv') ? 'docker' : 'container',
      Architecture: process.arch === 'x64' ? 'x86-64' : process.arch,
      SystemState: await this.systemState(),
      NFailedUnits: failed,
      NJobs: this.jobs.list().length,
      NNames: this.units.size,
      Environment: this.managerEnv,
      DefaultTimeoutStartUSec: this.systemConf.defaultTimeoutStartUSec,
      DefaultTimeoutStopUSec: this.systemConf.defaultTimeoutStopUSec,
      DefaultTimeoutAbortUSec: this.systemConf.defaultTimeoutAbortUSec,
      DefaultRestartUSec: this.systemConf.defaultRestartUSec,
      DefaultStartLimitIntervalUSec: this.systemConf.defaultStartLimitIntervalUSec,
      DefaultStartLimitBurst: this.systemConf.defaultStartLimitBurst,
    };
  }

  async listUnits(options: { all: boolean }): Promise<UnitListEntry[]> {
    const out: UnitListEntry[] = [];
    // The registry is what is in memory: the GC (unit-gc.ts) took out what systemd's would have.
    for (const entry of this.uniqueEntries()) {
      const job = this.jobs.jobFor(entry.config.id);
      const a = entry.instance.activeState;
      if (!options.all && a === 'inactive' && !job && entry.config.loadState === 'loaded') continue;
      if (!options.all && entry.config.loadState === 'not-found' && a === 'inactive') continue;
      out.push({
        id: entry.config.id,
        description: entry.config.unit.description || entry.config.id,
        loadState: entry.config.loadState,
        activeState: a,
        subState: entry.instance.subState,
        ...(job ? { jobId: job.id, jobType: job.type } : {}),
      });
    }
    return out.sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  }

  async listJobs(): Promise<JobListEntry[]> {
    return this.jobs.list();
  }

  async cancelJobs(ids: number[]): Promise<void> {
    for (const id of ids) this.jobs.cancel(id);
  }

  async unitProcesses(unit: string): Promise<UnitProcess[]> {
    const entry = this.lookup(unit);
    return entry.instance.pids().map((pid) => ({ pid, command: readCommandLine(pid), ppid: readProcess(pid)?.ppid ?? 0 }));
  }

  async unitLog(unit: string, lines: number): Promise<LogLine[]> {
    return this.logSink.tail(normalizeUnitName(unit), lines);
  }

  async daemonReload(): Promise<void> {
    await this.runGenerators();
    this.source.reload();
    this.log.info('Reloading.');
    for (const [name, entry] of [...this.units]) {
      if (name !== entry.config.id) continue;
      const active = entry.instance.activeState !== 'inactive' || this.jobs.jobFor(name);
      if (!active && isCollectable(entry.config)) {
        // Nothing needs it: collected, as systemd's GC would have; a reference loads it again.
        this.forget(entry);
        continue;
      }
      let config: LoadedUnit;
      try {
        config = this.source.load(name);
      } catch {
        continue;
      }
      if (!active && config.loadState !== entry.config.loadState) {
        // Inactive units are simply loaded afresh.
        this.forget(entry);
        continue;
      }
      entry.config = config;
      entry.instance.reload(config);
    }
    this.jobs.invalidateGraph();
    // Edges may have gone with the files: whatever nothing names now is collected.
    for (const e of this.uniqueEntries()) this.gc.add(e.config.id);
  }

  async daemonReexec(): Promise<void> {
    if (this.onReexecRequest === undefined) throw new ManagerError('org.freedesktop.DBus.Error.NotSupported', 'Re-executing is not supported by this manager.');
    if (this.state === 'stopping') throw new ManagerError('org.freedesktop.systemd1.ShuttingDown', 'Refusing to reexecute while shutting down.');
    await this.onReexecRequest();
  }

  async shutdown(kind: 'poweroff' | 'halt' | 'reboot' | 'exit', exitCode?: number): Promise<void> {
    this.log.info({ kind }, 'shutdown requested');
    setImmediate(() => this.onExitRequest(kind === 'exit' ? (exitCode ?? 0) : 0, { kind }));
  }

  async unitFileStates(units: string[], unitPath?: string): Promise<UnitFileStateAnswer[]> {
    return this.source.fileStates?.(units, unitPath) ?? units.map(() => ({ error: 'ENOENT' as const }));
  }

  async systemState(): Promise<'initializing' | 'starting' | 'running' | 'degraded' | 'maintenance' | 'stopping' | 'offline'> {
    if (this.state !== 'running') return this.state;
    return this.uniqueEntries().some((e) => e.instance.activeState === 'failed') ? 'degraded' : 'running';
  }

  async environment(): Promise<string[]> {
    return [...this.managerEnv];
  }

  async setEnvironment(assignments: string[], unset: string[]): Promise<void> {
    const map = new Map<string, string>();
    for (const a of this.managerEnv) map.set(a.slice(0, a.indexOf('=')), a);
    for (const a of assignments) {
      const eq = a.indexOf('=');
      if (eq > 0) map.set(a.slice(0, eq), a);
    }
    for (const u of unset) map.delete(u.includes('=') ? u.slice(0, u.indexOf('=')) : u);
    this.managerEnv = [...map.values()];
  }
}

/** A unit with no file that failed to load: kept in memory only while something needs it. */
function isCollectable(config: LoadedUnit): boolean {
  return config.loadState !== 'loaded' && config.fragmentPath === '' && !config.builtin;
}

/** job.c's job_done_status: the badge in front of a finished job's console line. */
function jobStatusBadge(verb: JobVerb, result: JobResult): string {
  if (verb === 'stop' || result === 'done') return '  OK  ';
  if (result === 'dependency') return 'DEPEND';
  if (result === 'assert') return 'ASSERT';
  return 'FAILED';
}

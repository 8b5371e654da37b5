// The manager: unit registry, pid routing, jobs, and the ManagerApi the control
// server exposes. It owns no event loop of its own: child exits, notify
// datagrams, timers and control requests all arrive as events.

import { existsSync } from 'node:fs';
import type { Logger } from 'pino';
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
  type UnitListEntry,
  type UnitProcess,
} from '../control/api.js';
import { defaultManagerEnvironment } from '../exec/environment.js';
import type { ChildExit, NativeModule } from '../exec/native.js';
import { JobEngine } from './jobs.js';
import { nowUSec, PRIORITY, type ConsoleWriter, type LogSink } from './log-sink.js';
import { readCommandLine, readProcess } from './process-tracker.js';
import { isService } from './service.js';
import type { UnitSource } from './unit-source.js';
import { notLoaded } from './unit-source.js';
import { unitTypeOf } from './unit-types.js';
import type { LoadedUnit, StateChange, UnitHost, UnitInstance } from './unit-type.js';

export const VERSION = '252 (unitd 0.1.0)';

interface Entry {
  config: LoadedUnit;
  instance: UnitInstance;
  /** Order in which units became active, for a reverse-order shutdown. */
  activatedAt: number;
}

export interface ManagerOptions {
  log: Logger;
  console: ConsoleWriter;
  logSink: LogSink;
  native: NativeModule;
  runtimeDir: string;
  source: UnitSource;
  processEnvironment?: Record<string, string | undefined>;
  /** Called when a client or a unit asks the daemon to end (exit code). */
  onExitRequest?: (code: number) => void;
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
  private readonly source: UnitSource;
  private readonly units = new Map<string, Entry>();
  private readonly pidOwners = new Map<number, string>();
  private readonly jobs: JobEngine;
  private managerEnv: string[];
  private activationCounter = 0;
  private state: 'initializing' | 'starting' | 'running' | 'stopping' = 'initializing';
  private readonly onExitRequest: (code: number) => void;
  private unsubscribeReaper: (() => void) | undefined;

  constructor(options: ManagerOptions) {
    this.log = options.log;
    this.console = options.console;
    this.logSink = options.logSink;
    this.native = options.native;
    this.runtimeDir = options.runtimeDir;
    this.source = options.source;
    this.processEnvironment = options.processEnvironment ?? process.env;
    this.managerEnv = defaultManagerEnvironment(this.processEnvironment);
    this.onExitRequest = options.onExitRequest ?? (() => undefined);
    this.jobs = new JobEngine(
      {
        get: (name) => {
          const entry = this.entry(name);
          const instance = entry.instance;
          return {
            config: entry.config,
            instance,
            automaticStart: isService(instance) ? () => instance.startAutomatically() : undefined,
          };
        },
      },
      {
        starting: (unit, type) => this.jobStarting(unit, type),
        finished: (unit, type, result) => this.jobFinished(unit, type, result),
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
    let config: LoadedUnit;
    try {
      config = this.source.load(id);
    } catch (err) {
      config = notLoaded(id, 'error', 'org.freedesktop.systemd1.LoadFailed', `Unit ${id} failed to load properly: ${(err as Error).message}`);
    }
    const byId = this.units.get(config.id);
    if (byId) return byId;
    for (const w of config.warnings) this.unitMessage(config.id, w, PRIORITY.warning);
    const type = unitTypeOf(config.id);
    if (!type && config.loadState === 'loaded') {
      config = { ...config, loadState: 'error', loadError: { name: 'org.freedesktop.systemd1.LoadFailed', message: `Unit type of ${config.id} is not supported.` } };
    }
    const instance = (type ?? unitTypeOf('x.target')!).create(config, this);
    const entry: Entry = { config, instance, activatedAt: 0 };
    this.units.set(config.id, entry);
    for (const alias of config.names) if (alias !== config.id && !this.units.has(alias)) this.units.set(alias, entry);
    return entry;
  }

  private uniqueEntries(): Entry[] {
    return [...new Set(this.units.values())];
  }

  // ---------------------------------------------------------------- UnitHost

  managerEnvironment(): string[] {
    return this.managerEnv;
  }

  watchPid(pid: number, unit: string): void {
    this.pidOwners.set(pid, unit);
  }

  unwatchPid(pid: number): void {
    this.pidOwners.delete(pid);
  }

  stateChanged(unit: string, change: StateChange): void {
    const entry = this.units.get(unit);
    if (entry && (change.to === 'active' || change.to === 'activating') && entry.activatedAt === 0) {
      entry.activatedAt = ++this.activationCounter;
    }
    if (entry && (change.to === 'inactive' || change.to === 'failed')) entry.activatedAt = 0;
    this.jobs.stateChanged(unit, change);
  }

  requestAutoRestart(unit: string): void {
    try {
      this.jobs.enqueue(unit, 'restart', { automatic: true });
    } catch (err) {
      this.log.error({ unit, err }, 'cannot queue automatic restart');
    }
  }

  unitMessage(unit: string, message: string, priority: number = PRIORITY.info): void {
    this.logSink.write({ timestamp: nowUSec(), unit, identifier: 'systemd', pid: process.pid, priority, message: `${unit}: ${message}` });
    this.log.info({ unit }, message);
    if (priority <= PRIORITY.warning) this.console.line(`${unit}: ${message}`);
  }

  private label(unit: string): string {
    const entry = this.units.get(unit);
    const d = entry?.config.unit.description;
    return d && d !== unit ? `${unit} - ${d}` : unit;
  }

  private jobStarting(unit: string, type: 'start' | 'stop' | 'reload'): void {
    const verb = { start: 'Starting', stop: 'Stopping', reload: 'Reloading' }[type];
    if (unit.endsWith('.target')) {
      return;
    }
    this.console.line(`         ${verb} ${this.label(unit)}...`);
    this.logSink.write({ timestamp: nowUSec(), unit, identifier: 'systemd', pid: process.pid, priority: PRIORITY.info, message: `${verb} ${this.label(unit)}...` });
  }

  private jobFinished(unit: string, type: 'start' | 'stop' | 'reload', result: JobResult): void {
    const entry = this.units.get(unit);
    const isTarget = unit.endsWith('.target');
    let line: string | undefined;
    let status = '  OK  ';
    if (type === 'start') {
      if (result === 'done') {
        const oneshot = entry?.config.service?.type === 'oneshot' && !entry.config.service.remainAfterExit && entry.instance.activeState !== 'active';
        line = isTarget ? `Reached target ${this.label(unit)}.` : `${oneshot ? 'Finished' : 'Started'} ${this.label(unit)}.`;
      } else if (result === 'dependency') {
        status = 'DEPEND';
        line = `Dependency failed for ${this.label(unit)}.`;
      } else if (result === 'failed' || result === 'timeout') {
        status = 'FAILED';
        line = `Failed to start ${this.label(unit)}.`;
      }
    } else if (type === 'stop') {
      line = isTarget ? `Stopped target ${this.label(unit)}.` : `Stopped ${this.label(unit)}.`;
    } else if (type === 'reload') {
      if (result === 'done') line = `Reloaded ${this.label(unit)}.`;
      else {
        status = 'FAILED';
        line = `Reload failed for ${this.label(unit)}.`;
      }
    }
    if (!line) return;
    this.console.line(`[${status}] ${line}`);
    if (status === 'FAILED') this.console.line(`See 'systemctl status ${unit}' for details.`);
    this.logSink.write({ timestamp: nowUSec(), unit, identifier: 'systemd', pid: process.pid, priority: status === '  OK  ' ? PRIORITY.info : PRIORITY.err, message: line });
  }

  // ---------------------------------------------------------------- child exits

  private childExited(exit: ChildExit): void {
    const owner = this.pidOwners.get(exit.pid);
    if (owner) {
      const entry = this.units.get(owner);
      this.guard(() => entry?.instance.childExited(exit));
      return;
    }
    // An orphan (a daemon's grandchild, reparented to us): units waiting for emptiness look again.
    for (const entry of this.uniqueEntries()) this.guard(() => entry.instance.orphanExited());
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error({ err }, 'handler failed; continuing');
    }
  }

  // ---------------------------------------------------------------- boot and shutdown

  async boot(unit: string): Promise<JobResult> {
    this.state = 'starting';
    let result: JobResult;
    try {
      const job = this.jobs.enqueue(unit, 'start');
      result = await job.done;
    } catch (err) {
      this.console.line(`[FAILED] Failed to start ${unit}: ${(err as Error).message}`);
      result = 'failed';
    }
    if (this.state === 'starting') this.state = 'running';
    return result;
  }

  /** Stop every unit, most recently activated first (ordering-aware shutdown is another layer). */
  async stopAll(): Promise<void> {
    this.state = 'stopping';
    const running = this.uniqueEntries()
      .filter((e) => e.instance.activeState !== 'inactive' && e.instance.activeState !== 'failed')
      .sort((a, b) => b.activatedAt - a.activatedAt);
    for (const entry of running) {
      try {
        const job = this.jobs.enqueue(entry.config.id, 'stop');
        await job.done;
      } catch (err) {
        this.log.error({ unit: entry.config.id, err }, 'stop failed');
      }
    }
    for (const entry of this.uniqueEntries()) entry.instance.dispose();
  }

  // ---------------------------------------------------------------- ManagerApi

  async enqueueJob(request: JobRequest): Promise<JobOutcome> {
    const id = normalizeUnitName(request.unit);
    if (this.state === 'stopping' && request.type !== 'stop') {
      throw new ManagerError('org.freedesktop.systemd1.ShuttingDown', 'Refusing to start units while shutting down.');
    }
    const job = this.jobs.enqueue(id, request.type);
    const outcome: JobOutcome = { id: job.id, unit: job.unit, type: request.type };
    if (!request.wait) return outcome;
    outcome.result = await job.done;
    return outcome;
  }

  async killUnit(unit: string, whom: KillWhom, signal: number): Promise<{ signalled: number }> {
    const entry = this.entry(unit);
    if (entry.config.loadState === 'not-found' && entry.instance.activeState === 'inactive') {
      throw new ManagerError('org.freedesktop.systemd1.NoSuchUnit', `Unit ${entry.config.id} not loaded.`);
    }
    const signalled = entry.instance.kill(whom, signal);
    if (signalled === 0 && whom !== 'all') {
      throw new ManagerError('org.freedesktop.DBus.Error.InvalidArgs', `No ${whom} process to kill`);
    }
    return { signalled };
  }

  async resetFailed(unit?: string): Promise<void> {
    if (unit === undefined) {
      for (const e of this.uniqueEntries()) e.instance.resetFailed();
      return;
    }
    this.entry(unit).instance.resetFailed();
  }

  private withJob(entry: Entry, props: Properties): Properties {
    const job = this.jobs.jobFor(entry.config.id);
    if (job) props.Job = `${job.id} ${job.type}`;
    return props;
  }

  async unitProperties(units: string[]): Promise<Properties[]> {
    return units.map((u) => {
      const entry = this.entry(u);
      return this.withJob(entry, entry.instance.properties());
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
      DefaultTimeoutStartUSec: 90_000_000,
      DefaultTimeoutStopUSec: 90_000_000,
      DefaultTimeoutAbortUSec: 90_000_000,
      DefaultRestartUSec: 100_000,
      DefaultStartLimitIntervalUSec: 10_000_000,
      DefaultStartLimitBurst: 5,
    };
  }

  async listUnits(options: { all: boolean }): Promise<UnitListEntry[]> {
    const out: UnitListEntry[] = [];
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
    const entry = this.entry(unit);
    return entry.instance.pids().map((pid) => ({ pid, command: readCommandLine(pid), ppid: readProcess(pid)?.ppid ?? 0 }));
  }

  async unitLog(unit: string, lines: number): Promise<LogLine[]> {
    return this.logSink.tail(normalizeUnitName(unit), lines);
  }

  async daemonReload(): Promise<void> {
    this.source.reload();
    this.log.info('Reloading.');
    for (const [name, entry] of this.units) {
      if (name !== entry.config.id) continue;
      let config: LoadedUnit;
      try {
        config = this.source.load(name);
      } catch {
        continue;
      }
      const active = entry.instance.activeState !== 'inactive' || this.jobs.jobFor(name);
      if (!active && config.loadState !== entry.config.loadState) {
        // Inactive units are simply loaded afresh.
        this.units.delete(name);
        continue;
      }
      entry.config = config;
      entry.instance.reload(config);
    }
  }

  async shutdown(kind: 'poweroff' | 'halt' | 'reboot' | 'exit', exitCode?: number): Promise<void> {
    this.log.info({ kind }, 'shutdown requested');
    setImmediate(() => this.onExitRequest(kind === 'exit' ? (exitCode ?? 0) : 0));
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

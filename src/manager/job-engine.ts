// The job engine (systemd's job.c + manager_add_job): installs transactions,
// runs each job once nothing it is ordered after is still queued (stops first,
// in reverse order), and finishes jobs from unit state changes the way
// unit_notify() does. Reactions to state changes that belong to dependencies
// live here too: BindsTo= stops, Upholds= restarts, StopWhenUnneeded=,
// OnFailure=/OnSuccess=.

import { ManagerError, type JobListEntry, type JobMode, type JobResult, type JobType } from '../control/api.js';
import { DependencyGraph, type DependencyKind } from './dependency-graph.js';
import { Job, isActiveLike, mergeKinds, requestKind, stopsFirst, type JobKind, type RequestKind } from './job.js';
import { isDown } from './states.js';
import { Transaction, type TransactionUnit } from './transaction.js';
import type { StartTrigger, StateChange, UnitInstance, LoadedUnit } from './unit-type.js';

export { Job } from './job.js';

/** What the engine needs from the registry. */
export interface JobUnits {
  /** Load (or fetch) a unit by name; always returns an entry, possibly not-found. */
  get(name: string): { config: LoadedUnit; instance: UnitInstance };
  /** Every loaded unit, once each. */
  all(): LoadedUnit[];
  /** Edges units declare at run time (GraphUnits.runtimeEdges). */
  runtimeEdges?(id: string): readonly { kind: DependencyKind; to: string }[];
  /** Skipped units (skip-list.ts): their jobs are instant and take no part in ordering. */
  isInert?(unit: string): boolean;
  /** The error boundary (UnitHost.deliver); without it a throw propagates. */
  deliver?(unit: string, event: 'job', fn: () => void): void;
  /** Condition*= and Assert*= right before a start runs (logs what failed). */
  checkStart?(unit: string): 'ok' | 'condition' | 'assert';
}

/** Console/journal lines about jobs (job_emit_start_message / job_emit_done_message). */
export interface JobMessages {
  starting(unit: string, type: 'start' | 'stop' | 'reload'): void;
  finished(unit: string, type: 'start' | 'stop' | 'reload', result: JobResult): void;
  /** A unit-prefixed warning (ordering cycles, BindsTo stops). */
  warn?(unit: string, message: string): void;
  info?(unit: string, message: string): void;
  /** The unit has no job any more (whatever the result, announced or not). */
  ended?(unit: string): void;
}

export interface EnqueueOptions {
  mode?: JobMode;
  /** What asked for the start (Restart=, a trigger unit); default a plain job. */
  trigger?: StartTrigger;
}

const ONLY_BY_DEPENDENCY = 'org.freedesktop.systemd1.OnlyByDependency';

export class JobEngine {
  private nextId = 1;
  private readonly jobs = new Map<string, Job>();
  readonly graph: DependencyGraph;
  private dispatchQueued = false;
  /** Set while the manager shuts down: no Upholds=/OnSuccess= starts. */
  shuttingDown = false;
  private idleWaiters: (() => void)[] = [];
  /** Units whose Type=idle ExecStart= waits for the other jobs (systemd's idle pipe). */
  private readonly idleStartWaiters = new Map<string, () => void>();

  constructor(
    private readonly units: JobUnits,
    private readonly messages: JobMessages,
  ) {
    this.graph = new DependencyGraph({ all: () => units.all(), resolve: (name) => units.get(name).config, runtimeEdges: (id) => units.runtimeEdges?.(id) ?? [] });
  }

  /** daemon-reexec: job ids go on from where the previous program stopped. */
  get nextJobId(): number {
    return this.nextId;
  }

  continueJobIds(next: number): void {
    this.nextId = Math.max(this.nextId, next);
  }

  list(): JobListEntry[] {
    return [...this.jobs.values()]
      .sort((a, b) => a.id - b.id)
      .map((j) => ({ id: j.id, unit: j.unit, type: j.type, state: j.state === 'running' ? 'running' : 'waiting' }));
  }

  jobFor(unit: string): Job | undefined {
    return this.jobs.get(unit);
  }

  get size(): number {
    return this.jobs.size;
  }

  /** Resolves the next time the queue is empty. */
  whenIdle(): Promise<void> {
    if (this.jobs.size === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  /**
   * Type=idle: resolves once every job is either a unit's waiting like this one or blocked by
   * ordering: nothing else is in progress, so idle services, and units ordered after them,
   * never hold each other up. cancel() withdraws the wait.
   */
  whenOthersDone(unit: string): { done: Promise<void>; cancel(): void } {
    const done = new Promise<void>((resolve) => this.idleStartWaiters.set(unit, resolve));
    this.scheduleDispatch(); // a full pass first, so no runnable job is mistaken for a blocked one
    return { done, cancel: () => void this.idleStartWaiters.delete(unit) };
  }

  cancel(id: number): boolean {
    for (const job of this.jobs.values()) {
      if (job.id === id) {
        this.finish(job, 'canceled');
        return true;
      }
    }
    return false;
  }

  /** Units were reloaded: the graph must be rebuilt. */
  invalidateGraph(): void {
    this.graph.invalidate();
    // Edges may have gone: any waiting job may be runnable now.
    if (this.jobs.size > 0) this.scheduleDispatch();
  }

  /** A unit was loaded: its edges join the graph. */
  unitAdded(config: LoadedUnit): void {
    this.graph.unitAdded(config);
  }

  /** A unit was collected, or its run-time edges changed: its edges go or are redone. */
  unitRemoved(id: string): void {
    this.graph.unitRemoved(id);
    if (this.jobs.size > 0) this.scheduleDispatch();
  }

  unitChanged(config: LoadedUnit): void {
    this.graph.unitChanged(config);
    if (this.jobs.size > 0) this.scheduleDispatch();
  }

  /** Some of the edges `config` declares at run time came or went (DependencyGraph.runtimeEdgesChanged). */
  runtimeEdgesChanged(config: LoadedUnit, edges: readonly { kind: DependencyKind; to: string }[], delta: 1 | -1): void {
    this.graph.runtimeEdgesChanged(config, edges, delta);
    if (this.jobs.size > 0) this.scheduleDispatch();
  }

  private txUnit(name: string): TransactionUnit {
    const { config, instance } = this.units.get(name);
    return { config, activeState: instance.activeState, canReload: instance.canReload() };
  }

  /** Check RefuseManualStart=/RefuseManualStop= for a request from a client. */
  checkManual(unitName: string, type: JobType): void {
    const { config } = this.units.get(unitName);
    const starts = type !== 'stop';
    const stops = type === 'stop' || type === 'restart' || type === 'try-restart' || type === 'reload-or-restart';
    if ((starts && config.unit.refuseManualStart) || (stops && type === 'stop' && config.unit.refuseManualStop)) {
      throw new ManagerError(
        ONLY_BY_DEPENDENCY,
        `Operation refused, unit ${config.id} may be requested by dependency only (it is configured to refuse manual ${starts ? 'start' : 'stop'}).`,
      );
    }
  }

  /** Build, check and install a transaction for one request; returns the anchor job. */
  enqueue(unitName: string, type: JobType, options: EnqueueOptions = {}): Job {
    const { config, instance } = this.units.get(unitName);
    if (type === 'stop' && config.loadState !== 'loaded' && isDown(instance.activeState) && !this.jobs.has(config.id)) {
      throw new ManagerError('org.freedesktop.systemd1.NoSuchUnit', `Unit ${config.id} not loaded.`);
    }
    if (options.trigger?.kind === 'auto-restart') {
      // RestartSec= elapsed while a start job is already running for the unit: that job takes the restart.
      const existing = this.jobs.get(config.id);
      if (existing && existing.state === 'running' && existing.kind === 'start') {
        existing.trigger = options.trigger;
        this.runStart(existing);
        return existing;
      }
    }
    const mode = options.mode ?? 'replace';
    if (mode === 'isolate' && !config.unit.allowIsolate) {
      throw new ManagerError('org.freedesktop.systemd1.NoIsolation', 'Operation refused, unit may not be isolated.');
    }
    const kind = requestKind(type, instance.canReload());
    const jobs = this.install([{ unit: config.id, kind }], mode, options.trigger);
    const anchor = jobs.get(config.id);
    if (anchor) return anchor;
    // Nothing to do (try-restart of an inactive unit, ...): a job that is done at once.
    const nop = new Job(this.nextId++, config.id, 'nop');
    nop.settle('done');
    return nop;
  }

  /** One transaction with several anchors (the shutdown transaction). */
  /** `matters: false`: a job pulled in as a ConflictedBy stop would be, which may be deleted to break an ordering cycle. */
  enqueueMany(requests: { unit: string; kind: RequestKind; matters?: boolean }[], mode: JobMode): Job[] {
    return [...this.install(requests, mode).values()];
  }

  private install(requests: { unit: string; kind: RequestKind; matters?: boolean }[], mode: JobMode, trigger?: StartTrigger): Map<string, Job> {
    const tx = new Transaction(
      {
        unit: (name) => this.txUnit(name),
        graph: this.graph,
        installedKind: (id) => this.jobs.get(id)?.kind,
        activeUnits: () => this.units.all().filter((c) => !isDown(this.units.get(c.id).instance.activeState)).map((c) => c.id),
        warn: (unit, message) => this.messages.warn?.(unit, message),
        isInert: (id) => this.units.isInert?.(id) ?? false,
      },
      mode,
    );
    for (const r of requests) tx.add(r.unit, r.kind, r.matters ?? true, r.matters ?? true);
    if (mode === 'isolate') tx.addIsolateStops();
    tx.dropRedundant();
    tx.breakOrderingCycles();
    // Conflicts with what is queued already: `fail` refuses, irreversible jobs refuse everyone.
    for (const j of tx.jobs.values()) {
      const installed = this.jobs.get(j.unit);
      if (!installed) continue;
      const state = this.units.get(j.unit).instance.activeState;
      if (mergeKinds(installed.kind, j.kind, state) !== undefined) continue;
      if (mode === 'fail' || installed.irreversible) {
        throw new ManagerError(
          'org.freedesktop.systemd1.TransactionIsDestructive',
          `Transaction for ${tx.anchor?.unit ?? j.unit}/${tx.anchor?.kind ?? j.kind} is destructive (${j.unit} has '${installed.type}' job queued, but '${j.kind}' is included in transaction).`,
        );
      }
    }
    if (mode === 'isolate' || mode === 'flush') {
      for (const job of [...this.jobs.values()]) if (!tx.jobs.has(job.unit)) this.finish(job, 'canceled');
    }
    const out = new Map<string, Job>();
    for (const t of tx.jobs.values()) {
      const state = this.units.get(t.unit).instance.activeState;
      let job = this.jobs.get(t.unit);
      if (job) {
        const merged = mergeKinds(job.kind, t.kind, state);
        if (merged !== undefined && (job.state === 'waiting' || merged === job.kind)) {
          job.kind = merged;
        } else {
          this.finish(job, 'canceled');
          job = undefined;
        }
      }
      if (!job) {
        job = new Job(this.nextId++, t.unit, t.kind);
        this.jobs.set(t.unit, job);
      }
      if (mode === 'replace-irreversibly') job.irreversible = true;
      if (mode === 'ignore-dependencies' || this.units.isInert?.(t.unit)) job.ignoreOrder = true;
      if (trigger && t.anchor) job.trigger = trigger;
      out.set(t.unit, job);
    }
    this.scheduleDispatch();
    return out;
  }

  // ---------------------------------------------------------------- running

  /**
   * Units whose waiting jobs may have become runnable since the last dispatch: those
   * ordered against a job that finished or changed kind. 'all' after a new transaction or a
   * graph change. Re-checking every waiting job whenever any job finished made a boot of
   * N chained units O(N²) (2,000 units: millions of ordering questions).
   */
  private candidates: Set<string> | 'all' = new Set();

  private scheduleDispatch(units?: Iterable<string>): void {
    if (units === undefined) this.candidates = 'all';
    else if (this.candidates !== 'all') for (const u of units) this.candidates.add(u);
    if (this.dispatchQueued) return;
    this.dispatchQueued = true;
    queueMicrotask(() => {
      this.dispatchQueued = false;
      this.dispatch();
    });
  }

  /** Run every waiting job whose ordering allows it (job_is_runnable). */
  private dispatch(): void {
    // Each round runs what became runnable in the round before; a job runs once, so this ends.
    while (this.candidates === 'all' || this.candidates.size > 0) {
      const which = this.candidates;
      this.candidates = new Set();
      const jobs = which === 'all' ? [...this.jobs.values()] : [...which].flatMap((u) => this.jobs.get(u) ?? []);
      for (const job of jobs.sort((a, b) => a.id - b.id)) {
        if (job.state !== 'waiting' || !this.runnable(job)) continue;
        if (this.units.deliver) this.units.deliver(job.unit, 'job', () => this.run(job));
        else this.run(job);
      }
    }
    this.checkIdle();
  }

  private runnable(job: Job): boolean {
    if (job.ignoreOrder) return true;
    for (const other of this.graph.related(job.unit, 'after')) {
      const o = this.jobs.get(other);
      if (o && o !== job && !o.ignoreOrder && !stopsFirst(job.kind)) return false;
    }
    for (const other of this.graph.related(job.unit, 'before')) {
      const o = this.jobs.get(other);
      if (o && o !== job && !o.ignoreOrder && stopsFirst(o.kind)) return false;
    }
    return true;
  }

  /** A handler of `unit` threw (the error boundary): its job ends `failed`. */
  failJob(unit: string): void {
    const job = this.jobs.get(unit);
    if (job) this.finish(job, 'failed');
  }

  private run(job: Job): void {
    job.state = 'running';
    const { instance } = this.units.get(job.unit);
    const active = instance.activeState;
    switch (job.kind) {
      case 'nop':
        return this.finish(job, 'done');
      case 'start':
        return this.runStart(job);
      case 'stop':
      case 'restart':
        return this.runStop(job);
      case 'reload':
        return this.runReload(job);
      case 'verify-active':
        if (isActiveLike(active)) return this.finish(job, 'done');
        if (active === 'activating') return; // finished by the state change
        return this.finish(job, 'skipped');
    }
  }

  private runStart(job: Job): void {
    const automatic = job.trigger.kind === 'auto-restart';
    const entry = this.units.get(job.unit);
    const instance = entry.instance;
    const wasDown = isDown(instance.activeState) || willAutoRestart(instance);
    job.state = 'running';
    job.retryStartWhenDown = false;
    if (isDown(instance.activeState) && !automatic && this.units.checkStart) {
      const verdict = this.units.checkStart(job.unit);
      if (verdict === 'condition') return this.finish(job, 'done', false);
      if (verdict === 'assert') return this.finish(job, 'assert');
    }
    if (wasDown) this.messages.starting(job.unit, 'start');
    const outcome = instance.start(job.trigger);
    if (job.state !== 'running' || this.jobs.get(job.unit) !== job) return; // finished synchronously through stateChanged
    switch (outcome) {
      case 'already':
        if (isActiveLike(instance.activeState)) this.finish(job, 'done');
        return;
      case 'wait':
        job.retryStartWhenDown = true;
        return;
      case 'failed':
        this.finish(job, 'failed');
        return;
      case 'started':
        if (isActiveLike(instance.activeState)) this.finish(job, 'done');
        return;
    }
  }

  private runStop(job: Job): void {
    const { instance } = this.units.get(job.unit);
    const wasUp = !isDown(instance.activeState);
    // "Stopped X." is said for any unit that was up (an auto-restart too), "Stopping X..." only for a real stop.
    job.announcedStop = wasUp;
    if (wasUp && !willAutoRestart(instance)) this.messages.starting(job.unit, 'stop');
    const outcome = instance.stop({ forRestart: job.kind === 'restart' });
    if (job.state !== 'running' || this.jobs.get(job.unit) !== job) return;
    if (outcome === 'already' || isDown(instance.activeState)) this.stopDone(job);
  }

  private stopDone(job: Job): void {
    if (job.announcedStop) this.messages.finished(job.unit, 'stop', 'done');
    job.announcedStop = false;
    if (job.kind === 'stop') {
      this.finish(job, 'done', false);
      return;
    }
    // The start half of a restart: a start job now, ordered like one.
    job.kind = 'start';
    job.state = 'waiting';
    this.scheduleDispatch([job.unit, ...this.orderedAgainst(job.unit)]);
  }

  private runReload(job: Job): void {
    const { instance } = this.units.get(job.unit);
    if (isDown(instance.activeState)) return this.finish(job, 'invalid', false);
    this.messages.starting(job.unit, 'reload');
    const outcome = instance.reloadUnit();
    if (job.state !== 'running' || this.jobs.get(job.unit) !== job) return;
    if (outcome === 'failed') this.finish(job, 'failed');
    // 'wait': the unit is still starting or reloading; try again once it is active.
    job.retryReloadWhenActive = outcome === 'wait';
  }

  // ---------------------------------------------------------------- unit_notify

  /** A unit changed state: finish or advance its job, then react along the dependencies. */
  stateChanged(unit: string, change: StateChange): void {
    const job = this.jobs.get(unit);
    if (job && job.state === 'running') this.advance(job, change);
    this.react(unit, change);
    this.scheduleDispatch([unit]);
  }

  private advance(job: Job, change: StateChange): void {
    switch (job.kind) {
      case 'start':
        if (isActiveLike(change.to)) this.finish(job, 'done');
        else if (change.willAutoRestart) this.finish(job, 'failed');
        else if (isDown(change.to)) {
          if (job.retryStartWhenDown) this.runStart(job);
          // unit_notify(): a start that ends inactive (oneshot, condition skip) is done, one that ends failed is not.
          else this.finish(job, change.to === 'failed' ? 'failed' : 'done');
        }
        return;
      case 'verify-active':
        if (isActiveLike(change.to)) this.finish(job, 'done');
        else if (isDown(change.to)) this.finish(job, 'skipped');
        return;
      case 'stop':
      case 'restart':
        if (isDown(change.to)) this.stopDone(job);
        return;
      case 'reload':
        if (job.retryReloadWhenActive && change.to === 'active') this.runReload(job);
        else if (change.reloadResult) this.finish(job, change.reloadResult);
        else if (isDown(change.to)) this.finish(job, 'failed');
        return;
      default:
        return;
    }
  }

  private finish(first: Job, firstResult: JobResult, announce = true): void {
    // job_fail_dependencies() cascades along Requires= chains that may be thousands deep:
    // a worklist, not recursion, so the JS stack cannot overflow (depth-first, as before).
    const todo: [Job, JobResult][] = [[first, firstResult]];
    while (todo.length > 0) {
      const [job, result] = todo.pop()!;
      if (job.state === 'done') continue;
      const kind = job.kind;
      if (this.jobs.get(job.unit) === job) this.jobs.delete(job.unit);
      if (announce || job !== first) {
        if (kind === 'start') this.messages.finished(job.unit, 'start', result);
        else if (kind === 'reload') this.messages.finished(job.unit, 'reload', result);
        else if ((kind === 'stop' || kind === 'restart') && job.announcedStop) this.messages.finished(job.unit, 'stop', result);
      }
      job.settle(result);
      this.messages.ended?.(job.unit);
      // job_fail_dependencies(): a start that did not succeed fails the queued starts of what requires it.
      if (result !== 'done' && (kind === 'start' || kind === 'verify-active')) {
        const failing: Job[] = [];
        for (const dep of this.graph.related(job.unit, 'propagate-start-failure')) {
          const other = this.jobs.get(dep);
          if (other && (other.kind === 'start' || other.kind === 'verify-active')) failing.push(other);
        }
        for (let i = failing.length - 1; i >= 0; i--) todo.push([failing[i], 'dependency']);
      }
      this.scheduleDispatch(this.orderedAgainst(job.unit));
    }
  }

  /** Units ordered before or after `unit`: the only jobs a change of its job can unblock. */
  private orderedAgainst(unit: string): string[] {
    return [...this.graph.related(unit, 'before'), ...this.graph.related(unit, 'after')];
  }

  private checkIdle(): void {
    // A runnable waiting job is as busy as a running one: its run may be queued (units.deliver).
    const quiet = (j: Job): boolean => this.idleStartWaiters.has(j.unit) || (j.state === 'waiting' && !this.runnable(j));
    if (this.idleStartWaiters.size > 0 && [...this.jobs.values()].every(quiet)) {
      const waiting = [...this.idleStartWaiters.values()];
      this.idleStartWaiters.clear();
      for (const w of waiting) w();
    }
    if (this.jobs.size > 0 || this.idleWaiters.length === 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  // ---------------------------------------------------------------- dependency reactions

  private later(fn: () => void): void {
    queueMicrotask(() => {
      try {
        fn();
      } catch (err) {
        this.messages.warn?.('unitd', `dependency reaction failed: ${(err as Error).message}`);
      }
    });
  }

  private tryEnqueue(unit: string, type: JobType, mode: JobMode = 'replace'): void {
    try {
      this.enqueue(unit, type, { mode });
    } catch (err) {
      this.messages.warn?.(unit, `Failed to enqueue ${type} job: ${(err as Error).message}`);
    }
  }

  private react(unit: string, change: StateChange): void {
    const wentDown = isDown(change.to) && !isDown(change.from);
    const cameUp = isActiveLike(change.to) && !isActiveLike(change.from);
    if (wentDown) {
      // BindsTo=: whatever is bound to a unit that went down goes down too.
      for (const bound of this.graph.related(unit, 'retroactive-stop-on-stop')) this.stopIfBoundToInactive(bound, unit);
      if (!this.shuttingDown) {
        // Upholds=: a unit kept up by an active one is started again.
        for (const holder of this.graph.related(unit, 'restart-when-upheld-by')) {
          if (isActiveLike(this.units.get(holder).instance.activeState)) {
            this.later(() => {
              if (!this.jobs.has(unit) && isDown(this.units.get(unit).instance.activeState)) this.tryEnqueue(unit, 'start');
            });
          }
        }
        // StopWhenUnneeded=: what this unit pulled in may now be unneeded.
        for (const dep of this.graph.related(unit, 'add-stop-when-unneeded-queue')) this.later(() => this.stopIfUnneeded(dep));
      }
      if (change.to === 'failed' && change.from !== 'failed') this.triggerOn(unit, 'onFailure');
      else if (change.to === 'inactive' && !change.willAutoRestart) this.triggerOn(unit, 'onSuccess');
    }
    if (cameUp) {
      // unit_check_binds_to(): a unit bound to one that is down (and not about to start) stops.
      for (const target of this.graph.related(unit, 'cannot-be-active-without')) {
        const t = this.units.get(target);
        if (isDown(t.instance.activeState) && !this.jobs.has(t.config.id)) {
          this.stopIfBoundToInactive(unit, target);
          break;
        }
      }
    }
  }

  private stopIfBoundToInactive(bound: string, target: string): void {
    const b = this.units.get(bound);
    if (isDown(b.instance.activeState) || b.instance.activeState === 'deactivating') return;
    const existing = this.jobs.get(bound);
    if (existing && existing.kind === 'stop') return;
    this.messages.info?.(bound, `Unit ${bound} is bound to inactive unit ${target}. Stopping, too.`);
    this.later(() => this.tryEnqueue(bound, 'stop'));
  }

  private stopIfUnneeded(id: string): void {
    const u = this.units.get(id);
    if (!u.config.unit.stopWhenUnneeded || this.jobs.has(id) || isDown(u.instance.activeState)) return;
    for (const user of this.graph.related(id, 'pins-stop-when-unneeded')) {
      const state = this.units.get(user).instance.activeState;
      const job = this.jobs.get(user);
      if (!isDown(state) || (job && !stopsFirst(job.kind))) return;
    }
    this.messages.info?.(id, 'Unit not needed anymore. Stopping.');
    this.tryEnqueue(id, 'stop');
  }

  private triggerOn(unit: string, kind: 'onFailure' | 'onSuccess'): void {
    if (this.shuttingDown) return;
    const targets = this.graph.related(unit, kind === 'onFailure' ? 'on-failure' : 'on-success');
    if (targets.length === 0) return;
    const config = this.units.get(unit).config;
    const mode: JobMode = kind === 'onFailure' ? config.unit.onFailureJobMode : config.unit.onSuccessJobMode;
    this.messages.info?.(unit, `Triggering ${kind === 'onFailure' ? 'OnFailure' : 'OnSuccess'}= dependencies.`);
    for (const t of targets) this.later(() => this.tryEnqueue(t, 'start', mode));
  }
}

export type { JobKind };

/** systemd's unit_will_restart(): a unit waiting for RestartSec= counts as down, and its stop is silent. */
function willAutoRestart(instance: UnitInstance): boolean {
  return instance.willAutoRestart?.() ?? false;
}

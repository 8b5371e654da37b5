// The job engine (systemd's job.c, minimal): one job per unit, run to completion,
// finished by the unit's state changes the way unit_notify() finishes jobs.
// Dependencies are cheap here: a start job pulls in start jobs for Requires=/
// Wants=/BindsTo= and waits for those it is ordered After=. Transactions (merging,
// conflicts, cycles, isolate) belong to a later layer behind enqueue().

import { ManagerError, type JobListEntry, type JobResult, type JobType } from '../control/api.js';
import type { ActiveState } from './states.js';
import type { StateChange, UnitInstance, LoadedUnit } from './unit-type.js';

/** What the engine needs from the registry. */
export interface JobUnits {
  /** Load (or fetch) a unit by name; always returns an entry, possibly not-found. */
  get(name: string): { config: LoadedUnit; instance: UnitInstance; automaticStart?: () => ReturnType<UnitInstance['start']> };
}

/** Console/journal lines about jobs (job_emit_start_message / job_emit_done_message). */
export interface JobMessages {
  starting(unit: string, type: 'start' | 'stop' | 'reload'): void;
  finished(unit: string, type: 'start' | 'stop' | 'reload', result: JobResult): void;
}

type Phase = 'pending' | 'start' | 'stop' | 'reload' | 'done';

export interface Job {
  id: number;
  unit: string;
  type: JobType;
  phase: Phase;
  automatic: boolean;
  /** The start must be re-tried once the unit is fully down (it was deactivating). */
  retryStartWhenDown: boolean;
  retryReloadWhenActive?: boolean;
  /** Jobs this one waits for (ordering), and whether a failure of each fails us. */
  waitsFor: { job: Job; required: boolean }[];
  result?: JobResult;
  readonly done: Promise<JobResult>;
  resolve(result: JobResult): void;
}

const isActiveLike = (s: ActiveState) => s === 'active' || s === 'reloading';
const isDown = (s: ActiveState) => s === 'inactive' || s === 'failed';

export class JobEngine {
  private nextId = 1;
  private readonly jobs = new Map<string, Job>();

  constructor(
    private readonly units: JobUnits,
    private readonly messages: JobMessages,
  ) {}

  list(): JobListEntry[] {
    return [...this.jobs.values()].map((j) => ({
      id: j.id,
      unit: j.unit,
      type: j.type,
      state: j.phase === 'pending' ? 'waiting' : 'running',
    }));
  }

  jobFor(unit: string): Job | undefined {
    return this.jobs.get(unit);
  }

  cancel(id: number): void {
    for (const job of this.jobs.values()) if (job.id === id) this.finish(job, 'canceled');
  }

  /** Validate and install a job for a unit; returns the job (an equal pending one is shared). */
  enqueue(unitName: string, type: JobType, options: { automatic?: boolean } = {}): Job {
    const { config, instance } = this.units.get(unitName);
    const id = config.id;
    this.checkLoadable(config, type);
    if (type === 'reload' && !instance.canReload()) {
      throw new ManagerError('org.freedesktop.systemd1.JobTypeNotApplicable', `Job type reload is not applicable for unit ${id}.`);
    }
    if (type === 'reload' && isDown(instance.activeState)) {
      throw new ManagerError('org.freedesktop.systemd1.UnitInactive', `Unit ${id} is not active.`);
    }
    const existing = this.jobs.get(id);
    if (existing) {
      if (existing.type === type) return existing;
      if (options.automatic && (existing.type === 'start' || existing.type === 'restart') && existing.phase === 'start') {
        // An automatic restart while a start job waits on the unit: that job takes the restart.
        this.runStart(existing, true);
        return existing;
      }
      this.finish(existing, 'canceled');
    }
    const job = this.createJob(id, type, options.automatic ?? false);
    this.jobs.set(id, job);
    if (type === 'start' || type === 'restart' || type === 'reload-or-restart') this.pullInDependencies(job, config);
    this.maybeRun(job);
    return job;
  }

  private checkLoadable(config: LoadedUnit, type: JobType): void {
    if (type === 'stop' || config.loadState === 'loaded') return;
    const tryType = type === 'try-restart' || type === 'try-reload-or-restart';
    if (tryType && config.loadState === 'not-found') return;
    switch (config.loadState) {
      case 'not-found':
        throw new ManagerError('org.freedesktop.systemd1.NoSuchUnit', `Unit ${config.id} not found.`);
      case 'masked':
        throw new ManagerError('org.freedesktop.systemd1.UnitMasked', `Unit ${config.id} is masked.`);
      case 'bad-setting':
        throw new ManagerError('org.freedesktop.systemd1.BadUnitSetting', `Unit ${config.id} has a bad unit file setting.`);
      default:
        throw new ManagerError('org.freedesktop.systemd1.LoadFailed', `Unit ${config.id} failed to load properly, please adjust/correct and reload service manager.`);
    }
  }

  private createJob(unit: string, type: JobType, automatic: boolean): Job {
    let resolve!: (r: JobResult) => void;
    const done = new Promise<JobResult>((r) => (resolve = r));
    return { id: this.nextId++, unit, type, phase: 'pending', automatic, retryStartWhenDown: false, waitsFor: [], done, resolve };
  }

  /** Requires=/BindsTo= (required) and Wants= (optional) get start jobs; we wait for those we are After=. */
  private pullInDependencies(job: Job, config: LoadedUnit): void {
    const u = config.unit;
    const deps: { name: string; required: boolean }[] = [
      ...u.requires.map((name) => ({ name, required: true })),
      ...u.bindsTo.map((name) => ({ name, required: true })),
      ...u.wants.map((name) => ({ name, required: false })),
    ];
    for (const dep of deps) {
      if (dep.name === config.id) continue;
      const target = this.units.get(dep.name);
      if (target.config.loadState !== 'loaded') {
        if (dep.required) {
          this.jobs.delete(job.unit);
          throw new ManagerError('org.freedesktop.systemd1.NoSuchUnit', `Unit ${dep.name} not found.`);
        }
        continue;
      }
      if (isActiveLike(target.instance.activeState) && !this.jobs.has(target.config.id)) continue;
      let depJob: Job;
      try {
        depJob = this.jobs.get(target.config.id) ?? this.enqueue(target.config.id, 'start');
      } catch (err) {
        if (dep.required) throw err;
        continue;
      }
      const ordered = u.after.includes(target.config.id) || target.config.unit.before.includes(config.id);
      if (ordered) {
        // A cycle would leave both jobs waiting forever: drop the edge (the transaction layer will do better).
        if (this.waitsOn(depJob, job)) continue;
        job.waitsFor.push({ job: depJob, required: dep.required });
      }
    }
  }

  /** Does `job` wait, directly or not, for `other`? */
  private waitsOn(job: Job, other: Job, seen = new Set<Job>()): boolean {
    if (job === other) return true;
    if (seen.has(job)) return false;
    seen.add(job);
    return job.waitsFor.some((w) => this.waitsOn(w.job, other, seen));
  }

  private maybeRun(job: Job): void {
    if (job.phase !== 'pending') return;
    for (const w of job.waitsFor) {
      if (w.job.phase !== 'done') {
        void w.job.done.then(() => this.maybeRun(job));
        return;
      }
    }
    if (job.waitsFor.some((w) => w.required && w.job.result !== 'done')) {
      this.finish(job, 'dependency');
      return;
    }
    this.run(job);
  }

  private run(job: Job): void {
    const { instance } = this.units.get(job.unit);
    const active = instance.activeState;
    switch (job.type) {
      case 'start':
        return this.runStart(job, job.automatic);
      case 'stop':
        return this.runStop(job);
      case 'restart':
        return this.runStop(job);
      case 'try-restart':
        return isDown(active) ? this.finish(job, 'done') : this.runStop(job);
      case 'reload':
        return this.runReload(job);
      case 'reload-or-restart':
        if (instance.canReload() && isActiveLike(active)) return this.runReload(job);
        return isDown(active) ? this.runStart(job, false) : this.runStop(job);
      case 'try-reload-or-restart':
        if (isDown(active)) return this.finish(job, 'done');
        return instance.canReload() ? this.runReload(job) : this.runStop(job);
      case 'verify-active':
        return this.finish(job, isActiveLike(active) ? 'done' : 'failed');
    }
  }

  private runStart(job: Job, automatic: boolean): void {
    const entry = this.units.get(job.unit);
    const wasDown = isDown(entry.instance.activeState) || entry.instance.subState === 'auto-restart';
    job.phase = 'start';
    job.retryStartWhenDown = false;
    if (wasDown) this.messages.starting(job.unit, 'start');
    const outcome = automatic && entry.automaticStart ? entry.automaticStart() : entry.instance.start();
    if (job.phase !== 'start') return; // finished synchronously through stateChanged
    switch (outcome) {
      case 'already':
        if (isActiveLike(entry.instance.activeState)) this.finish(job, 'done');
        return;
      case 'wait':
        job.retryStartWhenDown = true;
        return;
      case 'failed':
        this.finish(job, 'failed');
        return;
      case 'started':
        if (isActiveLike(entry.instance.activeState)) this.finish(job, 'done');
        return;
    }
  }

  private runStop(job: Job): void {
    const { instance } = this.units.get(job.unit);
    job.phase = 'stop';
    const wasUp = !isDown(instance.activeState);
    if (wasUp && instance.subState !== 'auto-restart') this.messages.starting(job.unit, 'stop');
    const outcome = instance.stop({ forRestart: job.type !== 'stop' });
    if (job.phase !== 'stop') return;
    if (outcome === 'already' || isDown(instance.activeState)) this.stopDone(job, wasUp);
  }

  private stopDone(job: Job, announce: boolean): void {
    if (announce) this.messages.finished(job.unit, 'stop', 'done');
    if (job.type === 'stop') this.finish(job, 'done', false);
    else this.runStart(job, job.automatic); // the start half of restart/try-restart/reload-or-restart
  }

  private runReload(job: Job): void {
    const { instance } = this.units.get(job.unit);
    job.phase = 'reload';
    this.messages.starting(job.unit, 'reload');
    const outcome = instance.reloadUnit();
    if (job.phase !== 'reload') return;
    if (outcome === 'failed') this.finish(job, 'failed');
    // 'wait': the unit is still starting or reloading; try again once it is active.
    job.retryReloadWhenActive = outcome === 'wait';
  }

  /** unit_notify(): a unit changed state; finish or advance its job. */
  stateChanged(unit: string, change: StateChange): void {
    const job = this.jobs.get(unit);
    if (!job) return;
    switch (job.phase) {
      case 'start':
        if (isActiveLike(change.to)) this.finish(job, 'done');
        else if (change.willAutoRestart) this.finish(job, 'failed');
        else if (isDown(change.to)) {
          if (job.retryStartWhenDown) this.runStart(job, job.automatic);
          // unit_notify(): a start that ends inactive (oneshot, condition skip) is done, one that ends failed is not.
          else this.finish(job, change.to === 'failed' ? 'failed' : 'done');
        }
        return;
      case 'stop':
        if (isDown(change.to)) this.stopDone(job, true);
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

  private finish(job: Job, result: JobResult, announce = true): void {
    if (job.phase === 'done') return;
    const phase = job.phase;
    job.phase = 'done';
    job.result = result;
    if (this.jobs.get(job.unit) === job) this.jobs.delete(job.unit);
    if (announce && (phase === 'start' || phase === 'reload')) this.messages.finished(job.unit, phase, result);
    if (announce && phase === 'pending' && result === 'dependency') this.messages.finished(job.unit, 'start', result);
    job.resolve(result);
  }
}

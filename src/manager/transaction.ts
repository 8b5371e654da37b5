// Building a transaction (systemd's transaction.c): from one request, the set
// of jobs the dependency graph asks for, checked before anything is installed.
//   start   → start for Requires/BindsTo (mandatory), Wants/Upholds (optional),
//             verify-active for Requisite, stop for Conflicts (mandatory) and
//             ConflictedBy (optional: deletable to break an ordering cycle)
//   stop    → stop for what Requires/BindsTo/Requisite/PartOf it, PropagatesStopTo
//   restart → try-restart along the same reverse edges, plus start's pull-ins
//   reload  → try-reload for PropagatesReloadTo / ReloadPropagatedFrom
// Jobs that are already satisfied are dropped; ordering cycles are broken by
// deleting a job that does not matter to the anchor, as systemd logs it.

import { ManagerError, type JobMode } from '../control/api.js';
import type { DependencyGraph } from './dependency-graph.js';
import { collapse, isActiveLike, mergeKinds, stopsFirst, type JobKind, type RequestKind } from './job.js';
import { isDown, type ActiveState } from './states.js';
import type { LoadedUnit } from './unit-type.js';

export interface TransactionUnit {
  config: LoadedUnit;
  activeState: ActiveState;
  canReload: boolean;
}

export interface TransactionContext {
  unit(name: string): TransactionUnit;
  graph: DependencyGraph;
  /** The kind of the job installed for a unit, if any. */
  installedKind(id: string): JobKind | undefined;
  /** Units that are up (for isolate). */
  activeUnits(): string[];
  /** Units whose jobs take no time and need no ordering (the skip list). */
  isInert?(id: string): boolean;
  warn(unit: string, message: string): void;
}

export interface TxJob {
  unit: string;
  kind: JobKind;
  /** Mandatory for the anchor: a failure to add it fails the request; never deleted for a cycle. */
  matters: boolean;
  anchor: boolean;
}

const TRANSACTION_ORDER_IS_CYCLIC = 'org.freedesktop.systemd1.TransactionOrderIsCyclic';

export function loadError(config: LoadedUnit): ManagerError {
  switch (config.loadState) {
    case 'not-found':
      return new ManagerError('org.freedesktop.systemd1.NoSuchUnit', `Unit ${config.id} not found.`);
    case 'masked':
      return new ManagerError('org.freedesktop.systemd1.UnitMasked', `Unit ${config.id} is masked.`);
    case 'bad-setting':
      return new ManagerError('org.freedesktop.systemd1.BadUnitSetting', `Unit ${config.id} has a bad unit file setting.`);
    default:
      return new ManagerError(
        config.loadError?.name ?? 'org.freedesktop.systemd1.LoadFailed',
        config.loadError?.message ?? `Unit ${config.id} failed to load properly, please adjust/correct and reload service manager.`,
      );
  }
}

export class Transaction {
  readonly jobs = new Map<string, TxJob>();
  anchor: TxJob | undefined;

  constructor(
    private readonly ctx: TransactionContext,
    readonly mode: JobMode,
  ) {}

  private get ignoreRequirements(): boolean {
    return this.mode === 'ignore-requirements';
  }

  private get ignoreDependencies(): boolean {
    return this.mode === 'ignore-dependencies';
  }

  /** Add a job and (recursively) what it pulls in. Throws for a mandatory job that cannot be added. */
  add(name: string, requested: RequestKind, matters: boolean, isAnchor = false): TxJob | undefined {
    const u = this.ctx.unit(name);
    const id = u.config.id;
    const tryKind = requested === 'try-restart' || requested === 'try-reload';
    if (requested !== 'stop' && u.config.loadState !== 'loaded') {
      if (tryKind && u.config.loadState === 'not-found') return undefined;
      throw loadError(u.config);
    }
    const kind = collapse(requested, u.activeState);
    if (kind === 'reload' && !u.canReload) {
      if (!isAnchor) return undefined;
      throw new ManagerError('org.freedesktop.systemd1.JobTypeNotApplicable', `Job type reload is not applicable for unit ${id}.`);
    }
    if (kind === 'reload' && isDown(u.activeState)) {
      if (!isAnchor) return undefined;
      throw new ManagerError('org.freedesktop.systemd1.UnitInactive', `Unit ${id} is not active.`);
    }
    let job = this.jobs.get(id);
    if (job) {
      const merged = mergeKinds(job.kind, kind, u.activeState);
      if (merged === undefined) {
        if (!matters) return undefined;
        if (job.matters || job.anchor) {
          throw new ManagerError(
            'org.freedesktop.systemd1.TransactionJobsConflicting',
            `Transaction contains conflicting jobs '${job.kind}' and '${kind}' for ${id}. Probably contradicting requirement dependencies configured.`,
          );
        }
        job.kind = kind;
      } else if (merged === job.kind) {
        job.matters ||= matters;
        job.anchor ||= isAnchor;
        return job;
      } else job.kind = merged;
      job.matters ||= matters;
      job.anchor ||= isAnchor;
    } else {
      job = { unit: id, kind, matters, anchor: isAnchor };
      this.jobs.set(id, job);
    }
    if (isAnchor) this.anchor = job;
    if (!this.ignoreDependencies) this.pullIn(job);
    return job;
  }

  private tryAdd(name: string, kind: RequestKind, matters: boolean): void {
    if (!matters) {
      try {
        this.add(name, kind, false);
      } catch {
        /* optional: dropped silently */
      }
      return;
    }
    this.add(name, kind, true);
  }

  private pullIn(job: TxJob): void {
    const g = this.ctx.graph;
    const id = job.unit;
    if (job.kind === 'start' || job.kind === 'restart') {
      if (!this.ignoreRequirements) {
        for (const dep of g.related(id, 'pull-in-start')) this.tryAdd(dep, 'start', job.matters);
        for (const dep of g.related(id, 'pull-in-verify')) this.tryAdd(dep, 'verify-active', job.matters);
        for (const dep of g.related(id, 'pull-in-stop')) this.tryAdd(dep, 'stop', job.matters);
        for (const dep of g.related(id, 'pull-in-stop-ignored')) this.tryAdd(dep, 'stop', false);
      }
      for (const dep of g.related(id, 'pull-in-start-ignored')) this.tryAdd(dep, 'start', false);
    }
    if (job.kind === 'stop') {
      for (const dep of g.related(id, 'propagate-stop')) this.tryAdd(dep, 'stop', job.matters);
    }
    if (job.kind === 'restart') {
      for (const dep of g.related(id, 'propagate-restart')) this.tryAdd(dep, 'try-restart', job.matters);
    }
    if (job.kind === 'reload') {
      for (const dep of g.related(id, 'propagate-reload')) this.tryAdd(dep, 'try-reload', false);
    }
  }

  /** isolate: stop every unit that is up and not part of the transaction (IgnoreOnIsolate= excepted). */
  addIsolateStops(): void {
    for (const id of this.ctx.activeUnits()) {
      if (this.jobs.has(id)) continue;
      if (this.ctx.unit(id).config.unit.ignoreOnIsolate) continue;
      this.tryAdd(id, 'stop', false);
    }
  }

  /** transaction_drop_redundant(): jobs that would change nothing, unless they anchor the request. */
  dropRedundant(): void {
    for (const [id, job] of this.jobs) {
      if (job.anchor) continue;
      const state = this.ctx.unit(id).activeState;
      const installed = this.ctx.installedKind(id);
      const redundant =
        job.kind === 'nop' ||
        ((job.kind === 'start' || job.kind === 'verify-active') && isActiveLike(state) && (installed === undefined || !stopsFirst(installed))) ||
        (job.kind === 'stop' && isDown(state) && (installed === undefined || installed === 'stop'));
      if (redundant) this.jobs.delete(id);
    }
  }

  /**
   * The jobs `j` may wait for: those of units ordered After=/Before= its unit, in the
   * transaction's order. Asking the graph for these instead of pairing every job with
   * every other keeps the cycle check linear in the ordering edges (2,000 jobs: 4 million
   * pairs before).
   */
  private orderedNeighbours(j: TxJob, order: Map<TxJob, number>): TxJob[] {
    const g = this.ctx.graph;
    const out = new Set<TxJob>();
    for (const atom of ['after', 'before'] as const) {
      for (const unit of g.related(j.unit, atom)) {
        const k = this.jobs.get(unit);
        if (k !== undefined && order.has(k)) out.add(k);
      }
    }
    return [...out].sort((a, b) => order.get(a)! - order.get(b)!);
  }

  /** Does job `a` wait for job `b` (job_compare with the ordering between their units)? */
  private waitsFor(a: TxJob, b: TxJob): boolean {
    const g = this.ctx.graph;
    if (this.ctx.isInert?.(a.unit) || this.ctx.isInert?.(b.unit)) return false;
    if (g.related(a.unit, 'after').includes(b.unit) && !stopsFirst(a.kind)) return true;
    if (g.related(a.unit, 'before').includes(b.unit) && stopsFirst(b.kind)) return true;
    return false;
  }

  /** transaction_verify_order(): find ordering cycles, break them by deleting a job that does not matter. */
  breakOrderingCycles(): void {
    if (this.ignoreDependencies) return;
    for (let guard = 0; guard < 1000; guard++) {
      const cycle = this.findCycle();
      if (!cycle) return;
      const start = cycle[0];
      const label = (j: TxJob) => `${j.unit}/${j.kind === 'restart' ? 'restart' : j.kind}`;
      this.ctx.warn(start.unit, `Found ordering cycle on ${label(start)}`);
      for (const j of cycle.slice(1)) this.ctx.warn(start.unit, `Found dependency on ${label(j)}`);
      this.ctx.warn(start.unit, `Found dependency on ${label(start)}`);
      const victim = cycle.find((j) => !j.matters && !j.anchor);
      if (!victim) {
        this.ctx.warn(start.unit, `Unable to break cycle starting with ${label(start)}`);
        throw new ManagerError(TRANSACTION_ORDER_IS_CYCLIC, 'Transaction order is cyclic. See system logs for details.');
      }
      this.ctx.warn(start.unit, `Job ${label(victim)} deleted to break ordering cycle starting with ${label(start)}`);
      this.jobs.delete(victim.unit);
    }
  }

  private findCycle(): TxJob[] | undefined {
    const jobs = [...this.jobs.values()];
    const order = new Map<TxJob, number>(jobs.map((j, i) => [j, i]));
    const color = new Map<TxJob, 0 | 1 | 2>();
    const stack: TxJob[] = [];
    const visit = (j: TxJob): TxJob[] | undefined => {
      color.set(j, 1);
      stack.push(j);
      for (const k of this.orderedNeighbours(j, order)) {
        if (k === j || !this.waitsFor(j, k)) continue;
        const c = color.get(k) ?? 0;
        if (c === 1) return stack.slice(stack.indexOf(k));
        if (c === 0) {
          const found = visit(k);
          if (found) return found;
        }
      }
      stack.pop();
      color.set(j, 2);
      return undefined;
    };
    for (const j of jobs) {
      if ((color.get(j) ?? 0) !== 0) continue;
      const found = visit(j);
      if (found) return found;
    }
    return undefined;
  }
}

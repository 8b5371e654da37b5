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

/** A pull-in still to add; not `optional` ones matter as much as the job pulling them in. */
interface PullIn {
  name: string;
  kind: RequestKind;
  optional: boolean;
}

/** One job whose pull-ins are being added (a frame of the former recursion). */
interface ExpandFrame {
  job: TxJob;
  pending: PullIn[];
  next: number;
  /** Entered as an optional pull-in: a failure below it is dropped here. */
  optional: boolean;
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

  /**
   * Add a job and what it pulls in, transitively. Throws for a mandatory job that cannot be
   * added. The walk keeps its own stack instead of recursing (add → pullIn → add …): a
   * dependency chain thousands of units deep overflowed the JS stack and left the rest of
   * the chain unstarted without a word.
   */
  add(name: string, requested: RequestKind, matters: boolean, isAnchor = false): TxJob | undefined {
    const added = this.addOne(name, requested, matters, isAnchor);
    if (added?.expand && !this.ignoreDependencies) this.expand(added.job, matters);
    return added?.job;
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

  /** The job for one unit, merged with one already there; `expand` when its pull-ins must be (re)added. */
  private addOne(name: string, requested: RequestKind, matters: boolean, isAnchor: boolean): { job: TxJob; expand: boolean } | undefined {
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
        return { job, expand: false };
      } else job.kind = merged;
      job.matters ||= matters;
      job.anchor ||= isAnchor;
    } else {
      job = { unit: id, kind, matters, anchor: isAnchor };
      this.jobs.set(id, job);
    }
    if (isAnchor) this.anchor = job;
    return { job, expand: true };
  }

  /**
   * Depth-first over the pull-ins of `root`, in the order the recursive walk took. A
   * mandatory pull-in that cannot be added fails the job that pulled it in, and so on up to
   * the nearest job that was itself optional, where the failure is dropped (tryAdd's catch
   * in the recursive walk); past `root` it is thrown to the caller.
   */
  private expand(root: TxJob, rootMatters: boolean): void {
    const stack: ExpandFrame[] = [{ job: root, pending: this.pullIns(root), next: 0, optional: !rootMatters }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (top.next >= top.pending.length) {
        stack.pop();
        continue;
      }
      const p = top.pending[top.next++];
      // Read when the pull-in is added, as the recursive walk did: a job can come to matter meanwhile.
      const matters = p.optional ? false : top.job.matters;
      let added: { job: TxJob; expand: boolean } | undefined;
      try {
        added = this.addOne(p.name, p.kind, matters, false);
      } catch (err) {
        if (!matters) continue;
        for (;;) {
          const failed = stack.pop()!;
          if (stack.length === 0) throw err;
          if (failed.optional) break;
        }
        continue;
      }
      if (added?.expand) stack.push({ job: added.job, pending: this.pullIns(added.job), next: 0, optional: !matters });
    }
  }

  /** What a job pulls in, in systemd's order (transaction_add_job_and_dependencies). */
  private pullIns(job: TxJob): PullIn[] {
    const g = this.ctx.graph;
    const id = job.unit;
    const out: PullIn[] = [];
    const add = (atom: Parameters<DependencyGraph['related']>[1], kind: RequestKind, optional: boolean) => {
      for (const name of g.related(id, atom)) out.push({ name, kind, optional });
    };
    if (job.kind === 'start' || job.kind === 'restart') {
      if (!this.ignoreRequirements) {
        add('pull-in-start', 'start', false);
        add('pull-in-verify', 'verify-active', false);
        add('pull-in-stop', 'stop', false);
        add('pull-in-stop-ignored', 'stop', true);
      }
      add('pull-in-start-ignored', 'start', true);
    }
    if (job.kind === 'stop') add('propagate-stop', 'stop', false);
    if (job.kind === 'restart') add('propagate-restart', 'try-restart', false);
    if (job.kind === 'reload') add('propagate-reload', 'try-reload', true);
    return out;
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
    const out = new Set<TxJob>();
    for (const atom of ['after', 'before'] as const) {
      for (const unit of this.ordering(j.unit)[atom]) {
        const k = this.jobs.get(unit);
        if (k !== undefined && order.has(k)) out.add(k);
      }
    }
    return [...out].sort((a, b) => order.get(a)! - order.get(b)!);
  }

  /** Does job `a` wait for job `b` (job_compare with the ordering between their units)? */
  private waitsFor(a: TxJob, b: TxJob): boolean {
    if (this.ctx.isInert?.(a.unit) || this.ctx.isInert?.(b.unit)) return false;
    const ordering = this.ordering(a.unit);
    if (ordering.after.has(b.unit) && !stopsFirst(a.kind)) return true;
    if (ordering.before.has(b.unit) && stopsFirst(b.kind)) return true;
    return false;
  }

  /**
   * A unit's After=/Before= neighbours as sets, asked of the graph once per cycle check: a
   * target ordered after 1,000 services was asked (and rebuilt its array) once per neighbour,
   * a million steps per check at boot with 1,000 units.
   */
  private ordering(unit: string): { after: Set<string>; before: Set<string> } {
    let known = this.orderingCache?.get(unit);
    if (!known) {
      const g = this.ctx.graph;
      known = { after: new Set(g.related(unit, 'after')), before: new Set(g.related(unit, 'before')) };
      this.orderingCache?.set(unit, known);
    }
    return known;
  }

  /** Only while findCycle() runs (the graph does not change meanwhile). */
  private orderingCache: Map<string, { after: Set<string>; before: Set<string> }> | undefined;

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

  /** Depth-first search for a cycle of waits, with its own stack (a deep chain overflowed the JS one). */
  private findCycle(): TxJob[] | undefined {
    this.orderingCache = new Map();
    try {
      return this.searchCycle();
    } finally {
      this.orderingCache = undefined;
    }
  }

  private searchCycle(): TxJob[] | undefined {
    const jobs = [...this.jobs.values()];
    const order = new Map<TxJob, number>(jobs.map((j, i) => [j, i]));
    const color = new Map<TxJob, 0 | 1 | 2>();
    const path: TxJob[] = [];
    const frames: { job: TxJob; next: TxJob[]; i: number }[] = [];
    const enter = (j: TxJob) => {
      color.set(j, 1);
      path.push(j);
      frames.push({ job: j, next: this.orderedNeighbours(j, order), i: 0 });
    };
    for (const root of jobs) {
      if ((color.get(root) ?? 0) !== 0) continue;
      enter(root);
      while (frames.length > 0) {
        const f = frames[frames.length - 1];
        if (f.i >= f.next.length) {
          frames.pop();
          path.pop();
          color.set(f.job, 2);
          continue;
        }
        const k = f.next[f.i++];
        if (k === f.job || !this.waitsFor(f.job, k)) continue;
        const c = color.get(k) ?? 0;
        if (c === 1) return path.slice(path.indexOf(k));
        if (c === 0) enter(k);
      }
    }
    return undefined;
  }
}

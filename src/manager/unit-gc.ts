// systemd 252's unit garbage collector (src/core/unit.c unit_may_gc(), unit_gc_sweep(),
// manager.c manager_dispatch_gc_unit_queue()). A unit that is inactive (or failed, with
// CollectMode=inactive-or-failed), has no job and that no unit which must stay names in any
// dependency is dropped from memory; the next question about it loads it afresh, so `show`
// reports ExecMainStatus=0, NRestarts=0, Result=success and no timestamps, and
// `list-units --all` no longer lists it. Collected units free their memory (issue 19).
//
// Units join the queue when loaded, when their state changes or a job of theirs ends, and
// when a unit naming them goes; the queue is swept once per turn of the event loop, as
// systemd's manager loop does before it waits.

import type { CollectMode } from '../units/schema/enums.js';
import type { ActiveState } from './states.js';

/** What the collector asks of the manager about one loaded unit. */
export interface GcUnits {
  /** The unit's state, or undefined when it is no longer loaded. */
  facts(id: string): GcFacts | undefined;
  /** Units naming `id` in any dependency (UNIT_ATOM_REFERENCED_BY, plus UnitRefs such as a socket's Service=). */
  referrers(id: string): Iterable<string>;
  /** Drop the unit from memory (unit_free()); returns the units it named, which may be collectable now. */
  collect(id: string): Iterable<string>;
  /** Collection is off (the manager is going down). */
  paused(): boolean;
}

export interface GcFacts {
  activeState: ActiveState;
  collectMode: CollectMode;
  /** A job is queued or running for it, or for a unit its OnFailure=/OnSuccess= names. */
  hasJob: boolean;
  /** The type's own veto (UnitVTable.may_gc): a process still around, a non-empty fd store, live connections. */
  typeMayCollect: boolean;
}

/** unit_may_gc(): whether the unit itself could go, references from other units aside. */
export function mayCollect(f: GcFacts): boolean {
  if (f.hasJob) return false;
  switch (f.collectMode) {
    case 'inactive':
      if (f.activeState !== 'inactive') return false;
      break;
    case 'inactive-or-failed':
      if (f.activeState !== 'inactive' && f.activeState !== 'failed') return false;
      break;
  }
  return f.typeMayCollect;
}

export class UnitCollector {
  private readonly queue = new Set<string>();
  private scheduled = false;

  constructor(
    private readonly units: GcUnits,
    private readonly schedule: (fn: () => void) => void = setImmediate,
  ) {}

  /** unit_add_to_gc_queue(). */
  add(id: string): void {
    this.queue.add(id);
    if (this.scheduled) return;
    this.scheduled = true;
    this.schedule(() => {
      this.scheduled = false;
      this.sweep();
    });
  }

  /**
   * unit_gc_sweep() over the queue: a unit stays when a unit that may not be collected
   * reaches it through references (a chain of units naming each other); otherwise it goes,
   * with every unit on its referring side (they are unreferenced and collectable too), and
   * a reference cycle of collectable units goes whole (systemd's GC_OFFSET_UNSURE).
   * Breadth-first over referrers, never by recursion: chains can be thousands deep.
   */
  sweep(): void {
    if (this.units.paused()) {
      this.queue.clear();
      return;
    }
    const good = new Set<string>();
    const bad = new Set<string>();
    const mayGo = new Map<string, boolean>();
    const collectable = (id: string): boolean => {
      let known = mayGo.get(id);
      if (known === undefined) {
        const facts = this.units.facts(id);
        known = facts === undefined || mayCollect(facts);
        mayGo.set(id, known);
      }
      return known;
    };
    while (this.queue.size > 0) {
      const [id] = this.queue;
      this.queue.delete(id);
      if (good.has(id) || bad.has(id) || this.units.facts(id) === undefined) continue;
      const seen = new Set<string>([id]);
      const todo = [id];
      let keep = false;
      for (let i = 0; i < todo.length && !keep; i++) {
        const u = todo[i];
        if (good.has(u) || !collectable(u)) {
          keep = true;
          break;
        }
        for (const r of this.units.referrers(u)) {
          if (bad.has(r) || seen.has(r)) continue;
          seen.add(r);
          todo.push(r);
        }
      }
      if (keep) {
        good.add(id);
        continue;
      }
      for (const u of seen) bad.add(u);
      for (const u of seen) {
        if (this.units.facts(u) === undefined) continue;
        for (const named of this.units.collect(u)) if (!bad.has(named)) this.queue.add(named);
      }
    }
  }
}

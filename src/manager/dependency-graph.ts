// The dependency graph of the loaded units, with every edge known in both
// directions (Requires= on A is RequiredBy= on B), the way systemd keeps
// u->dependencies. Rebuilt when units are loaded or reloaded.

import { DEPENDENCY_KINDS, edgesWithAtom, type AtomEdge, type DependencyAtom, type DependencyKind } from './dependency-atoms.js';
import type { LoadedUnit } from './unit-type.js';

export type { DependencyKind };

/** systemd's names of the reverse edges, for `systemctl show`. */
export const REVERSE_PROPERTY: Partial<Record<DependencyKind, string>> = {
  requires: 'RequiredBy',
  requisite: 'RequisiteOf',
  wants: 'WantedBy',
  bindsTo: 'BoundBy',
  partOf: 'ConsistsOf',
  upholds: 'UpheldBy',
  conflicts: 'ConflictedBy',
  onFailure: 'OnFailureOf',
  onSuccess: 'OnSuccessOf',
  triggers: 'TriggeredBy',
};

export interface GraphUnits {
  /** Every unit currently loaded (one entry per unit, aliases folded). */
  all(): LoadedUnit[];
  /** Resolve a name to the unit (loading it if needed). */
  resolve(name: string): LoadedUnit;
}

type Edges = Map<string, Set<string>>;

export class DependencyGraph {
  private forwardEdges = new Map<DependencyKind, Edges>();
  private reverseEdges = new Map<DependencyKind, Edges>();
  private dirty = true;

  constructor(private readonly units: GraphUnits) {}

  invalidate(): void {
    this.dirty = true;
  }

  /**
   * One pass over the loaded units and, breadth-first, every unit they name that resolving
   * loads. Round after round over all units (bounded at 8) loaded 8 levels of a deep chain
   * per build; the transaction's next question rebuilt it again: a 3,000-deep chain kept a
   * booting PID 1 busy for minutes.
   */
  private build(): void {
    const forward = new Map<DependencyKind, Edges>();
    const reverse = new Map<DependencyKind, Edges>();
    for (const k of DEPENDENCY_KINDS) {
      forward.set(k, new Map());
      reverse.set(k, new Map());
    }
    const queue = this.units.all();
    const queued = new Set(queue.map((c) => c.id));
    /** The unit `name` resolves to, queued for its own edges once; undefined if it cannot load. */
    const visit = (name: string): LoadedUnit | undefined => {
      let target: LoadedUnit;
      try {
        target = this.units.resolve(name);
      } catch {
        return undefined;
      }
      if (!queued.has(target.id)) {
        queued.add(target.id);
        queue.push(target);
      }
      return target;
    };
    /** `from` names `to` in its `kind=`; a self reference adds nothing. */
    const edge = (kind: DependencyKind, from: string, to: string): void => {
      if (to === from) return;
      add(forward.get(kind)!, from, to);
      add(reverse.get(kind)!, to, from);
    };
    for (let i = 0; i < queue.length; i++) {
      const config = queue[i];
      for (const kind of DEPENDENCY_KINDS) {
        for (const name of config.unit[kind]) {
          const target = visit(name);
          if (target) edge(kind, config.id, target.id);
        }
      }
      // Sockets= on a service is also TriggeredBy= each socket (config_parse_service_sockets()):
      // the socket lists it in Triggers= and hears of its state.
      for (const name of config.service?.sockets ?? []) {
        const socket = visit(name);
        if (socket) edge('triggers', socket.id, config.id);
      }
    }
    this.forwardEdges = forward;
    this.reverseEdges = reverse;
    // The units loaded meanwhile (each invalidated the graph) are all in it.
    this.dirty = false;
  }

  /** Units `id` names in its own `kind=` setting (resolved). */
  forward(id: string, kind: DependencyKind): string[] {
    if (this.dirty) this.build();
    return [...(this.forwardEdges.get(kind)?.get(id) ?? [])];
  }

  /** Units that name `id` in their `kind=` setting. */
  reverse(id: string, kind: DependencyKind): string[] {
    if (this.dirty) this.build();
    return [...(this.reverseEdges.get(kind)?.get(id) ?? [])];
  }

  /** Units related to `id` by an edge carrying `atom` (dependency-atoms.ts), each once, in table order. */
  related(id: string, atom: DependencyAtom): string[] {
    const edges = (this.atomEdges[atom] ??= edgesWithAtom(atom));
    const out = new Set<string>();
    for (const e of edges) for (const u of e.direction === 'forward' ? this.forward(id, e.kind) : this.reverse(id, e.kind)) out.add(u);
    return [...out];
  }

  private readonly atomEdges: Partial<Record<DependencyAtom, AtomEdge[]>> = {};
}

function add(edges: Edges, from: string, to: string): void {
  let set = edges.get(from);
  if (!set) edges.set(from, (set = new Set()));
  set.add(to);
}

// The dependency graph of the loaded units, with every edge known in both
// directions (Requires= on A is RequiredBy= on B), the way systemd keeps
// u->dependencies. Rebuilt when units are loaded or reloaded.

import type { LoadedUnit, UnitSettings } from './unit-type.js';

export const DEPENDENCY_KINDS = [
  'requires',
  'requisite',
  'wants',
  'bindsTo',
  'partOf',
  'upholds',
  'conflicts',
  'after',
  'before',
  'onFailure',
  'onSuccess',
  'propagatesReloadTo',
  'reloadPropagatedFrom',
  'propagatesStopTo',
  'stopPropagatedFrom',
] as const satisfies readonly (keyof UnitSettings)[];
export type DependencyKind = (typeof DEPENDENCY_KINDS)[number];

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
};

export interface GraphUnits {
  /** Every unit currently loaded (one entry per unit, aliases folded). */
  all(): LoadedUnit[];
  /** Resolve a name to the unit's id (loading it if needed). */
  idOf(name: string): string;
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

  private build(): void {
    // Loading a referenced unit may load more: go until nothing new appears (bounded).
    for (let round = 0; round < 8 && this.dirty; round++) {
      this.dirty = false;
      const forward = new Map<DependencyKind, Edges>();
      const reverse = new Map<DependencyKind, Edges>();
      for (const k of DEPENDENCY_KINDS) {
        forward.set(k, new Map());
        reverse.set(k, new Map());
      }
      for (const config of this.units.all()) {
        for (const kind of DEPENDENCY_KINDS) {
          for (const name of config.unit[kind]) {
            let id: string;
            try {
              id = this.units.idOf(name);
            } catch {
              continue;
            }
            if (id === config.id) continue;
            add(forward.get(kind)!, config.id, id);
            add(reverse.get(kind)!, id, config.id);
          }
        }
      }
      this.forwardEdges = forward;
      this.reverseEdges = reverse;
    }
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

  both(id: string, kind: DependencyKind): string[] {
    return [...new Set([...this.forward(id, kind), ...this.reverse(id, kind)])];
  }

  /** Units `id` is ordered after (After= on it, Before= on them). */
  orderedAfter(id: string): string[] {
    return [...new Set([...this.forward(id, 'after'), ...this.reverse(id, 'before')])];
  }

  /** Units `id` is ordered before. */
  orderedBefore(id: string): string[] {
    return [...new Set([...this.forward(id, 'before'), ...this.reverse(id, 'after')])];
  }

  /** Units whose start/verify jobs fail when a start of `id` fails (RequiredBy, BoundBy, RequisiteOf). */
  startFailurePropagatesTo(id: string): string[] {
    return [...new Set([...this.reverse(id, 'requires'), ...this.reverse(id, 'bindsTo'), ...this.reverse(id, 'requisite')])];
  }

  /** Units stopped when `id` is stopped: RequiredBy, BoundBy, RequisiteOf, ConsistsOf, PropagatesStopTo. */
  stopPropagatesTo(id: string): string[] {
    return [
      ...new Set([
        ...this.startFailurePropagatesTo(id),
        ...this.reverse(id, 'partOf'),
        ...this.forward(id, 'propagatesStopTo'),
        ...this.reverse(id, 'stopPropagatedFrom'),
      ]),
    ];
  }

  /** Units restarted (try-restart) when `id` is restarted. */
  restartPropagatesTo(id: string): string[] {
    return [...new Set([...this.startFailurePropagatesTo(id), ...this.reverse(id, 'partOf')])];
  }

  reloadPropagatesTo(id: string): string[] {
    return [...new Set([...this.forward(id, 'propagatesReloadTo'), ...this.reverse(id, 'reloadPropagatedFrom')])];
  }
}

function add(edges: Edges, from: string, to: string): void {
  let set = edges.get(from);
  if (!set) edges.set(from, (set = new Set()));
  set.add(to);
}

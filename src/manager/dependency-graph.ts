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
      /** Unit `from` (an id) names `to` in its `kind=`; an unloadable or self reference adds nothing. */
      const edge = (kind: DependencyKind, from: string, to: string): void => {
        let id: string;
        try {
          id = this.units.idOf(to);
        } catch {
          return;
        }
        if (id === from) return;
        add(forward.get(kind)!, from, id);
        add(reverse.get(kind)!, id, from);
      };
      for (const config of this.units.all()) {
        for (const kind of DEPENDENCY_KINDS) for (const name of config.unit[kind]) edge(kind, config.id, name);
        // Sockets= on a service is also TriggeredBy= each socket (config_parse_service_sockets()):
        // the socket lists it in Triggers= and hears of its state.
        for (const name of config.service?.sockets ?? []) {
          try {
            edge('triggers', this.units.idOf(name), config.id);
          } catch {
            // a socket that cannot be loaded triggers nothing
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

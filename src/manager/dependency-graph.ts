// The dependency graph of the loaded units, with every edge known in both
// directions (Requires= on A is RequiredBy= on B), the way systemd keeps
// u->dependencies. Built in one pass when first asked after daemon-reload; a unit loaded or
// collected later adds or takes out only its own edges.

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
  /**
   * Edges a unit declares at run time, beside its file's (an Accept=yes socket's Triggers=
   * and Before= on the instance it started): kept across daemon-reload, which reloads the file.
   */
  runtimeEdges?(id: string): readonly { kind: DependencyKind; to: string }[];
}

/** from → to → how many declarations make the edge (a unit's own setting, another's Sockets=). */
type Edges = Map<string, Map<string, number>>;

interface Declared {
  kind: DependencyKind;
  from: string;
  to: string;
}

export class DependencyGraph {
  private forwardEdges = new Map<DependencyKind, Edges>();
  private reverseEdges = new Map<DependencyKind, Edges>();
  /** The edges each unit's settings make, so one unit can be taken out or redone alone. */
  private declared = new Map<string, Declared[]>();
  private dirty = true;

  constructor(private readonly units: GraphUnits) {}

  /** daemon-reload and the like: everything is read again on the next question. */
  invalidate(): void {
    this.dirty = true;
  }

  /**
   * A unit was loaded: its edges join the graph without a rebuild (an Accept=yes socket loads
   * one instance per connection; a rebuild each time made accepting cost O(units loaded)).
   * Units it names that are not loaded yet are loaded by resolving and join the same way.
   */
  unitAdded(config: LoadedUnit): void {
    if (this.dirty || this.declared.has(config.id)) return;
    if (this.adding) {
      // Resolving a name of the unit being added loaded this one: its turn comes after (a deep
      // chain of units not loaded yet is added in a loop, never by recursion).
      this.adding.push(config);
      return;
    }
    this.adding = [config];
    try {
      for (let i = 0; i < this.adding.length && !this.dirty; i++) {
        if (!this.declared.has(this.adding[i].id)) this.declare(this.adding[i]);
      }
    } finally {
      this.adding = undefined;
    }
  }

  private adding: LoadedUnit[] | undefined;

  /** A unit nothing names was dropped from the registry (collected): the edges it made go. */
  unitRemoved(id: string): void {
    if (this.dirty) return;
    this.undeclare(id);
  }

  /** The unit's settings or run-time edges changed: its own edges are done again. */
  unitChanged(config: LoadedUnit): void {
    if (this.dirty) return;
    this.undeclare(config.id);
    this.declare(config);
  }

  /**
   * Edges `from` declares at run time (a socket's Triggers=/Before= of an Accept=yes instance)
   * were added (`delta` 1) or removed (-1): only those change. Declaring the socket again
   * resolved every live instance once per connection.
   */
  runtimeEdgesChanged(from: LoadedUnit, edges: readonly { kind: DependencyKind; to: string }[], delta: 1 | -1): void {
    if (this.dirty) return; // the next build asks runtimeEdges()
    const made = this.declared.get(from.id);
    if (!made) return this.unitChanged(from);
    for (const { kind, to } of edges) {
      let target = to;
      try {
        target = this.units.resolve(to).id;
      } catch {
        if (delta > 0) continue; // declare() skips a name that does not resolve
      }
      if (target === from.id) continue;
      if (delta > 0) made.push({ kind, from: from.id, to: target });
      else {
        const i = made.findIndex((d) => d.kind === kind && d.to === target);
        if (i < 0) continue;
        made.splice(i, 1);
      }
      count(this.forwardEdges.get(kind)!, from.id, target, delta);
      count(this.reverseEdges.get(kind)!, target, from.id, delta);
    }
  }

  /** Units naming `id` in any setting of theirs (systemd's UNIT_ATOM_REFERENCED_BY): what keeps it from the GC. */
  referrers(id: string): string[] {
    if (this.dirty) this.build();
    const out = new Set<string>();
    for (const reverse of this.reverseEdges.values()) for (const from of reverse.get(id)?.keys() ?? []) out.add(from);
    return [...out];
  }

  /** Units `id`'s own settings name (its edges, either end), for the GC once it is gone. */
  namedBy(id: string): string[] {
    const out = new Set<string>();
    for (const { from, to } of this.declared.get(id) ?? []) out.add(from === id ? to : from);
    return [...out];
  }

  /**
   * One pass over the loaded units and, breadth-first, every unit they name that resolving
   * loads. Round after round over all units (bounded at 8) loaded 8 levels of a deep chain
   * per build; the transaction's next question rebuilt it again: a 3,000-deep chain kept a
   * booting PID 1 busy for minutes.
   */
  private build(): void {
    this.forwardEdges = new Map();
    this.reverseEdges = new Map();
    this.declared = new Map();
    for (const k of DEPENDENCY_KINDS) {
      this.forwardEdges.set(k, new Map());
      this.reverseEdges.set(k, new Map());
    }
    const queue = this.units.all();
    const queued = new Set(queue.map((c) => c.id));
    // Units loaded while this runs (each registration invalidates) are queued here instead.
    this.dirty = true;
    for (let i = 0; i < queue.length; i++) {
      for (const target of this.declare(queue[i])) {
        if (!queued.has(target.id)) {
          queued.add(target.id);
          queue.push(target);
        }
      }
    }
    this.dirty = false;
  }

  /** Add the edges `config` makes; returns the units it named (resolved, loaded if needed). */
  private declare(config: LoadedUnit): LoadedUnit[] {
    const made: Declared[] = [];
    const named: LoadedUnit[] = [];
    this.declared.set(config.id, made);
    const visit = (name: string): LoadedUnit | undefined => {
      let target: LoadedUnit;
      try {
        target = this.units.resolve(name);
      } catch {
        return undefined;
      }
      named.push(target);
      return target;
    };
    /** `from` names `to` in its `kind=`; a self reference adds nothing. */
    const edge = (kind: DependencyKind, from: string, to: string): void => {
      if (to === from) return;
      made.push({ kind, from, to });
      count(this.forwardEdges.get(kind)!, from, to, 1);
      count(this.reverseEdges.get(kind)!, to, from, 1);
    };
    for (const kind of DEPENDENCY_KINDS) {
      for (const name of config.unit[kind]) {
        const target = visit(name);
        if (target) edge(kind, config.id, target.id);
      }
    }
    for (const { kind, to } of this.units.runtimeEdges?.(config.id) ?? []) {
      const target = visit(to);
      if (target) edge(kind, config.id, target.id);
    }
    // Sockets= on a service is also TriggeredBy= each socket (config_parse_service_sockets()):
    // the socket lists it in Triggers= and hears of its state.
    for (const name of config.service?.sockets ?? []) {
      const socket = visit(name);
      if (socket) edge('triggers', socket.id, config.id);
    }
    return named;
  }

  private undeclare(id: string): void {
    for (const { kind, from, to } of this.declared.get(id) ?? []) {
      count(this.forwardEdges.get(kind)!, from, to, -1);
      count(this.reverseEdges.get(kind)!, to, from, -1);
    }
    this.declared.delete(id);
  }

  /** Units `id` names in its own `kind=` setting (resolved). */
  forward(id: string, kind: DependencyKind): string[] {
    if (this.dirty) this.build();
    return [...(this.forwardEdges.get(kind)?.get(id)?.keys() ?? [])];
  }

  /** Units that name `id` in their `kind=` setting. */
  reverse(id: string, kind: DependencyKind): string[] {
    if (this.dirty) this.build();
    return [...(this.reverseEdges.get(kind)?.get(id)?.keys() ?? [])];
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

function count(edges: Edges, from: string, to: string, delta: number): void {
  let targets = edges.get(from);
  if (!targets) edges.set(from, (targets = new Map()));
  const n = (targets.get(to) ?? 0) + delta;
  if (n > 0) targets.set(to, n);
  else targets.delete(to);
  if (targets.size === 0) edges.delete(from);
}

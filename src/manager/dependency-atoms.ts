// What each dependency does, as ONE declarative table (systemd's unit-dependency-atom.c):
// every dependency kind, seen from the unit that names it (`forward`) and from the unit
// it names (`reverse`), carries a set of atoms; the transaction builder and the job
// engine ask the graph "which units are related to X by atom A" and never name a
// dependency kind themselves.

import type { UnitSettings } from './unit-type.js';

export const DEPENDENCY_ATOMS = [
  /** A start of X starts them, mandatory (Requires=, BindsTo=). */
  'pull-in-start',
  /** A start of X starts them, optional (Wants=, Upholds=). */
  'pull-in-start-ignored',
  /** A start of X checks they are active (Requisite=). */
  'pull-in-verify',
  /** A start of X stops them, mandatory (Conflicts=). */
  'pull-in-stop',
  /**
   * A start of X stops them, optional (ConflictedBy: the reverse of Conflicts=). Such a stop
   * does not matter to the request, so an ordering cycle may be broken by deleting it: how
   * systemd shuts down services ordered in a cycle (they conflict with shutdown.target).
   */
  'pull-in-stop-ignored',
  /** A failed start of X fails their queued starts (RequiredBy, BoundBy, RequisiteOf). */
  'propagate-start-failure',
  /** A stop of X stops them (RequiredBy, BoundBy, RequisiteOf, ConsistsOf, PropagatesStopTo=). */
  'propagate-stop',
  /** A restart of X try-restarts them (RequiredBy, BoundBy, RequisiteOf, ConsistsOf). */
  'propagate-restart',
  /** A reload of X try-reloads them (PropagatesReloadTo=). */
  'propagate-reload',
  /** When X goes down they stop too (BoundBy: units with BindsTo= on X). */
  'retroactive-stop-on-stop',
  /** X cannot stay up while they are down (BindsTo=). */
  'cannot-be-active-without',
  /** When X goes down while they are up, X is started again (UpheldBy). */
  'restart-when-upheld-by',
  /** When X goes down they may have become unneeded (StopWhenUnneeded= of theirs). */
  'add-stop-when-unneeded-queue',
  /** They keep X needed while up (StopWhenUnneeded= of X). */
  'pins-stop-when-unneeded',
  /** Started when X fails (OnFailure=). */
  'on-failure',
  /** Started when X ends successfully (OnSuccess=). */
  'on-success',
  /** X starts them when its condition holds (Triggers=: timers, sockets, paths). */
  'triggers',
  /** X's state changes are told to them (TriggeredBy=: trigger_notify()). */
  'triggered-by',
  /** X starts after them and stops before them (After=, reverse Before=). */
  'after',
  /** X starts before them and stops after them (Before=, reverse After=). */
  'before',
] as const;
export type DependencyAtom = (typeof DEPENDENCY_ATOMS)[number];

interface AtomRow {
  /** Atoms on the unit that names the dependency. */
  forward: readonly DependencyAtom[];
  /** Atoms on the unit that is named. */
  reverse: readonly DependencyAtom[];
}

const NEEDED: AtomRow = { forward: ['add-stop-when-unneeded-queue'], reverse: ['pins-stop-when-unneeded'] };
const REQUIRED_BY: readonly DependencyAtom[] = ['propagate-start-failure', 'propagate-stop', 'propagate-restart', 'pins-stop-when-unneeded'];

/**
 * The table. Row order is the order the graph reports related units in (the order
 * transactions add jobs), so keep requirement kinds first.
 */
export const DEPENDENCY_EFFECTS = {
  requires: { forward: ['pull-in-start', ...NEEDED.forward], reverse: REQUIRED_BY },
  bindsTo: { forward: ['pull-in-start', 'cannot-be-active-without', ...NEEDED.forward], reverse: [...REQUIRED_BY, 'retroactive-stop-on-stop'] },
  requisite: { forward: ['pull-in-verify', ...NEEDED.forward], reverse: REQUIRED_BY },
  partOf: { forward: [], reverse: ['propagate-stop', 'propagate-restart'] },
  propagatesStopTo: { forward: ['propagate-stop'], reverse: [] },
  stopPropagatedFrom: { forward: [], reverse: ['propagate-stop'] },
  wants: { forward: ['pull-in-start-ignored', ...NEEDED.forward], reverse: NEEDED.reverse },
  upholds: { forward: ['pull-in-start-ignored', ...NEEDED.forward], reverse: ['restart-when-upheld-by', ...NEEDED.reverse] },
  conflicts: { forward: ['pull-in-stop'], reverse: ['pull-in-stop-ignored'] },
  after: { forward: ['after'], reverse: ['before'] },
  before: { forward: ['before'], reverse: ['after'] },
  onFailure: { forward: ['on-failure'], reverse: [] },
  onSuccess: { forward: ['on-success'], reverse: [] },
  propagatesReloadTo: { forward: ['propagate-reload'], reverse: [] },
  reloadPropagatedFrom: { forward: [], reverse: ['propagate-reload'] },
  triggers: { forward: ['triggers'], reverse: ['triggered-by'] },
} as const satisfies Record<string, AtomRow>;

export type DependencyKind = keyof typeof DEPENDENCY_EFFECTS & keyof UnitSettings;
export const DEPENDENCY_KINDS = Object.keys(DEPENDENCY_EFFECTS) as DependencyKind[];

export interface AtomEdge {
  kind: DependencyKind;
  direction: 'forward' | 'reverse';
}

/** The (kind, direction) edges that carry `atom`, in table order. */
export function edgesWithAtom(atom: DependencyAtom): AtomEdge[] {
  return DEPENDENCY_KINDS.flatMap((kind) =>
    (['forward', 'reverse'] as const)
      .filter((direction) => (DEPENDENCY_EFFECTS[kind][direction] as readonly DependencyAtom[]).includes(atom))
      .map((direction) => ({ kind, direction })),
  );
}

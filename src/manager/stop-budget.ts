// How long the orderly stop may take. Units stop in the reverse of their start
// order and in parallel otherwise, so the stop takes as long as the longest chain
// of units ordered against each other, each allowed its TimeoutStopSec= (systemd
// waits that long for ExecStop= and then for the main process before it escalates
// to SIGKILL). That is the default budget; UNITD_STOP_BUDGET / --stop-budget cap
// it so the stop ends before the container engine's grace period does (README
// "Stopping": docker --stop-timeout, podman stop -t, Kubernetes
// terminationGracePeriodSeconds).

import type { Properties } from '../control/api.js';

/** Node's timers take at most 2^31-1 ms; a longer (or infinite) budget waits that long. */
export const MAX_BUDGET_MS = 2 ** 31 - 1;

export interface StoppingUnit {
  id: string;
  /** TimeoutStopSec= in µs (Infinity for "infinity"); 0 for units without one (targets). */
  timeoutStopUSec: number;
  after: readonly string[];
  before: readonly string[];
}

/** A unit as the manager's properties describe it (unitProperties()). */
export function stoppingUnit(props: Properties): StoppingUnit {
  const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  const timeout = props.TimeoutStopUSec;
  return {
    id: String(props.Id ?? ''),
    timeoutStopUSec: typeof timeout === 'number' && timeout > 0 ? timeout : 0,
    after: list(props.After),
    before: list(props.Before),
  };
}

/**
 * The longest sum of TimeoutStopSec= along a chain of ordering dependencies
 * (After=/Before=, either side declaring it) among `units`, in ms. Ordering
 * cycles are cut where they close.
 */
export function longestStopChainMs(units: readonly StoppingUnit[]): number {
  const byId = new Map(units.map((u) => [u.id, u]));
  // Stopping X waits for everything that started after X: units ordered After=X.
  const stopsFirst = new Map<string, Set<string>>(units.map((u) => [u.id, new Set<string>()]));
  for (const u of units) {
    for (const earlier of u.after) if (byId.has(earlier)) stopsFirst.get(earlier)!.add(u.id);
    for (const later of u.before) if (byId.has(later)) stopsFirst.get(u.id)!.add(later);
  }
  const memo = new Map<string, number>();
  const onPath = new Set<string>();
  const chain = (id: string): number => {
    const known = memo.get(id);
    if (known !== undefined) return known;
    if (onPath.has(id)) return 0;
    onPath.add(id);
    let longestBefore = 0;
    for (const next of stopsFirst.get(id) ?? []) longestBefore = Math.max(longestBefore, chain(next));
    onPath.delete(id);
    const total = longestBefore + byId.get(id)!.timeoutStopUSec / 1000;
    memo.set(id, total);
    return total;
  };
  let longest = 0;
  for (const u of units) longest = Math.max(longest, chain(u.id));
  return longest;
}

/** Time past the chain for a unit's own SIGKILL at its TimeoutStopSec= to be reaped and reported. */
export const FINAL_KILL_SLACK_MS = 1000;

/** The budget for this stop: the longest chain (plus the slack), capped by the configured budget when there is one. */
export function stopBudgetMs(units: readonly StoppingUnit[], capMs: number | undefined): number {
  const chain = Math.ceil(longestStopChainMs(units)) + FINAL_KILL_SLACK_MS;
  const budget = capMs === undefined ? chain : Math.min(chain, capMs);
  return Math.min(budget, MAX_BUDGET_MS);
}

// Default and implicit dependencies (systemd.service(5), systemd.target(5)
// "Default Dependencies"), shared by the manager and list-dependencies so both
// see the same graph. Slices are left out: a container has no cgroup tree to
// place units in.

import { UnitType } from './unit-name.js';

export interface DependencySets {
  requires: string[];
  requisite: string[];
  wants: string[];
  bindsTo: string[];
  partOf: string[];
  upholds: string[];
  conflicts: string[];
  before: string[];
  after: string[];
}

export function emptyDependencySets(): DependencySets {
  return { requires: [], requisite: [], wants: [], bindsTo: [], partOf: [], upholds: [], conflicts: [], before: [], after: [] };
}

function add(list: string[], ...names: string[]): void {
  for (const n of names) if (!list.includes(n)) list.push(n);
}

const SHUTDOWN_TARGET = 'shutdown.target';

/**
 * Add what systemd adds unless DefaultDependencies=no: services need
 * sysinit.target and come after basic.target; targets order after what they
 * pull in; both stop for shutdown.target.
 */
export function applyDefaultDependencies(id: string, type: UnitType, deps: DependencySets, defaultDependencies: boolean): void {
  if (!defaultDependencies) return;
  if (type === 'service') {
    add(deps.requires, 'sysinit.target');
    add(deps.after, 'sysinit.target', 'basic.target');
    add(deps.conflicts, SHUTDOWN_TARGET);
    add(deps.before, SHUTDOWN_TARGET);
  } else if (type === 'target') {
    for (const n of [...deps.wants, ...deps.requires]) {
      if (n !== id && !deps.before.includes(n)) add(deps.after, n);
    }
    if (id !== SHUTDOWN_TARGET) {
      add(deps.conflicts, SHUTDOWN_TARGET);
      add(deps.before, SHUTDOWN_TARGET);
    }
  } else if (type === 'socket' || type === 'timer' || type === 'path') {
    add(deps.requires, 'sysinit.target');
    add(deps.after, 'sysinit.target');
    add(deps.before, type === 'socket' ? 'sockets.target' : type === 'timer' ? 'timers.target' : 'paths.target');
    add(deps.conflicts, SHUTDOWN_TARGET);
    add(deps.before, SHUTDOWN_TARGET);
  }
}

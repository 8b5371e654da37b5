// Default and implicit dependencies (systemd.service(5), systemd.target(5)
// "Default Dependencies"), shared by the manager and list-dependencies so both
// see the same graph. Slices are left out: a container has no cgroup tree to
// place units in.

import { UnitType } from './unit-name.js';
import type { UnitConfig, UnitSection } from './schema/types.js';

/** The dependency lists of [Unit] that make up the graph. */
export const DEPENDENCY_KINDS = ['requires', 'requisite', 'wants', 'bindsTo', 'partOf', 'upholds', 'conflicts', 'before', 'after'] as const;
export type DependencySets = Pick<UnitSection, (typeof DEPENDENCY_KINDS)[number]>;

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

/**
 * The unit a trigger unit starts: Unit= of a path unit, else the service of the same name
 * (unit_load_related_unit(".service"): `foo@x.path` triggers `foo@x.service`).
 */
export function triggeredUnitOf(id: string, config: UnitConfig): string | undefined {
  const sameName = `${id.slice(0, id.lastIndexOf('.'))}.service`;
  if (config.type === 'path') return config.path?.unit ?? sameName;
  if (config.type === 'timer') return config.timer?.unit ?? sameName;
  // Accept=yes sockets trigger per-connection instances, named only when a connection comes.
  if (config.type === 'socket' && config.socket && !config.socket.accept) return config.socket.service ?? sameName;
  return undefined;
}

/** Triggers= and Before= the triggered unit, added whatever DefaultDependencies= says (as systemd's *_add_trigger_dependencies()). */
export function applyTriggerDependencies(unit: Pick<UnitSection, 'triggers' | 'before'>, triggered: string | undefined): void {
  if (triggered === undefined) return;
  add(unit.triggers, triggered);
  add(unit.before, triggered);
}

/** The socket of the system bus, which Type=dbus services need (SPECIAL_DBUS_SOCKET). */
export const DBUS_SOCKET = 'dbus.socket';

/**
 * service_add_extras(): Type=dbus with BusName= needs the bus (Requires= and After= dbus.socket);
 * Sockets= wants and orders after each socket named. Added whatever DefaultDependencies= says.
 */
export function applyServiceDependencies(deps: Pick<DependencySets, 'requires' | 'wants' | 'after'>, config: UnitConfig): void {
  const service = config.service;
  if (!service) return;
  if (service.type === 'dbus' && service.busName !== undefined) {
    add(deps.requires, DBUS_SOCKET);
    add(deps.after, DBUS_SOCKET);
  }
  add(deps.wants, ...service.sockets);
  add(deps.after, ...service.sockets);
}

/** Where Persistent= timers keep their stamps (timer_setup_persistent(), system manager). */
export const TIMER_STAMP_DIR = '/var/lib/systemd/timers';

/**
 * timer_add_default_dependencies() beyond the common trigger edges: a calendar timer waits for
 * the clock (After=time-set.target time-sync.target); a Persistent= one needs its stamp
 * directory mounted, whatever DefaultDependencies= says.
 */
export function applyTimerDependencies(unit: Pick<UnitSection, 'after' | 'requiresMountsFor' | 'defaultDependencies'>, config: UnitConfig): void {
  const timer = config.timer;
  if (!timer) return;
  if (unit.defaultDependencies && timer.calendar.length > 0) add(unit.after, 'time-set.target', 'time-sync.target');
  if (timer.persistent) add(unit.requiresMountsFor, TIMER_STAMP_DIR);
}

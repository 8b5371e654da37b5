// The one table of unit types (systemd's unit_vtable[]). Adding a type = adding a file and a row.

import { pathType } from './path.js';
import { serviceType } from './service.js';
import { socketType } from './socket.js';
import { targetType } from './target.js';
import { timerType } from './timer.js';
import type { UnitType } from './unit-type.js';

export const UNIT_TYPES: Record<string, UnitType> = {
  service: serviceType,
  target: targetType,
  path: pathType,
  timer: timerType,
  socket: socketType,
};

/** Shows a unit of a type unitd cannot run (its load error), doing nothing: the simplest type. */
export const FALLBACK_TYPE: UnitType = targetType;

export function unitTypeOf(name: string): UnitType | undefined {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? undefined : UNIT_TYPES[name.slice(dot + 1)];
}

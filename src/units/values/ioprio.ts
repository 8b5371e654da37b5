// The ioprio_set(2) value IOSchedulingClass= and IOSchedulingPriority= build together:
// (class << 13) | level, classes as in linux/ioprio.h (schema/enums.ts IO_SCHED_CLASSES).

import { IO_SCHED_CLASSES } from '../schema/enums.js';

const CLASS_SHIFT = 13;
const LEVEL_MASK = (1 << CLASS_SHIFT) - 1;

/** systemd's IOPRIO_DEFAULT_CLASS_AND_PRIO: best-effort, level 4 (what an unset service gets). */
export const IOPRIO_DEFAULT = (IO_SCHED_CLASSES['best-effort'] << CLASS_SHIFT) | 4;

export const ioprioClass = (v: number): number => v >> CLASS_SHIFT;
export const ioprioLevel = (v: number): number => v & LEVEL_MASK;

/** ioprio_normalize(): class none with any level means best-effort 4. */
export function ioprioValue(ioClass: number, level: number): number {
  return ioClass === IO_SCHED_CLASSES.none ? IOPRIO_DEFAULT : (ioClass << CLASS_SHIFT) | level;
}

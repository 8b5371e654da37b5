// TasksMax= (systemd.resource-control(5)): a count, a percentage of the
// system's task limit, or infinity. Kept symbolic until shown, because a
// percentage is of the limit of the machine the unit runs on.

import { readFileSync } from 'node:fs';

export type TasksMax = { kind: 'infinity' } | { kind: 'count'; value: number } | { kind: 'permyriad'; value: number };

/** DefaultTasksMax= of systemd 252: 15% of the system's limit. */
export const DEFAULT_TASKS_MAX: TasksMax = { kind: 'permyriad', value: 1500 };

/** Parse a TasksMax= value; a string is the warning systemd logs (the setting is then ignored). */
export function parseTasksMax(value: string): TasksMax | string {
  if (value === '') return DEFAULT_TASKS_MAX;
  if (value === 'infinity') return { kind: 'infinity' };
  const pct = /^(\d+)(?:\.(\d{1,2}))?%$/.exec(value);
  if (pct) {
    const permyriad = Number(pct[1]) * 100 + Number((pct[2] ?? '').padEnd(2, '0'));
    if (permyriad <= 10000) return { kind: 'permyriad', value: permyriad };
    return `Invalid maximum tasks value '${value}', ignoring: Numerical result out of range`;
  }
  if (!/^\d+$/.test(value)) return `Invalid maximum tasks value '${value}', ignoring: Invalid argument`;
  const n = Number(value);
  if (n <= 0 || !Number.isSafeInteger(n)) return `Maximum tasks value '${value}' out of range, ignoring.`;
  return { kind: 'count', value: n };
}

function readCount(file: string): number | undefined {
  try {
    const n = Number(readFileSync(file, 'utf8').trim());
    return Number.isFinite(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

/** The kernel's task limit as systemd's system_tasks_max() takes it: pid_max (less PID 0) and threads-max. */
export function systemTasksMax(): number {
  const pidMax = readCount('/proc/sys/kernel/pid_max');
  const threadsMax = readCount('/proc/sys/kernel/threads-max');
  return Math.min(pidMax !== undefined ? pidMax - 1 : Infinity, threadsMax ?? Infinity, Number.MAX_SAFE_INTEGER);
}

/** The number `systemctl show -p TasksMax` prints: Infinity for infinity. */
export function resolveTasksMax(t: TasksMax, systemMax: () => number = systemTasksMax): number {
  if (t.kind === 'infinity') return Infinity;
  if (t.kind === 'count') return t.value;
  return Math.floor((systemMax() * t.value) / 10000);
}

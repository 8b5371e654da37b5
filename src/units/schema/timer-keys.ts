// [Timer] (systemd.timer(5)): when a timer elapses and which unit it starts.

import { CalendarSpecError, parseCalendarSpec } from '../values/calendar.js';
import { expandSpecifiers } from '../values/specifiers.js';
import { parseTimespanRaw } from '../values/timespan.js';
import { TIMER_BASES, type TimerBase } from './enums.js';
import { bool, timespan, type KeyContext, type KeyHandler, type KeyTable } from './key-handler.js';
import { triggerUnit } from './path-keys.js';
import type { TimerSection } from './types.js';

/** An empty On*= assignment drops every monotonic and calendar value (timer_free_values()). */
function resetValues(s: TimerSection): void {
  s.monotonic = [];
  s.calendar = [];
}

/** config_parse_timer(): specifiers first, then the value; a bad one is a warning and is ignored. */
function expanded(value: string, ctx: KeyContext): string | undefined {
  const r = expandSpecifiers(value, ctx.specifiers);
  if (r.ok) return r.value;
  ctx.warn(`Failed to resolve unit specifiers in ${value}, ignoring: ${r.error}`);
  return undefined;
}

function monotonic(base: TimerBase): KeyHandler<TimerSection> {
  return (s, value, ctx) => {
    if (value === '') return resetValues(s);
    const text = expanded(value, ctx);
    if (text === undefined) return;
    const r = parseTimespanRaw(text);
    if (!r.ok || !Number.isFinite(r.value)) {
      ctx.warn(`Failed to parse timer value, ignoring: ${value}`);
      return;
    }
    s.monotonic.push({ base, usec: r.value });
  };
}

const onCalendar: KeyHandler<TimerSection> = (s, value, ctx) => {
  if (value === '') return resetValues(s);
  const text = expanded(value, ctx);
  if (text === undefined) return;
  try {
    s.calendar.push(parseCalendarSpec(text));
  } catch (err) {
    if (!(err instanceof CalendarSpecError)) throw err;
    ctx.warn(`Failed to parse calendar specification, ignoring: ${value}`);
  }
};

export const TIMER_KEYS: KeyTable<TimerSection> = {
  ...Object.fromEntries(TIMER_BASES.map((base) => [base, monotonic(base)])),
  OnCalendar: onCalendar,
  Unit: triggerUnit<TimerSection>(),
  OnClockChange: bool((s, v) => (s.onClockChange = v)),
  OnTimezoneChange: bool((s, v) => (s.onTimezoneChange = v)),
  AccuracySec: timespan((s, v) => (s.accuracyUSec = v)),
  RandomizedDelaySec: timespan((s, v) => (s.randomizedDelayUSec = v)),
  FixedRandomDelay: bool((s, v) => (s.fixedRandomDelay = v)),
  Persistent: bool((s, v) => (s.persistent = v)),
  WakeSystem: bool((s, v) => (s.wakeSystem = v)),
  RemainAfterElapse: bool((s, v) => (s.remainAfterElapse = v)),
};

/** timer_verify(): a timer needs something to wait for. */
export function timerRefusal(section: TimerSection): string | undefined {
  const armed = section.monotonic.length > 0 || section.calendar.length > 0 || section.onClockChange || section.onTimezoneChange;
  return armed ? undefined : 'Timer unit lacks value setting. Refusing.';
}

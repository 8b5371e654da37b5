// .timer units (systemd.timer(5), src/core/timer.c): start another unit through a normal job
// when a monotonic span (OnActiveSec= ... OnUnitInactiveSec=) or a calendar event (OnCalendar=)
// elapses. Each timer holds one armed deadline (a single setTimeout, re-armed after every
// elapse, state change of the triggered unit and clock jump); nothing polls. While waiting, a
// timer listens to the manager's TimeChangeWatch (time-change.ts): a wall clock set (timerfd
// cancel-on-set) or a new /etc/localtime recomputes its deadline, or fires OnClockChange= /
// OnTimezoneChange= (timer_time_change(), timer_timezone_change()).
//
// Deviations from systemd 252, all invisible unless one looks at microseconds:
// - AccuracySec= coalescing uses systemd's sleep_between() with the boot-ID perturbation, but
//   per timer: systemd coalesces all event sources of one clock, so it can also fire early
//   within the window when another source wakes its loop. A deadline already due when it is
//   armed fires at once: sd-event dispatches every due source whenever its loop wakes, which
//   a booting manager does at once (a Persistent= run missed while the container was stopped
//   runs during boot, not up to AccuracySec= later).
// - FixedRandomDelay= hashes machine ID, manager kind, UID and unit name with SHA-256, not
//   siphash24 with systemd's key: stable across restarts, but a different offset than systemd's.
// - TRIGGER_TIMER_*_USEC= carry the current trigger's times (252 repeats the first activation's).

import { randomBytes, randomId128, sha256 } from './random-id.js';
import { mkdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Properties, TimerValueState } from '../control/api.js';
import { ProcesslessUnit } from './processless-unit.js';
import { TIMER_STAMP_DIR } from '../units/implicit-deps.js';
import { defaultTimerSection } from '../units/schema/defaults.js';
import type { TimerBase } from '../units/schema/enums.js';
import type { TimerSection } from '../units/schema/types.js';
import { CalendarLoopError, formatCalendarSpec, nextCalendarElapse, type CalendarSpec } from '../units/values/calendar.js';
import { formatTimestamp } from '../units/values/timestamp.js';
import { USEC_PER_SEC } from '../units/values/timespan.js';
import { DeadlineTimer, MANAGER_START, monotonicUSec, NO_TIMESTAMP, type DualTimestamp } from './clock.js';
import { PRIORITY } from './log-sink.js';
import { noTimestamps, recordTransition, timestampProperties, unitBaseProperties, type UnitTimestamps } from './properties.js';
import { RateLimit } from './rate-limit.js';
import { timeChanges, type TimeChange } from './time-change.js';
import { isDown, type ActiveState } from './states.js';
import { DEFAULT_STATUS_MESSAGES, type UnitSnapshot, type LoadedUnit, type StatusMessageFormats, type TriggeredUnitStatus, type UnitHost, type UnitInstance, type UnitType } from './unit-type.js';

/** timer_state_translation_table. */
const TIMER_STATE_TABLE = { dead: 'inactive', waiting: 'active', running: 'active', elapsed: 'active', failed: 'failed' } as const satisfies Record<
  string,
  ActiveState
>;
type TimerState = keyof typeof TIMER_STATE_TABLE;

/** timer_result_to_string(). */
export const TIMER_RESULTS = ['success', 'resources', 'start-limit-hit'] as const;
type TimerResult = (typeof TIMER_RESULTS)[number];

/** The bus names of the monotonic bases (timer_base_to_usec_string()): OnActiveSec → OnActiveUSec. */
function busBaseName(base: TimerBase): string {
  return base.replace(/Sec$/, 'USec');
}

/** The wall clock (follows clock changes, unlike the manager's log timestamps). */
function realtimeUSec(): number {
  return Date.now() * 1000;
}

/**
 * sd-event's per-boot perturbation (initialize_perturb()): the two halves of the boot ID
 * XORed, modulo a minute, so that timers of all machines do not wake at the same instant.
 */
function bootPerturbation(): number {
  try {
    const hex = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim().replace(/-/g, '');
    const bytes = Buffer.from(hex, 'hex');
    if (bytes.length !== 16) return 0;
    return Number((bytes.readBigUInt64LE(0) ^ bytes.readBigUInt64LE(8)) % 60_000_000n);
  } catch {
    return 0;
  }
}

let perturbation: number | undefined;

/**
 * sd-event's sleep_between(): the latest "round" instant in [a, b] (a = the deadline, b = the
 * deadline + AccuracySec=), so that wake-ups of many timers fall together.
 */
export function coalescedWakeup(a: number, b: number, p: number = (perturbation ??= bootPerturbation())): number {
  if (b <= a + 1) return a;
  for (const period of [60 * USEC_PER_SEC, 10 * USEC_PER_SEC, USEC_PER_SEC, 250_000]) {
    let c = Math.floor(b / period) * period + (p % period);
    if (c >= b) c -= period;
    if (c >= a) return c;
  }
  return b;
}

/** FixedRandomDelay=yes: a stable number from machine ID, manager kind, UID and unit name. */
function fixedDelayHash(id: string): bigint {
  let machineId = '';
  try {
    machineId = readFileSync('/etc/machine-id', 'utf8').trim();
  } catch {
    /* SD_ID128_NULL, as systemd when there is none */
  }
  const digest = sha256(`${machineId}\0system\0${process.getuid?.() ?? 0}\0${id}`);
  return digest.readBigUInt64LE(0);
}

export class TimerUnit extends ProcesslessUnit implements UnitInstance {
  private state: TimerState = 'dead';
  private result: TimerResult = 'success';
  private invocationId = '';
  private section: TimerSection;
  private lastTrigger: DualTimestamp = NO_TIMESTAMP;
  /** Per monotonic value: its next elapse (CLOCK_MONOTONIC µs, 0 unarmed) and whether it is spent. */
  private monoNext: number[] = [];
  private monoDisabled: boolean[] = [];
  /** Per calendar value: its next elapse (wall clock µs, 0 never). */
  private calendarNext: number[] = [];
  private nextMonotonic = 0;
  private nextRealtime = 0;
  /** realtime − monotonic when the deadline was armed: a change means the clock was set. */
  private clockOffset = 0;
  private readonly deadline: DeadlineTimer;
  /** Unsubscribes from the manager's clock and zone watch (set while waiting). */
  private timeWatch: (() => void) | undefined;
  private startLimit: RateLimit;
  private wakeSystemLogged = false;
  private readonly ts: UnitTimestamps = noTimestamps();

  constructor(
    private config: LoadedUnit,
    private readonly host: UnitHost,
  ) {
    super();
    this.section = config.schema?.timer ?? defaultTimerSection();
    this.startLimit = new RateLimit(config.unit.startLimitIntervalUSec, config.unit.startLimitBurst);
    this.deadline = new DeadlineTimer(() => this.host.deliver(this.config.id, 'timer', () => this.onDeadline()));
    this.resetValueState();
  }

  get activeState(): ActiveState {
    return TIMER_STATE_TABLE[this.state];
  }

  get subState(): string {
    return this.state;
  }

  /** The unit started on elapse: Unit=, else the service of the same name. */
  private get triggered(): string | undefined {
    return this.config.unit.triggers[0];
  }

  private get stampPath(): string | undefined {
    return this.section.persistent ? join(TIMER_STAMP_DIR, `stamp-${this.config.id}`) : undefined;
  }

  lastResult(): string {
    return this.result;
  }

  private resetValueState(): void {
    this.monoNext = this.section.monotonic.map(() => 0);
    this.monoDisabled = this.section.monotonic.map(() => false);
    this.calendarNext = this.section.calendar.map(() => 0);
  }

  private setState(next: TimerState): void {
    const from = this.activeState;
    const old = this.state;
    this.state = next;
    if (next === 'waiting') this.watchTime();
    else {
      this.deadline.disarm();
      this.unwatchTime();
      this.nextMonotonic = 0;
      this.nextRealtime = 0;
    }
    if (old === next) return;
    const to = this.activeState;
    recordTransition(this.ts, from, to);
    if (from !== to) this.host.stateChanged(this.config.id, { from, to });
  }

  reload(config: LoadedUnit): void {
    this.config = config;
    this.section = config.schema?.timer ?? defaultTimerSection();
    this.resetValueState();
    // timer_coldplug(): a waiting or elapsed timer recomputes from its (kept) last trigger.
    if (this.state === 'waiting' || this.state === 'elapsed') this.enterWaiting(false);
  }

  snapshot(): UnitSnapshot {
    return this.runState();
  }

  private runState() {
    return {
      state: this.state, result: this.result, invocationId: this.invocationId, lastTrigger: this.lastTrigger, monoNext: this.monoNext,
      monoDisabled: this.monoDisabled, calendarNext: this.calendarNext, nextMonotonic: this.nextMonotonic, nextRealtime: this.nextRealtime,
      wakeSystemLogged: this.wakeSystemLogged, ts: this.ts,
    };
  }

  /** The next elapse is the one computed before (RandomizedDelaySec= is not drawn again). */
  restore(snap: UnitSnapshot): void {
    const { ts, ...run } = snap as unknown as ReturnType<TimerUnit['runState']>;
    Object.assign(this, run);
    Object.assign(this.ts, ts);
    if (this.state === 'waiting') {
      this.watchTime();
      this.arm();
    }
  }

  start(): 'started' | 'already' | 'failed' {
    if (this.state === 'waiting' || this.state === 'running' || this.state === 'elapsed') return 'already';
    if (this.config.loadState !== 'loaded') return 'failed';
    const triggered = this.triggered === undefined ? undefined : this.host.unitStatus(this.triggered);
    if (!triggered || triggered.loadState !== 'loaded') {
      this.message(`Refusing to start, unit ${triggered?.id ?? 'n/a'} to trigger not loaded.`, PRIORITY.err);
      return 'failed';
    }
    if (!this.startLimit.below()) {
      this.message('Start request repeated too quickly.', PRIORITY.warning);
      this.host.startLimitHit?.(this.config.id); // StartLimitAction=, as for services (manager.ts)
      this.enterDead('start-limit-hit');
      return 'failed';
    }
    if (this.section.wakeSystem && !this.wakeSystemLogged) {
      this.wakeSystemLogged = true;
      this.message('WakeSystem= is not applicable in a container (no suspend), ignoring.', PRIORITY.info);
    }
    this.invocationId = randomId128();
    this.lastTrigger = NO_TIMESTAMP;
    this.section.monotonic.forEach((v, i) => {
      if (v.base === 'OnActiveSec') this.monoDisabled[i] = false;
    });
    this.loadStamp();
    this.result = 'success';
    this.enterWaiting(false);
    return 'started';
  }

  stop(): 'stopping' | 'already' {
    if (this.state === 'dead' || this.state === 'failed') return 'already';
    this.enterDead('success');
    return 'stopping';
  }

  /** Persistent=: the stamp's mtime is the last trigger; a missing stamp is created now. */
  private loadStamp(): void {
    const path = this.stampPath;
    if (path === undefined) return;
    try {
      const stamp = Number(statSync(path, { bigint: true }).mtimeNs / 1000n);
      if (stamp < realtimeUSec()) this.lastTrigger = { realtime: stamp, monotonic: 0 };
      else this.message(`Not using persistent file timestamp ${formatTimestamp(stamp)} as it is in the future.`, PRIORITY.warning);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') this.touchStamp(realtimeUSec());
      else this.message(`Failed to read persistent file timestamp ${path}: ${(err as Error).message}`, PRIORITY.warning);
    }
  }

  private touchStamp(realtime: number): void {
    const path = this.stampPath;
    if (path === undefined) return;
    try {
      mkdirSync(TIMER_STAMP_DIR, { recursive: true, mode: 0o755 });
      writeFileSync(path, '', { flag: 'a' });
      const seconds = realtime / USEC_PER_SEC;
      utimesSync(path, seconds, seconds);
    } catch (err) {
      this.message(`Failed to update persistent timestamp ${path}: ${(err as Error).message}`, PRIORITY.warning);
    }
  }

  /** timer_enter_waiting(): compute every value's next elapse and arm the earliest. */
  private enterWaiting(timeChange: boolean): void {
    const name = this.triggered;
    if (name === undefined) {
      this.message('Unit to trigger vanished.', PRIORITY.err);
      this.enterDead('resources');
      return;
    }
    const trigger = this.host.unitStatus(name);
    const nowRt = realtimeUSec();
    const nowMono = monotonicUSec();
    const active = this.activeState === 'active';
    let leaveAround = false;
    let nextMono = 0;
    let nextRt = 0;

    this.section.calendar.forEach((spec, i) => {
      // Relative to the last trigger if known (a Persistent= stamp counts), else to the activation.
      const base = this.lastTrigger.realtime > 0 ? this.lastTrigger.realtime : active ? this.ts.inactiveExit.realtime : nowRt;
      let next = this.calendarElapse(spec, base);
      if (next === undefined) {
        this.calendarNext[i] = 0;
        return;
      }
      // A match missed before the manager started (Persistent=) fires at once, at the manager start.
      const managerStart = MANAGER_START.realtime;
      if (next < managerStart) next = managerStart;
      this.calendarNext[i] = next;
      nextRt = nextRt === 0 ? next : Math.min(nextRt, next);
    });

    this.section.monotonic.forEach((value, i) => {
      this.monoNext[i] = 0;
      if (this.monoDisabled[i]) return;
      let base: number;
      switch (value.base) {
        case 'OnActiveSec':
          base = active ? this.ts.inactiveExit.monotonic : nowMono;
          break;
        // In a container systemd counts OnBootSec= from its own start too, not from the host's boot.
        case 'OnBootSec':
        case 'OnStartupSec':
          base = MANAGER_START.monotonic;
          break;
        case 'OnUnitActiveSec':
          leaveAround = true;
          base = Math.max(trigger.inactiveExitMonotonic ?? 0, this.lastTrigger.monotonic);
          if (base <= 0) return;
          break;
        case 'OnUnitInactiveSec':
          leaveAround = true;
          base = Math.max(trigger.inactiveEnterMonotonic ?? 0, this.lastTrigger.monotonic);
          if (base <= 0) return;
          break;
      }
      const next = base + value.usec;
      const oneShot = value.base === 'OnActiveSec' || value.base === 'OnBootSec' || value.base === 'OnStartupSec';
      if (this.lastTrigger.realtime > 0 && !timeChange && next < nowMono && oneShot) {
        this.monoDisabled[i] = true; // a one-time trigger that has fired
        return;
      }
      this.monoNext[i] = next;
      nextMono = nextMono === 0 ? next : Math.min(nextMono, next);
    });

    if (nextMono === 0 && nextRt === 0 && !this.section.onClockChange && !this.section.onTimezoneChange) {
      this.enterElapsed(leaveAround);
      return;
    }
    this.setState('waiting');
    this.nextMonotonic = nextMono === 0 ? 0 : nextMono + this.randomDelay();
    this.nextRealtime = nextRt === 0 ? 0 : nextRt + this.randomDelay();
    this.arm();
  }

  /** The next match after `base`; a search that does not settle is logged (as systemd does) and never elapses. */
  private calendarElapse(spec: CalendarSpec, base: number): number | undefined {
    try {
      return nextCalendarElapse(spec, base);
    } catch (err) {
      if (!(err instanceof CalendarLoopError)) throw err;
      this.message(err.message, PRIORITY.warning);
      return undefined;
    }
  }

  /** RandomizedDelaySec=: a fresh random (or the fixed hash) modulo the span, each time a deadline is computed. */
  private randomDelay(): number {
    const span = this.section.randomizedDelayUSec;
    if (!(span > 0) || !Number.isFinite(span)) return 0;
    const r = this.section.fixedRandomDelay ? fixedDelayHash(this.config.id) : randomBytes(8).readBigUInt64LE(0);
    return Number(r % BigInt(Math.floor(span)));
  }

  /** One setTimeout at the earlier of both clocks' wake-ups, each coalesced into its accuracy window. */
  private arm(): void {
    const nowRt = realtimeUSec();
    const nowMono = monotonicUSec();
    const accuracy = Number.isFinite(this.section.accuracyUSec) ? Math.max(this.section.accuracyUSec, 1) : 0;
    const wakeups: number[] = [];
    const due = (a: number, now: number): number => (a <= now ? a : coalescedWakeup(a, a + accuracy));
    if (this.nextMonotonic > 0) wakeups.push(due(this.nextMonotonic, nowMono));
    if (this.nextRealtime > 0) wakeups.push(nowMono + (due(this.nextRealtime, nowRt) - nowRt));
    this.clockOffset = nowRt - nowMono;
    if (wakeups.length === 0) {
      this.deadline.disarm();
      return;
    }
    this.deadline.armAt(Math.min(...wakeups));
  }

  /** The armed deadline passed: elapse, or notice a clock set the timerfd did not report (it could not be opened). */
  private onDeadline(): void {
    if (this.state !== 'waiting') return;
    const nowRt = realtimeUSec();
    const nowMono = monotonicUSec();
    if (Math.abs(nowRt - nowMono - this.clockOffset) > 500_000) {
      this.timeChanged('clock');
      return;
    }
    const monoDue = this.nextMonotonic > 0 && nowMono >= this.nextMonotonic;
    const rtDue = this.nextRealtime > 0 && nowRt >= this.nextRealtime;
    if (monoDue || rtDue) this.enterRunning();
    else this.arm();
  }

  /** timer_time_change()/timer_timezone_change(): fire OnClockChange=/OnTimezoneChange=, else recompute. */
  private timeChanged(kind: TimeChange): void {
    if (this.state !== 'waiting') return;
    if (kind === 'clock') {
      // Triggered "in the future": the clock went back; let the next elapse come sooner, not later.
      const nowRt = realtimeUSec();
      if (this.lastTrigger.realtime > nowRt) {
        this.message('Changed system clock, rewinding last trigger time.', PRIORITY.info);
        this.lastTrigger = { ...this.lastTrigger, realtime: nowRt };
      }
    }
    const fire = kind === 'clock' ? this.section.onClockChange : this.section.onTimezoneChange;
    if (fire) this.enterRunning();
    else this.enterWaiting(kind === 'clock');
  }

  private watchTime(): void {
    this.timeWatch ??= timeChanges.subscribe(
      (kind) => this.host.deliver(this.config.id, 'timer', () => this.timeChanged(kind)),
      (message) => this.message(message, PRIORITY.warning),
    );
  }

  private unwatchTime(): void {
    this.timeWatch?.();
    this.timeWatch = undefined;
  }

  /** timer_enter_running(): a normal start job for the triggered unit; the trigger time is remembered. */
  private enterRunning(): void {
    const name = this.triggered;
    if (name === undefined) {
      this.message('Unit to trigger vanished.', PRIORITY.err);
      this.enterDead('resources');
      return;
    }
    this.lastTrigger = { realtime: realtimeUSec(), monotonic: monotonicUSec() };
    this.touchStamp(this.lastTrigger.realtime);
    this.setState('running');
    const queued = this.host.triggerStart(name, this.config.id, [
      `TRIGGER_UNIT=${this.config.id}`,
      `TRIGGER_TIMER_REALTIME_USEC=${this.lastTrigger.realtime}`,
      `TRIGGER_TIMER_MONOTONIC_USEC=${this.lastTrigger.monotonic}`,
    ]);
    // The host said "Failed to queue unit startup job: ..."; systemd fails the timer.
    if (!queued) this.enterDead('resources');
  }

  /** Nothing left to arm: stay `elapsed` (RemainAfterElapse=yes, or OnUnit*Sec= may re-arm), else end. */
  private enterElapsed(leaveAround: boolean): void {
    if (leaveAround || this.section.remainAfterElapse) this.setState('elapsed');
    else this.enterDead('success');
  }

  private enterDead(result: TimerResult): void {
    if (this.result === 'success') this.result = result;
    if (this.result !== 'success') this.message(`Failed with result '${this.result}'.`, PRIORITY.warning);
    else if (this.state !== 'dead') this.message('Deactivated successfully.', PRIORITY.info);
    this.setState(this.result === 'success' ? 'dead' : 'failed');
  }

  /** timer_trigger_notify(): the triggered unit changed state or lost its job. */
  triggerNotify(other: TriggeredUnitStatus): void {
    if (other.loadState !== 'loaded') return;
    // Values that depend on the unit's state may fire again.
    this.section.monotonic.forEach((v, i) => {
      if (v.base === 'OnUnitActiveSec' || v.base === 'OnUnitInactiveSec') this.monoDisabled[i] = false;
    });
    switch (this.state) {
      case 'waiting':
      case 'elapsed':
        this.enterWaiting(false);
        break;
      case 'running':
        if (isDown(other.activeState) && !other.hasJob) this.enterWaiting(false);
        break;
      default:
        break;
    }
  }

  resetFailed(): void {
    if (this.state === 'failed') this.setState('dead');
    this.result = 'success';
    this.startLimit.reset();
  }

  fail(result: 'resources'): void {
    this.enterDead(result);
  }

  dispose(): void {
    this.deadline.disarm();
    this.unwatchTime();
  }

  private message(text: string, priority: number): void {
    this.host.unitMessage(this.config.id, text, priority);
  }

  properties(): Properties {
    const s = this.section;
    // 252 lists the values newest first (they are prepended to the timer's list).
    const monotonic: TimerValueState[] = s.monotonic
      .map((v, i) => ({ timerBase: busBaseName(v.base), usec: v.usec, nextElapse: this.monoNext[i] ?? 0 }))
      .reverse();
    const calendar: TimerValueState[] = s.calendar
      .map((spec, i) => ({ timerBase: 'OnCalendar', calendar: formatCalendarSpec(spec), nextElapse: this.calendarNext[i] ?? 0 }))
      .reverse();
    return {
      ...unitBaseProperties(this.config, this.activeState, this.subState, { canReload: false, invocationId: this.invocationId, conditionResult: true }),
      ...timestampProperties(this.ts),
      Unit: this.triggered ?? '',
      TimersMonotonic: monotonic,
      TimersCalendar: calendar,
      OnClockChange: s.onClockChange,
      OnTimezoneChange: s.onTimezoneChange,
      NextElapseUSecRealtime: this.nextRealtime,
      // timer_set_state(): any state but waiting resets the next elapse to USEC_INFINITY, which
      // systemd shows for the monotonic one (the realtime one prints as an empty timestamp).
      NextElapseUSecMonotonic: this.state === 'waiting' ? this.nextMonotonic : Number.POSITIVE_INFINITY,
      LastTriggerUSec: this.lastTrigger.realtime,
      LastTriggerUSecMonotonic: this.lastTrigger.monotonic,
      Result: this.result,
      AccuracyUSec: s.accuracyUSec,
      RandomizedDelayUSec: s.randomizedDelayUSec,
      FixedRandomDelay: s.fixedRandomDelay,
      Persistent: s.persistent,
      WakeSystem: s.wakeSystem,
      RemainAfterElapse: s.remainAfterElapse,
    };
  }
}

/** A timer starts and stops at once (timer_start() returns 1): no "Starting"/"Stopping" line, as under systemd. */
const TIMER_STATUS_MESSAGES: StatusMessageFormats = { ...DEFAULT_STATUS_MESSAGES, starting: {} };

export const timerType: UnitType = {
  suffix: 'timer',
  create: (config, host) => new TimerUnit(config, host),
  statusMessages: () => TIMER_STATUS_MESSAGES,
};

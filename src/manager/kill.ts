// The KillMode= sweep shared by every unit type that runs processes (systemd.kill(5),
// systemd's unit_kill_context()): which signal a kill state sends, who receives it, and
// the wait for emptiness between a signal and its escalation. Services and sockets keep
// their own states; this module only decides and delivers.

import type { KillMode } from '../units/schema/enums.js';
import { SIGNAL } from '../units/values/signal.js';
import { DeadlineTimer, type TimerClock } from './clock.js';
import { readProcess } from './process-tracker.js';

/** The systemd.kill(5) settings of a unit. */
export interface KillSettings {
  killMode: KillMode;
  killSignal: number;
  restartKillSignal: number;
  finalKillSignal: number;
  watchdogSignal: number;
  sendSIGKILL: boolean;
  sendSIGHUP: boolean;
}

/** The kinds of kill state: which signal of KillSettings they send. */
export type KillPhase = 'term' | 'kill' | 'watchdog';

/** The signal a kill phase sends (RestartKillSignal= on the stop half of a restart). */
export function killSignalFor(phase: KillPhase, s: KillSettings, restarting: boolean): number {
  switch (phase) {
    case 'term':
      return restarting ? s.restartKillSignal : s.killSignal;
    case 'watchdog':
      return s.watchdogSignal;
    case 'kill':
      return s.finalKillSignal;
  }
}

/** kill(2) that tells whether the signal was delivered; never signals PID 1 or a synthetic (negative) pid. */
export function signalPid(pid: number, signal: number): boolean {
  if (pid <= 1) return false;
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** The processes a sweep may reach: main and control (0 when none or gone), the rest of the unit on demand. */
export interface KillTargets {
  main: number;
  control: number;
  others(): number[];
}

/**
 * Who gets the signal per KillMode= (systemd.kill(5)): main and control always, the rest of
 * the unit for control-group, and for mixed only in the final SIGKILL. Stopped processes get
 * SIGCONT so they can act on it; SendSIGHUP= adds a SIGHUP. Returns how many were signalled.
 */
export function killProcesses(s: KillSettings, signal: number, final: boolean, targets: KillTargets, onKilled: (pid: number, comm: string) => void): number {
  if (s.killMode === 'none') return 0;
  const pids = new Set<number>();
  if (targets.main > 0) pids.add(targets.main);
  if (targets.control > 0) pids.add(targets.control);
  if (s.killMode === 'control-group' || (s.killMode === 'mixed' && final)) for (const p of targets.others()) pids.add(p);
  let n = 0;
  for (const pid of pids) {
    if (signalPid(pid, signal)) {
      n++;
      if (signal === SIGNAL.KILL) onKilled(pid, readProcess(pid)?.comm ?? '?');
    }
    if (signal !== SIGNAL.KILL && signal !== SIGNAL.CONT) signalPid(pid, SIGNAL.CONT);
    if (s.sendSIGHUP && signal !== SIGNAL.KILL) signalPid(pid, SIGNAL.HUP);
  }
  return n;
}

/**
 * What entering a kill state leads to (systemd's service_enter_signal(), socket_enter_signal()):
 * wait for the processes to go; nothing to wait for, so go straight on to the SIGKILL state
 * (which for KillMode=mixed reaches the rest of the unit); or the next step of the unit's sequence.
 */
export type KillStep = 'wait' | 'escalate' | 'next';

/**
 * Enter a kill state of `phase`: send its signal per KillMode= and tell what follows. `alive`
 * says whether the main or control process has still to be reaped (a synthetic pid of a failed
 * spawn counts: its exit event is still to come).
 */
export function enterKillPhase(s: KillSettings, phase: KillPhase, restarting: boolean, targets: KillTargets & { alive: boolean }, onKilled: (pid: number, comm: string) => void): KillStep {
  const final = phase === 'kill';
  if (final && !s.sendSIGKILL) return 'next';
  const sent = killProcesses(s, killSignalFor(phase, s, restarting), final, targets, onKilled);
  if (sent > 0 || targets.alive) return 'wait';
  return afterKillPhase(phase, s);
}

/** A kill state timed out, or found nothing to wait for: SIGKILL next (SendSIGKILL=yes), or give up and move on. */
export function afterKillPhase(phase: KillPhase, s: KillSettings): 'escalate' | 'next' {
  return phase !== 'kill' && s.sendSIGKILL ? 'escalate' : 'next';
}

/**
 * Waiting in a kill state, without cgroups to report "empty": is the unit done? Not while the
 * main or control process is unreaped, nor (control-group, mixed) while any process of the unit
 * is left. KillMode=mixed SIGKILLs the rest as soon as the main process is gone (`remainder`,
 * given by units that have a main process).
 */
export function killPhaseDone(mode: KillMode, phase: KillPhase, alive: boolean, others: () => number[], remainder?: (left: number[]) => void): boolean {
  if (alive) return false;
  if (mode !== 'control-group' && mode !== 'mixed') return true;
  const left = others();
  if (left.length === 0) return true;
  if (mode === 'mixed' && phase === 'term') remainder?.(left);
  return false;
}

/** KillMode=mixed once the main process is gone: SIGKILL whatever is left of the unit. */
export function killRemainder(left: number[], onKilled: (pid: number, comm: string) => void): void {
  for (const pid of left) {
    const comm = readProcess(pid)?.comm ?? '?';
    if (signalPid(pid, SIGNAL.KILL)) onKilled(pid, comm);
  }
}

/** systemd's line for a process a sweep SIGKILLed. */
export function killedLine(pid: number, comm: string): string {
  return `Killing process ${pid} (${comm}) with signal SIGKILL.`;
}

/**
 * Without cgroups there is no "cgroup empty" event: exits of our children and of orphans
 * re-check at once; processes that are children of someone else are re-checked with a
 * short backoff, bounded by the kill state's own timeout.
 */
export class EmptinessCheck {
  private backoffUSec = 10_000;
  private readonly timer: DeadlineTimer;

  constructor(check: () => void, clock?: TimerClock) {
    this.timer = new DeadlineTimer(check, clock);
  }

  /** A new signal was sent: look again soon. */
  restart(): void {
    this.backoffUSec = 5_000;
    this.schedule();
  }

  schedule(): void {
    this.timer.armIn(this.backoffUSec);
    this.backoffUSec = Math.min(this.backoffUSec * 2, 200_000);
  }

  disarm(): void {
    this.timer.disarm();
  }
}

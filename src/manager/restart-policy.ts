// Exit classification and the Restart= table (semantics §3.5, §3.6;
// service_shall_restart() and service_restart_usec_next() in systemd's service.c).

import type { ChildExit } from '../exec/native.js';
import { CLEAN_EXIT_SIGNALS } from '../units/schema/defaults.js';
import type { ExitStatusSet, ServiceSettings } from './service-settings.js';
import type { ServiceResult } from './states.js';
import type { ServiceType } from '../units/schema/enums.js';



function inSet(set: ExitStatusSet, exit: Pick<ChildExit, 'code' | 'status'>): boolean {
  return exit.code === 'exited' ? set.statuses.includes(exit.status) : set.signals.includes(exit.status);
}

/** Clean exit: 0, SuccessExitStatus=, and (except oneshot) death by HUP/INT/TERM/PIPE. */
export function isCleanExit(exit: Pick<ChildExit, 'code' | 'status'>, type: ServiceType, success: ExitStatusSet): boolean {
  if (exit.code === 'exited') return exit.status === 0 || success.statuses.includes(exit.status);
  if (exit.code === 'killed' && type !== 'oneshot' && (CLEAN_EXIT_SIGNALS as readonly number[]).includes(exit.status)) return true;
  return success.signals.includes(exit.status);
}

/** The Result an exit stands for. */
export function resultOfExit(exit: Pick<ChildExit, 'code' | 'status'>, type: ServiceType, success: ExitStatusSet): ServiceResult {
  if (isCleanExit(exit, type, success)) return 'success';
  if (exit.code === 'exited') return 'exit-code';
  return exit.code === 'dumped' ? 'core-dump' : 'signal';
}

/** Restart= table; RestartPreventExitStatus=/RestartForceExitStatus= look at the main process only. */
export function shallRestart(
  s: ServiceSettings,
  result: ServiceResult,
  mainExit: Pick<ChildExit, 'code' | 'status'> | undefined,
): boolean {
  if (result === 'start-limit-hit' || result === 'exec-condition') return false;
  if (mainExit && inSet(s.restartPreventExitStatus, mainExit)) return false;
  if (mainExit && inSet(s.restartForceExitStatus, mainExit)) return true;
  switch (s.restart) {
    case 'no':
      return false;
    case 'always':
      return true;
    case 'on-success':
      return result === 'success';
    case 'on-failure':
      return result !== 'success';
    case 'on-abnormal':
      return result !== 'success' && result !== 'exit-code';
    case 'on-watchdog':
      return result === 'watchdog';
    case 'on-abort':
      return result === 'signal' || result === 'core-dump';
  }
}

/**
 * Delay before the n-th consecutive automatic restart (n ≥ 1): RestartSec=, growing
 * geometrically to RestartMaxDelaySec= over RestartSteps= steps.
 */
export function restartDelayUSec(s: ServiceSettings, n: number): number {
  const base = s.restartUSec;
  const max = s.restartMaxDelayUSec;
  if (s.restartSteps <= 0 || !Number.isFinite(max) || max <= base || base <= 0) return base;
  if (n <= 1) return base;
  if (n > s.restartSteps) return max;
  return Math.round(base * Math.pow(max / base, (n - 1) / s.restartSteps));
}

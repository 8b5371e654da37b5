// [Service] settings as the state machine uses them (µs for times, numbers for signals).

import { USEC_INFINITY, type ExecCommand } from '../exec/settings.js';
import type { KillMode, NotifyAccess, RestartPolicy, ServiceType } from './states.js';

export interface ExitStatusSet {
  statuses: number[];
  signals: number[];
}

export const EXEC_LISTS = [
  'execCondition',
  'execStartPre',
  'execStart',
  'execStartPost',
  'execReload',
  'execStop',
  'execStopPost',
] as const;
export type ExecListName = (typeof EXEC_LISTS)[number];

/** `ExecStartPre` for `execStartPre`: the property name systemd prints. */
export function execListProperty(list: ExecListName): string {
  return list[0].toUpperCase() + list.slice(1);
}

export interface ServiceSettings extends Record<ExecListName, ExecCommand[]> {
  type: ServiceType;
  exitType: 'main' | 'cgroup';
  restart: RestartPolicy;
  restartUSec: number;
  restartSteps: number;
  restartMaxDelayUSec: number;
  timeoutStartUSec: number;
  timeoutStopUSec: number;
  timeoutAbortUSec: number;
  /** What a start/stop timeout does: KillSignal= (terminate), WatchdogSignal= (abort), or FinalKillSignal= at once (kill). */
  timeoutStartFailureMode: 'terminate' | 'abort' | 'kill';
  timeoutStopFailureMode: 'terminate' | 'abort' | 'kill';
  runtimeMaxUSec: number;
  watchdogUSec: number;
  notifyAccess: NotifyAccess;
  pidFile?: string;
  remainAfterExit: boolean;
  guessMainPID: boolean;
  successExitStatus: ExitStatusSet;
  restartPreventExitStatus: ExitStatusSet;
  restartForceExitStatus: ExitStatusSet;
  killMode: KillMode;
  killSignal: number;
  restartKillSignal: number;
  finalKillSignal: number;
  watchdogSignal: number;
  reloadSignal: number;
  sendSIGHUP: boolean;
  sendSIGKILL: boolean;
  busName?: string;
}

export function defaultServiceSettings(): ServiceSettings {
  return {
    type: 'simple',
    exitType: 'main',
    execCondition: [],
    execStartPre: [],
    execStart: [],
    execStartPost: [],
    execReload: [],
    execStop: [],
    execStopPost: [],
    restart: 'no',
    restartUSec: 100_000,
    restartSteps: 0,
    restartMaxDelayUSec: USEC_INFINITY,
    timeoutStartUSec: 90_000_000,
    timeoutStopUSec: 90_000_000,
    timeoutAbortUSec: 90_000_000,
    timeoutStartFailureMode: 'terminate',
    timeoutStopFailureMode: 'terminate',
    runtimeMaxUSec: USEC_INFINITY,
    watchdogUSec: 0,
    notifyAccess: 'none',
    remainAfterExit: false,
    guessMainPID: true,
    successExitStatus: { statuses: [], signals: [] },
    restartPreventExitStatus: { statuses: [], signals: [] },
    restartForceExitStatus: { statuses: [], signals: [] },
    killMode: 'control-group',
    killSignal: 15,
    restartKillSignal: 15,
    finalKillSignal: 9,
    watchdogSignal: 6,
    reloadSignal: 1,
    sendSIGHUP: false,
    sendSIGKILL: true,
  };
}

/** Defaults that depend on other keys (systemd.service(5)): applied after loading. */
export function applyServiceDefaults(s: ServiceSettings): ServiceSettings {
  if ((s.type === 'notify' || s.type === 'notify-reload' || s.watchdogUSec > 0) && s.notifyAccess === 'none') {
    s.notifyAccess = 'main';
  }
  return s;
}

// Defaults of systemd 252 as `systemctl show` reports them for a minimal unit.

import { USEC_INFINITY, USEC_PER_MINUTE, USEC_PER_MSEC, USEC_PER_SEC } from '../values/timespan.js';
import { emptyExitStatusSet } from '../values/exit-status.js';
import type { InstallSection, PathSection, ServiceSection, SocketSection, UnitSection, TimerSection } from './types.js';

/** DefaultTimeoutStartSec= / DefaultTimeoutStopSec= of the manager. */
export const DEFAULT_TIMEOUT_USEC = 90 * USEC_PER_SEC;
export const DEFAULT_RESTART_USEC = 100 * USEC_PER_MSEC;
export const DEFAULT_START_LIMIT_INTERVAL_USEC = 10 * USEC_PER_SEC;
export const DEFAULT_START_LIMIT_BURST = 5;

import { SIGNAL } from '../values/signal.js';

export function defaultUnitSection(): UnitSection {
  return {
    description: '',
    documentation: [],
    requires: [],
    requisite: [],
    wants: [],
    bindsTo: [],
    partOf: [],
    upholds: [],
    conflicts: [],
    before: [],
    after: [],
    onFailure: [],
    onSuccess: [],
    triggers: [],
    propagatesReloadTo: [],
    reloadPropagatedFrom: [],
    propagatesStopTo: [],
    stopPropagatedFrom: [],
    joinsNamespaceOf: [],
    requiresMountsFor: [],
    defaultDependencies: true,
    stopWhenUnneeded: false,
    refuseManualStart: false,
    refuseManualStop: false,
    allowIsolate: false,
    ignoreOnIsolate: false,
    conditions: [],
    asserts: [],
    successAction: 'none',
    failureAction: 'none',
    startLimitIntervalUSec: DEFAULT_START_LIMIT_INTERVAL_USEC,
    startLimitBurst: DEFAULT_START_LIMIT_BURST,
    startLimitAction: 'none',
    jobTimeoutUSec: USEC_INFINITY,
    jobRunningTimeoutUSec: USEC_INFINITY,
    jobTimeoutAction: 'none',
    onFailureJobMode: 'replace',
    onSuccessJobMode: 'replace',
    collectMode: 'inactive',
  };
}

export function defaultInstallSection(): InstallSection {
  return { wantedBy: [], requiredBy: [], alias: [], also: [] };
}

export function defaultServiceSection(): ServiceSection {
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
    restartUSec: DEFAULT_RESTART_USEC,
    restartSteps: 0,
    restartMaxDelayUSec: USEC_INFINITY,
    timeoutStartUSec: DEFAULT_TIMEOUT_USEC,
    timeoutStopUSec: DEFAULT_TIMEOUT_USEC,
    timeoutAbortUSec: DEFAULT_TIMEOUT_USEC,
    notifyAccess: 'none',
    timeoutStartFailureMode: 'terminate',
    timeoutStopFailureMode: 'terminate',
    runtimeMaxUSec: USEC_INFINITY,
    runtimeRandomizedExtraUSec: 0,
    watchdogUSec: 0,
    remainAfterExit: false,
    guessMainPID: true,
    fileDescriptorStoreMax: 0,
    sockets: [],
    successExitStatus: emptyExitStatusSet(),
    restartPreventExitStatus: emptyExitStatusSet(),
    restartForceExitStatus: emptyExitStatusSet(),
    oomPolicy: 'stop',
    rootDirectoryStartOnly: false,
    killMode: 'control-group',
    killSignal: SIGNAL.TERM,
    restartKillSignal: SIGNAL.TERM,
    finalKillSignal: SIGNAL.KILL,
    sendSIGKILL: true,
    sendSIGHUP: false,
    watchdogSignal: SIGNAL.ABRT,
    reloadSignal: SIGNAL.HUP,
    supplementaryGroups: [],
    workingDirectoryMissingOK: false,
    environment: [],
    environmentFiles: [],
    passEnvironment: [],
    unsetEnvironment: [],
    umask: 0o022,
    limits: {},
    runtimeDirectory: [],
    stateDirectory: [],
    cacheDirectory: [],
    logsDirectory: [],
    configurationDirectory: [],
    runtimeDirectoryMode: 0o755,
    stateDirectoryMode: 0o755,
    cacheDirectoryMode: 0o755,
    logsDirectoryMode: 0o755,
    configurationDirectoryMode: 0o755,
    runtimeDirectoryPreserve: 'no',
    standardInput: { kind: 'null' },
    standardOutput: { kind: 'journal' },
    standardError: { kind: 'inherit' },
    standardInputText: '',
    ttyReset: false,
    ttyVHangup: false,
    ttyVTDisallocate: false,
    syslogLevel: 'info',
    syslogFacility: 'daemon',
    syslogLevelPrefix: true,
    noNewPrivileges: false,
    ignoreSIGPIPE: true,
    ambientCapabilities: [],
    secureBits: 0,
    cpuSchedulingResetOnFork: false,
  };
}

/**
 * systemd's service_add_extras(): the defaults that depend on other settings.
 * `isSet(key)` says whether the unit file assigned [Service] `key` (drop-ins included).
 */
export function deriveServiceDefaults(s: ServiceSection, isSet: (key: string) => boolean): void {
  if (!isSet('Type')) s.type = s.busName !== undefined ? 'dbus' : s.execStart.length > 0 ? 'simple' : 'oneshot';
  const startTimeoutSet = isSet('TimeoutStartSec') || isSet('TimeoutSec');
  if (s.type === 'oneshot' && !startTimeoutSet) s.timeoutStartUSec = USEC_INFINITY;
  if (!isSet('TimeoutAbortSec')) s.timeoutAbortUSec = s.timeoutStopUSec;
  if (!isSet('RestartKillSignal')) s.restartKillSignal = s.killSignal;
  // StandardInput=socket or a terminal: output goes there too unless set (service_fix_stdio():
  // those are two-way streams, so StandardOutput= stays inherit).
  const twoWay = ['socket', 'tty', 'tty-force', 'tty-fail'].includes(s.standardInput.kind);
  if (twoWay && !isSet('StandardOutput')) s.standardOutput = { kind: 'inherit' };
  const notifies = s.type === 'notify' || s.type === 'notify-reload' || s.watchdogUSec > 0 || s.fileDescriptorStoreMax > 0;
  if (notifies && s.notifyAccess === 'none') s.notifyAccess = 'main';
}

/** Signals that count as a clean exit for non-oneshot services (systemd.service(5) SuccessExitStatus=). */
export const CLEAN_EXIT_SIGNALS = [SIGNAL.HUP, SIGNAL.INT, SIGNAL.TERM, SIGNAL.PIPE] as const;

/** [Path] as `systemctl show` reports a minimal path unit (TriggerLimit* observed: 2s, 200). */
export function defaultPathSection(): PathSection {
  return {
    paths: [],
    makeDirectory: false,
    directoryMode: 0o755,
    triggerLimitIntervalUSec: 2 * USEC_PER_SEC,
    triggerLimitBurst: 200,
  };
}

/** [Socket] as `systemctl show` reports a minimal socket unit (systemd 252). */
export function defaultSocketSection(): SocketSection {
  return {
    ports: [],
    accept: false,
    bindIPv6Only: 'default',
    backlog: 2147483647,
    socketMode: 0o666,
    directoryMode: 0o755,
    removeOnStop: false,
    symlinks: [],
    reusePort: false,
    freeBind: false,
    transparent: false,
    broadcast: false,
    passCredentials: false,
    passSecurity: false,
    keepAlive: false,
    keepAliveTimeUSec: 0,
    keepAliveIntervalUSec: 0,
    keepAliveProbes: 0,
    noDelay: false,
    deferAcceptUSec: 0,
    writable: false,
    flushPending: false,
    maxConnections: 64,
    maxConnectionsPerSource: 0,
    timeoutUSec: DEFAULT_TIMEOUT_USEC,
    triggerLimitIntervalUSec: 2 * USEC_PER_SEC,
    exec: defaultServiceSection(),
  };
}

/** DefaultTimerAccuracySec= of the manager (systemd-system.conf(5)): AccuracySec= when unset. */
export const DEFAULT_TIMER_ACCURACY_USEC = USEC_PER_MINUTE;

/** [Timer] as `systemctl show` reports a minimal timer (AccuracyUSec=1min, RemainAfterElapse=yes observed). */
export function defaultTimerSection(): TimerSection {
  return {
    monotonic: [],
    calendar: [],
    onClockChange: false,
    onTimezoneChange: false,
    accuracyUSec: DEFAULT_TIMER_ACCURACY_USEC,
    randomizedDelayUSec: 0,
    fixedRandomDelay: false,
    persistent: false,
    wakeSystem: false,
    remainAfterElapse: true,
  };
}

// Defaults of systemd 252 as `systemctl show` reports them for a minimal unit.

import { USEC_INFINITY, USEC_PER_MSEC, USEC_PER_SEC } from '../values/timespan.js';
import { emptyExitStatusSet } from '../values/exit-status.js';
import type { InstallSection, ServiceSection, UnitSection } from './types.js';

/** DefaultTimeoutStartSec= / DefaultTimeoutStopSec= of the manager. */
export const DEFAULT_TIMEOUT_USEC = 90 * USEC_PER_SEC;
export const DEFAULT_RESTART_USEC = 100 * USEC_PER_MSEC;
export const DEFAULT_START_LIMIT_INTERVAL_USEC = 10 * USEC_PER_SEC;
export const DEFAULT_START_LIMIT_BURST = 5;

const SIGHUP = 1;
const SIGABRT = 6;
const SIGKILL = 9;
const SIGTERM = 15;

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
    successExitStatus: emptyExitStatusSet(),
    restartPreventExitStatus: emptyExitStatusSet(),
    restartForceExitStatus: emptyExitStatusSet(),
    oomPolicy: 'stop',
    rootDirectoryStartOnly: false,
    killMode: 'control-group',
    killSignal: SIGTERM,
    restartKillSignal: SIGTERM,
    finalKillSignal: SIGKILL,
    sendSIGKILL: true,
    sendSIGHUP: false,
    watchdogSignal: SIGABRT,
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
    syslogLevel: 'info',
    syslogFacility: 'daemon',
    syslogLevelPrefix: true,
    noNewPrivileges: false,
    ignoreSIGPIPE: true,
  };
}

/** Signals that count as a clean exit for non-oneshot services (systemd.service(5) SuccessExitStatus=). */
export const CLEAN_EXIT_SIGNALS = [SIGHUP, 2, SIGTERM, 13] as const;

// Maps the units layer's UnitConfig (what the unit file says) onto the settings
// the manager and the exec layer run with.

import type { UnitConfig, ServiceSection, StandardOutput, StandardInput, ExecDirectory as ConfigExecDirectory } from '../units/schema/types.js';
import type { ExecCommand as ConfigExecCommand } from '../units/values/command-line.js';
import { SYSLOG_LEVELS } from '../units/schema/enums.js';
import { defaultExecSettings, type ExecCommand, type ExecDirectory, type ExecSettings, type Privileges, type StdioSetting } from '../exec/settings.js';
import { applyServiceDefaults, defaultServiceSettings, EXEC_LISTS, type ServiceSettings } from './service-settings.js';
import { defaultUnitSettings, type UnitSettings } from './unit-type.js';

export function toExecCommand(c: ConfigExecCommand): ExecCommand {
  let privileges: Privileges = 'normal';
  if (c.flags.includes('privileged')) privileges = 'full';
  else if (c.flags.includes('no-setuid') || c.flags.includes('ambient')) privileges = 'no-credentials';
  return {
    path: c.path,
    argv: [...c.argv],
    ignoreFailure: c.flags.includes('ignore-failure'),
    noExpand: c.flags.includes('no-env-expand'),
    privileges,
  };
}

function stdout(o: StandardOutput): StdioSetting {
  switch (o.kind) {
    case 'null':
    case 'inherit':
    case 'tty':
      return { kind: o.kind };
    case 'journal':
    case 'kmsg':
    case 'socket':
    case 'fd':
      return { kind: 'journal', console: false };
    case 'journal+console':
    case 'kmsg+console':
      return { kind: 'journal', console: true };
    case 'file':
      return { kind: 'file', path: o.target ?? '/dev/null', mode: 'write' };
    case 'append':
    case 'truncate':
      return { kind: 'file', path: o.target ?? '/dev/null', mode: o.kind };
  }
}

function stdin(i: StandardInput, text: string): StdioSetting {
  switch (i.kind) {
    case 'file':
      return { kind: 'file', path: i.target ?? '/dev/null', mode: 'read' };
    case 'data':
      return { kind: 'data', data: Buffer.from(text) };
    case 'tty':
    case 'tty-force':
    case 'tty-fail':
      return { kind: 'tty' };
    default:
      return { kind: 'null' };
  }
}

function dirs(list: ConfigExecDirectory[], mode: number): ExecDirectory {
  return { names: list.map((d) => [d.path, ...d.symlinks].join(':')), mode };
}

export function execSettingsOf(s: ServiceSection, unsupported: string[]): ExecSettings {
  const e = defaultExecSettings();
  e.user = s.user;
  e.group = s.group;
  e.supplementaryGroups = [...s.supplementaryGroups];
  if (s.workingDirectory) e.workingDirectory = { path: s.workingDirectory, missingOk: s.workingDirectoryMissingOK };
  e.rootDirectory = s.rootDirectory;
  e.umask = s.umask;
  e.nice = s.nice;
  e.oomScoreAdjust = s.oomScoreAdjust;
  for (const [resource, value] of Object.entries(s.limits)) {
    if (value) e.limits.push({ resource: resource as ExecSettings['limits'][number]['resource'], soft: value.soft, hard: value.hard });
  }
  e.environment = s.environment.map(([k, v]) => `${k}=${v}`);
  e.environmentFiles = s.environmentFiles.map((f) => ({ path: f.path, optional: f.ignoreMissing }));
  e.passEnvironment = [...s.passEnvironment];
  e.unsetEnvironment = [...s.unsetEnvironment];
  e.runtimeDirectory = dirs(s.runtimeDirectory, s.runtimeDirectoryMode);
  e.stateDirectory = dirs(s.stateDirectory, s.stateDirectoryMode);
  e.cacheDirectory = dirs(s.cacheDirectory, s.cacheDirectoryMode);
  e.logsDirectory = dirs(s.logsDirectory, s.logsDirectoryMode);
  e.configurationDirectory = dirs(s.configurationDirectory, s.configurationDirectoryMode);
  e.runtimeDirectoryPreserve = s.runtimeDirectoryPreserve;
  e.standardInput = stdin(s.standardInput, s.standardInputText);
  e.standardOutput = stdout(s.standardOutput);
  e.standardError = stdout(s.standardError);
  e.syslogIdentifier = s.syslogIdentifier;
  e.syslogLevel = SYSLOG_LEVELS.indexOf(s.syslogLevel);
  e.syslogLevelPrefix = s.syslogLevelPrefix;
  e.notApplied = unsupported;
  return e;
}

export function serviceSettingsOf(s: ServiceSection): ServiceSettings {
  const d = defaultServiceSettings();
  const type = s.type ?? (s.busName ? 'dbus' : s.execStart.length > 0 ? 'simple' : 'oneshot');
  const out: ServiceSettings = {
    ...d,
    type,
    exitType: s.exitType,
    restart: s.restart,
    restartUSec: s.restartUSec,
    timeoutStartUSec: s.timeoutStartUSec ?? (type === 'oneshot' ? Number.POSITIVE_INFINITY : d.timeoutStartUSec),
    timeoutStopUSec: s.timeoutStopUSec,
    timeoutAbortUSec: s.timeoutAbortUSec ?? s.timeoutStopUSec,
    timeoutStartFailureMode: s.timeoutStartFailureMode,
    timeoutStopFailureMode: s.timeoutStopFailureMode,
    runtimeMaxUSec: s.runtimeMaxUSec,
    watchdogUSec: s.watchdogUSec,
    notifyAccess: s.notifyAccess ?? 'none',
    pidFile: s.pidFile,
    remainAfterExit: s.remainAfterExit,
    guessMainPID: s.guessMainPID,
    successExitStatus: s.successExitStatus,
    restartPreventExitStatus: s.restartPreventExitStatus,
    restartForceExitStatus: s.restartForceExitStatus,
    killMode: s.killMode,
    killSignal: s.killSignal,
    restartKillSignal: s.restartKillSignal ?? s.killSignal,
    finalKillSignal: s.finalKillSignal,
    watchdogSignal: s.watchdogSignal,
    sendSIGHUP: s.sendSIGHUP,
    sendSIGKILL: s.sendSIGKILL,
    busName: s.busName,
  };
  for (const list of EXEC_LISTS) out[list] = s[list].map(toExecCommand);
  return applyServiceDefaults(out);
}

export function unitSettingsOf(c: UnitConfig): UnitSettings {
  const u = c.unit;
  return {
    ...defaultUnitSettings(),
    description: u.description,
    documentation: [...u.documentation],
    requires: [...u.requires],
    wants: [...u.wants],
    bindsTo: [...u.bindsTo],
    partOf: [...u.partOf],
    requisite: [...u.requisite],
    conflicts: [...u.conflicts],
    after: [...u.after],
    before: [...u.before],
    onFailure: [...u.onFailure],
    stopWhenUnneeded: u.stopWhenUnneeded,
    refuseManualStart: u.refuseManualStart,
    refuseManualStop: u.refuseManualStop,
    defaultDependencies: u.defaultDependencies,
    startLimitIntervalUSec: u.startLimitIntervalUSec,
    startLimitBurst: u.startLimitBurst,
    startLimitAction: u.startLimitAction,
    upholds: [...u.upholds],
    onSuccess: [...u.onSuccess],
    propagatesReloadTo: [...u.propagatesReloadTo],
    reloadPropagatedFrom: [...u.reloadPropagatedFrom],
    propagatesStopTo: [...u.propagatesStopTo],
    stopPropagatedFrom: [...u.stopPropagatedFrom],
    allowIsolate: u.allowIsolate,
    ignoreOnIsolate: u.ignoreOnIsolate,
    conditions: u.conditions.map((c) => ({ ...c })),
    asserts: u.asserts.map((c) => ({ ...c })),
    successAction: u.successAction,
    failureAction: u.failureAction,
    successActionExitStatus: u.successActionExitStatus,
    failureActionExitStatus: u.failureActionExitStatus,
    onFailureJobMode: u.onFailureJobMode,
    onSuccessJobMode: u.onSuccessJobMode,
  };
}

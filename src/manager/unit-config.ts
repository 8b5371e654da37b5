// Maps the units layer's UnitConfig (what the unit file says) onto the settings
// the manager and the exec layer run with.

import type { UnitConfig, ServiceSection, StandardOutput, StandardInput, ExecDirectory as ConfigExecDirectory } from '../units/schema/types.js';
import { SYSLOG_LEVELS } from '../units/schema/enums.js';
import { defaultExecSettings, type ExecDirectory, type ExecSettings, type StdioSetting } from '../exec/settings.js';
import type { UnitSettings } from './unit-type.js';


function stdout(o: StandardOutput): StdioSetting {
  switch (o.kind) {
    case 'null':
    case 'inherit':
    case 'tty':
      return { kind: o.kind };
    case 'socket':
      return { kind: 'socket' };
    case 'journal':
    case 'kmsg':
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

function stdin(i: StandardInput, text: string, data: string | undefined): StdioSetting {
  switch (i.kind) {
    case 'file':
      return { kind: 'file', path: i.target ?? '/dev/null', mode: 'read' };
    case 'data':
      // Both keys append to one buffer; StandardInputData= holds decoded bytes as latin1.
      return { kind: 'data', data: Buffer.concat([Buffer.from(text), Buffer.from(data ?? '', 'latin1')]) };
    case 'tty':
    case 'tty-force':
    case 'tty-fail':
      return { kind: i.kind };
    case 'socket':
      return { kind: 'socket' };
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
  e.rootDirectoryStartOnly = s.rootDirectoryStartOnly;
  e.noNewPrivileges = s.noNewPrivileges;
  e.cpuAffinity = s.cpuAffinity;
  e.capabilityBoundingSet = s.capabilityBoundingSet;
  e.ambientCapabilities = s.ambientCapabilities;
  e.secureBits = s.secureBits;
  e.cpuScheduling = s.cpuScheduling;
  e.cpuSchedulingResetOnFork = s.cpuSchedulingResetOnFork;
  e.ioPriority = s.ioPriority;
  e.ignoreSigpipe = s.ignoreSIGPIPE;
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
  e.standardInput = stdin(s.standardInput, s.standardInputText, s.standardInputData);
  e.standardOutput = stdout(s.standardOutput);
  e.standardError = stdout(s.standardError);
  e.terminal = { path: s.ttyPath, reset: s.ttyReset, vhangup: s.ttyVHangup, vtDisallocate: s.ttyVTDisallocate, rows: s.ttyRows, columns: s.ttyColumns };
  e.syslogIdentifier = s.syslogIdentifier;
  e.syslogLevel = SYSLOG_LEVELS.indexOf(s.syslogLevel);
  e.syslogLevelPrefix = s.syslogLevelPrefix;
  e.notApplied = unsupported;
  return e;
}

export function unitSettingsOf(c: UnitConfig): UnitSettings {
  // [Install] lists are filled in by the unit source (after .wants/ directories).
  return { ...structuredClone(c.unit), wantedBy: [], requiredBy: [] };
}

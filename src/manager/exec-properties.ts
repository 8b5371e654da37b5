// The exec context's D-Bus properties (systemd's bus_exec_vtable): what `systemctl show`
// reports of a unit's ExecSettings, as raw values in systemd's spelling. Units that run
// processes spread these into their properties().

import type { Properties } from '../control/api.js';
import { readFileSync } from 'node:fs';
import type { ExecSettings } from '../exec/settings.js';
import { CAPABILITIES, capabilityNames } from '../units/values/capabilities.js';
import { IOPRIO_DEFAULT, ioprioClass, ioprioLevel } from '../units/values/ioprio.js';

/** The highest capability the running kernel knows: systemd prints sets up to it (cap_last_cap()). */
let lastCap: number | undefined;
function kernelLastCap(): number {
  if (lastCap === undefined) {
    try {
      lastCap = Number(readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8').trim());
    } catch {
      lastCap = CAPABILITIES.length - 1;
    }
  }
  return lastCap;
}
const UNPRINTABLE = '[unprintable]';
const ALL_CAPS = Array.from({ length: 64 }, (_, i) => i);

/** Environment=, User=, WorkingDirectory=, the directories, stdio and LimitXXX= as `systemctl show` has them. */
export function execContextProperties(e: ExecSettings): Properties {
  const p: Properties = {
    Environment: e.environment,
    EnvironmentFiles: e.environmentFiles.map((f) => `${f.path} (ignore_errors=${f.optional ? 'yes' : 'no'})`),
    PassEnvironment: e.passEnvironment,
    UnsetEnvironment: e.unsetEnvironment,
    User: e.user ?? '',
    Group: e.group ?? '',
    SupplementaryGroups: e.supplementaryGroups,
    WorkingDirectory: e.workingDirectory ? (e.workingDirectory.missingOk ? '!' : '') + e.workingDirectory.path : '',
    UMask: e.umask.toString(8).padStart(4, '0'),
    Nice: e.nice ?? 0,
    OOMScoreAdjust: e.oomScoreAdjust ?? 0,
    RuntimeDirectory: e.runtimeDirectory.names,
    RuntimeDirectoryMode: e.runtimeDirectory.mode.toString(8).padStart(4, '0'),
    RuntimeDirectoryPreserve: e.runtimeDirectoryPreserve,
    StateDirectory: e.stateDirectory.names,
    CacheDirectory: e.cacheDirectory.names,
    LogsDirectory: e.logsDirectory.names,
    ConfigurationDirectory: e.configurationDirectory.names,
    StandardInput: stdioName(e.standardInput),
    StandardOutput: stdioName(e.standardOutput),
    StandardError: stdioName(e.standardError),
    TTYPath: e.terminal.path ?? '',
    TTYReset: e.terminal.reset,
    TTYVHangup: e.terminal.vhangup,
    TTYVTDisallocate: e.terminal.vtDisallocate,
    // systemctl 252 cannot print their D-Bus type (uint16), set or not.
    TTYRows: UNPRINTABLE,
    TTYColumns: UNPRINTABLE,
    SyslogIdentifier: e.syslogIdentifier ?? '',
    CapabilityBoundingSet: capabilityNames(e.capabilityBoundingSet ?? ALL_CAPS, kernelLastCap()),
    AmbientCapabilities: capabilityNames(e.ambientCapabilities, kernelLastCap()),
    SecureBits: e.secureBits,
    // Unset: what the service inherits from the manager (SCHED_OTHER, best-effort 4).
    CPUSchedulingPolicy: e.cpuScheduling?.policy ?? 0,
    CPUSchedulingPriority: e.cpuScheduling?.priority ?? 0,
    CPUSchedulingResetOnFork: e.cpuSchedulingResetOnFork,
    IOSchedulingClass: ioprioClass(e.ioPriority ?? IOPRIO_DEFAULT),
    IOSchedulingPriority: ioprioLevel(e.ioPriority ?? IOPRIO_DEFAULT),
  };
  for (const limit of e.limits) {
    p[`Limit${limit.resource}`] = limit.hard;
    p[`Limit${limit.resource}Soft`] = limit.soft;
  }
  return p;
}

function stdioName(s: ExecSettings['standardOutput']): string {
  switch (s.kind) {
    case 'file':
      return s.mode === 'write' || s.mode === 'read' ? `file:${s.path}` : `${s.mode}:${s.path}`;
    case 'journal':
      return s.console ? 'journal+console' : 'journal';
    default:
      return s.kind;
  }
}

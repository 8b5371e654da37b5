// [Service] (systemd.service(5)) together with the exec (systemd.exec(5)) and kill
// (systemd.kill(5)) keys unitd applies. Known keys not listed here are accepted
// and reported as unsupported by interpret.ts.

import { isValidUnitName } from '../unit-name.js';
import { parseCommandLine } from '../values/command-line.js';
import { parseEnvironmentAssignment, parsePassEnvironment, parseUnsetEnvironment } from '../values/environment.js';
import { parseEnvironmentFileSpec } from '../values/environment-file.js';
import { addToExitStatusSet, type ExitStatusSet } from '../values/exit-status.js';
import { expandSpecifiers } from '../values/specifiers.js';
import { IOPRIO_DEFAULT, ioprioClass, ioprioLevel, ioprioValue } from '../values/ioprio.js';
import { CAP_ALL, capabilityList, capabilityMask, mergeCapabilityLine, secureBitsFromString } from '../values/capabilities.js';
import { parseTasksMax } from '../values/tasks-max.js';
import { parseTimespanRaw, USEC_PER_SEC, USEC_INFINITY } from '../values/timespan.js';
import {
  EXEC_DIRECTORY_PRESERVE,
  KILL_MODES,
  NOTIFY_ACCESS,
  OOM_POLICIES,
  RESOURCE_LIMITS,
  SERVICE_EXIT_TYPES,
  SERVICE_RESTARTS,
  SERVICE_TYPES,
  STANDARD_INPUTS,
  CPU_SCHED_POLICIES,
  IO_SCHED_CLASSES,
  STANDARD_OUTPUTS,
  SYSLOG_FACILITIES,
  SYSLOG_LEVELS,
  TIMEOUT_FAILURE_MODES,
  isOneOf,
  type ResourceLimit,
} from './enums.js';
import { KeyHandler, KeyTable, bool, enumeration, mode, printfString, signal, timespan, unsigned, words } from './key-handler.js';
import type { ExecDirectory, RlimitValue, ServiceSection, StandardOutput } from './types.js';

type CommandField = 'execCondition' | 'execStartPre' | 'execStart' | 'execStartPost' | 'execReload' | 'execStop' | 'execStopPost';

function commands(field: CommandField): KeyHandler<ServiceSection> {
  return (s, value, ctx) => {
    if (value === '') {
      s[field] = [];
      return;
    }
    const r = parseCommandLine(value, ctx.specifiers, (m) => ctx.warn(m));
    if (r.ok) s[field] = [...s[field], ...r.commands];
    else if (r.fatal) ctx.fatal(r.message);
    else ctx.warn(r.message);
  };
}

type StatusField = 'successExitStatus' | 'restartPreventExitStatus' | 'restartForceExitStatus';

function statusSet(field: StatusField): KeyHandler<ServiceSection> {
  return (s, value, ctx) => {
    const next: ExitStatusSet = addToExitStatusSet(s[field], value, (m) => ctx.warn(m));
    s[field] = next;
  };
}

const parameterMessage = (key: string, value: string): string => `Failed to parse ${key}= parameter, ignoring: ${value}`;

const timeoutStart = timespan<ServiceSection>((s, v) => (s.timeoutStartUSec = v), { message: parameterMessage, zeroIsInfinity: true });
const timeoutStop = timespan<ServiceSection>((s, v) => (s.timeoutStopUSec = v), {
  message: (_k, v) => `Failed to parse time value, ignoring: ${v}`,
  zeroIsInfinity: true,
});

function integerInRange(min: number, max: number, messages: { outOfRange: string; invalid: string }, set: (s: ServiceSection, v: number) => void) {
  const handler: KeyHandler<ServiceSection> = (s, value, ctx) => {
    if (!/^[+-]?\d+$/.test(value)) {
      ctx.warn(messages.invalid.replace('%s', value));
      return;
    }
    const n = Number(value);
    if (n < min || n > max) ctx.warn(`${messages.outOfRange}, ignoring: ${value}`);
    else set(s, n);
  };
  return handler;
}

/** Byte-sized limits take K/M/G/T/P/E suffixes (base 1024); count limits plain numbers. */
const SIZE_LIMITS: readonly ResourceLimit[] = ['FSIZE', 'DATA', 'STACK', 'CORE', 'RSS', 'AS', 'MEMLOCK', 'MSGQUEUE'];
const SIZE_SUFFIXES: Record<string, number> = { K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40, P: 2 ** 50, E: 2 ** 60 };

function parseLimitPart(limit: ResourceLimit, s: string): number | undefined {
  if (s === 'infinity') return Infinity;
  if (limit === 'CPU' || limit === 'RTTIME') {
    const r = parseTimespanRaw(s, limit === 'CPU' ? USEC_PER_SEC : 1);
    if (!r.ok) return undefined;
    if (r.value === USEC_INFINITY) return Infinity;
    // RLIMIT_CPU is in seconds (rounded up), RLIMIT_RTTIME in µs.
    return limit === 'CPU' ? Math.ceil(r.value / USEC_PER_SEC) : r.value;
  }
  if (SIZE_LIMITS.includes(limit)) {
    const m = /^(\d+(?:\.\d+)?)\s*([KMGTPE]?)B?$/.exec(s);
    if (!m) return undefined;
    return Math.floor(Number(m[1]) * (m[2] ? SIZE_SUFFIXES[m[2]] : 1));
  }
  return /^\d+$/.test(s) ? Number(s) : undefined;
}

function resourceLimit(limit: ResourceLimit): KeyHandler<ServiceSection> {
  return (s, value, ctx) => {
    const colon = value.indexOf(':');
    const softText = colon < 0 ? value : value.slice(0, colon);
    const hardText = colon < 0 ? value : value.slice(colon + 1);
    const soft = parseLimitPart(limit, softText);
    const hard = parseLimitPart(limit, hardText);
    if (soft === undefined || hard === undefined) {
      ctx.warn(`Failed to parse resource value, ignoring: ${value}`);
      return;
    }
    if (soft > hard) {
      ctx.warn(`Soft resource limit chosen higher than hard limit, ignoring: ${value}`);
      return;
    }
    const v: RlimitValue = { soft, hard };
    s.limits = { ...s.limits, [limit]: v };
  };
}

function standardOutput(set: (s: ServiceSection, v: StandardOutput) => void): KeyHandler<ServiceSection> {
  return (s, value, ctx) => {
    const r = expandSpecifiers(value, ctx.specifiers);
    if (!r.ok) {
      ctx.warn(`Failed to resolve unit specifiers in ${value}, ignoring: ${r.error}`);
      return;
    }
    const v = r.value;
    for (const kind of ['file', 'append', 'truncate'] as const) {
      if (v.startsWith(kind + ':')) {
        const path = v.slice(kind.length + 1);
        if (!path.startsWith('/')) ctx.warn(`${ctx.key}= path is not absolute: ${path}`);
        else set(s, { kind, target: path });
        return;
      }
    }
    if (v.startsWith('fd:')) set(s, { kind: 'fd', target: v.slice(3) === '' ? ctx.key.replace('Standard', '').toLowerCase() : v.slice(3) });
    else if (v === 'syslog' || v === 'syslog+console') set(s, { kind: v === 'syslog' ? 'journal' : 'journal+console' });
    else if (isOneOf(STANDARD_OUTPUTS, v)) set(s, { kind: v });
    else ctx.warn(`Failed to parse output specifier, ignoring: ${value}`);
  };
}

/** TTYRows=/TTYColumns=: an unsigned number; empty: back to the terminal's own size. */
function terminalSize(set: (s: ServiceSection, v: number | undefined) => void): KeyHandler<ServiceSection> {
  const parse = unsigned<ServiceSection>(set);
  return (s, value, ctx) => (value.trim() === '' ? set(s, undefined) : parse(s, value, ctx));
}

const standardInput: KeyHandler<ServiceSection> = (s, value, ctx) => {
  const r = expandSpecifiers(value, ctx.specifiers);
  if (!r.ok) {
    ctx.warn(`Failed to resolve unit specifiers in ${value}, ignoring: ${r.error}`);
    return;
  }
  const v = r.value;
  if (v.startsWith('file:')) {
    const path = v.slice(5);
    if (!path.startsWith('/')) ctx.warn(`StandardInput= path is not absolute: ${path}`);
    else s.standardInput = { kind: 'file', target: path };
  } else if (v.startsWith('fd:')) s.standardInput = { kind: 'fd', target: v.slice(3) || 'stdin' };
  else if (isOneOf(STANDARD_INPUTS, v)) s.standardInput = { kind: v };
  else ctx.warn(`Failed to parse input specifier, ignoring: ${value}`);
};

type DirectoryField = 'runtimeDirectory' | 'stateDirectory' | 'cacheDirectory' | 'logsDirectory' | 'configurationDirectory';

/** RuntimeDirectory= & co: relative, normalized paths, optionally `path:symlink`. */
function execDirectories(field: DirectoryField): KeyHandler<ServiceSection> {
  return words(
    (s, items) => {
      for (const item of items) {
        const [path, ...symlinks] = item.split(':');
        if (path.startsWith('/')) continue; // reported below
        s[field] = [...s[field], { path: path.replace(/\/+/g, '/').replace(/^(\.\/)+/, ''), symlinks } as ExecDirectory];
      }
    },
    { resetOnEmpty: (s) => (s[field] = []) },
  );
}

function checkedExecDirectories(field: DirectoryField): KeyHandler<ServiceSection> {
  const inner = execDirectories(field);
  return (s, value, ctx) => {
    const good: string[] = [];
    for (const item of value.split(/[ \t\n\r]+/).filter((w) => w !== '')) {
      const path = item.split(':')[0];
      if (path.startsWith('/')) ctx.warn(`${ctx.key}= path is absolute, ignoring: ${path}`);
      else if (path.split('/').includes('..')) ctx.warn(`${ctx.key}= path is not normalized, ignoring: ${path}`);
      else good.push(item);
    }
    if (value === '' || good.length > 0) inner(s, good.join(' '), ctx);
  };
}

const workingDirectory: KeyHandler<ServiceSection> = (s, value, ctx) => {
  if (value === '') {
    s.workingDirectory = undefined;
    s.workingDirectoryMissingOK = false;
    return;
  }
  const missingOK = value.startsWith('-');
  const raw = missingOK ? value.slice(1) : value;
  const r = expandSpecifiers(raw, ctx.specifiers);
  if (!r.ok) {
    if (missingOK) ctx.warn(`Failed to resolve unit specifiers in ${raw}, ignoring: ${r.error}`);
    else ctx.fatal(`Failed to resolve unit specifiers in ${raw}: ${r.error}`);
    return;
  }
  if (r.value !== '~' && !r.value.startsWith('/')) {
    // Only a "-" path may be wrong without making the unit unloadable.
    if (missingOK) ctx.warn(`WorkingDirectory= path is not absolute, ignoring: ${r.value}`);
    else ctx.fatal(`WorkingDirectory= path is not absolute: ${r.value}`);
    return;
  }
  s.workingDirectory = r.value;
  s.workingDirectoryMissingOK = missingOK;
};

/** User=/Group=: a name or number; a specifier failure is fatal in systemd. */
function credential(set: (s: ServiceSection, v: string | undefined) => void): KeyHandler<ServiceSection> {
  return (s, value, ctx) => {
    const r = expandSpecifiers(value, ctx.specifiers);
    if (!r.ok) {
      ctx.fatal(`Failed to resolve unit specifiers in ${value}: ${r.error}`);
      return;
    }
    set(s, r.value === '' ? undefined : r.value);
  };
}

const busName: KeyHandler<ServiceSection> = (s, value, ctx) => {
  // D-Bus well-known names: two or more dot-separated elements of [A-Za-z0-9_-], not starting with a digit.
  if (/^[A-Za-z_-][A-Za-z0-9_-]*(\.[A-Za-z_-][A-Za-z0-9_-]*)+$/.test(value) && value.length <= 255) s.busName = value;
  else ctx.warn(`Invalid bus name, ignoring: ${value}`);
};

const LIMIT_KEYS: Record<string, KeyHandler<ServiceSection>> = Object.fromEntries(
  RESOURCE_LIMITS.map((l) => [`Limit${l}`, resourceLimit(l)]),
);

export const SERVICE_KEYS: KeyTable<ServiceSection> = {
  Type: enumeration(SERVICE_TYPES, 'service type', (s, v) => (s.type = v)),
  ExitType: enumeration(SERVICE_EXIT_TYPES, 'service exit type', (s, v) => (s.exitType = v)),
  ExecCondition: commands('execCondition'),
  ExecStartPre: commands('execStartPre'),
  ExecStart: commands('execStart'),
  ExecStartPost: commands('execStartPost'),
  ExecReload: commands('execReload'),
  ExecStop: commands('execStop'),
  ExecStopPost: commands('execStopPost'),
  Restart: enumeration(SERVICE_RESTARTS, 'service restart specifier', (s, v) => (s.restart = v)),
  RestartSec: timespan((s, v) => (s.restartUSec = v)),
  RestartSteps: unsigned((s, v) => (s.restartSteps = v)),
  RestartMaxDelaySec: timespan((s, v) => (s.restartMaxDelayUSec = v)),
  TimeoutSec: (s, value, ctx) => {
    const r = parseTimespanRaw(value);
    if (!r.ok) return ctx.warn(parameterMessage('TimeoutSec', value));
    const v = r.value === 0 ? USEC_INFINITY : r.value;
    s.timeoutStartUSec = v;
    s.timeoutStopUSec = v;
  },
  TimeoutStartSec: timeoutStart,
  TimeoutStopSec: timeoutStop,
  TimeoutAbortSec: (s, value, ctx) => {
    if (value === '') return; // back to "same as TimeoutStopSec=", settled in interpret.ts
    const r = parseTimespanRaw(value);
    if (!r.ok) return ctx.warn(`Failed to parse TimeoutAbortSec= setting, ignoring: ${value}`);
    s.timeoutAbortUSec = r.value === 0 ? USEC_INFINITY : r.value;
  },
  TimeoutStartFailureMode: enumeration(TIMEOUT_FAILURE_MODES, 'timeout failure mode', (s, v) => (s.timeoutStartFailureMode = v)),
  TimeoutStopFailureMode: enumeration(TIMEOUT_FAILURE_MODES, 'timeout failure mode', (s, v) => (s.timeoutStopFailureMode = v)),
  RuntimeMaxSec: timespan((s, v) => (s.runtimeMaxUSec = v)),
  RuntimeRandomizedExtraSec: timespan((s, v) => (s.runtimeRandomizedExtraUSec = v)),
  WatchdogSec: timespan((s, v) => (s.watchdogUSec = v)),
  NotifyAccess: enumeration(NOTIFY_ACCESS, 'notify access specifier', (s, v) => (s.notifyAccess = v)),
  PIDFile: (s, value, ctx) => {
    if (value === '') return void (s.pidFile = undefined);
    const r = expandSpecifiers(value, ctx.specifiers);
    if (!r.ok) return ctx.warn(`Failed to resolve unit specifiers in ${value}, ignoring: ${r.error}`);
    // Relative PID files live under /run (systemd.service(5)).
    s.pidFile = r.value.startsWith('/') ? r.value : `/run/${r.value}`;
  },
  RemainAfterExit: bool((s, v) => (s.remainAfterExit = v)),
  GuessMainPID: bool((s, v) => (s.guessMainPID = v)),
  BusName: busName,
  FileDescriptorStoreMax: unsigned((s, v) => (s.fileDescriptorStoreMax = v)),
  Sockets: (s, value, ctx) =>
    words<ServiceSection>((t, names) => {
      for (const name of names) {
        if (!isValidUnitName(name) || !name.endsWith('.socket')) ctx.warn(`Unit must be of type socket, ignoring: ${name}`);
        else if (!t.sockets.includes(name)) t.sockets.push(name);
      }
    })(s, value, ctx),
  SuccessExitStatus: statusSet('successExitStatus'),
  RestartPreventExitStatus: statusSet('restartPreventExitStatus'),
  RestartForceExitStatus: statusSet('restartForceExitStatus'),
  OOMPolicy: enumeration(OOM_POLICIES, 'OOM policy', (s, v) => (s.oomPolicy = v)),
  RootDirectoryStartOnly: bool((s, v) => (s.rootDirectoryStartOnly = v)),
  // systemd.kill(5)
  KillMode: enumeration(KILL_MODES, 'kill mode specification', (s, v) => (s.killMode = v)),
  KillSignal: signal((s, v) => (s.killSignal = v)),
  RestartKillSignal: signal((s, v) => (s.restartKillSignal = v)),
  FinalKillSignal: signal((s, v) => (s.finalKillSignal = v)),
  WatchdogSignal: signal((s, v) => (s.watchdogSignal = v)),
  ReloadSignal: signal((s, v) => (s.reloadSignal = v)),
  SendSIGKILL: bool((s, v) => (s.sendSIGKILL = v)),
  SendSIGHUP: bool((s, v) => (s.sendSIGHUP = v)),
  // systemd.exec(5)
  User: credential((s, v) => (s.user = v)),
  Group: credential((s, v) => (s.group = v)),
  SupplementaryGroups: words((s, groups) => (s.supplementaryGroups = [...s.supplementaryGroups, ...groups]), {
    resetOnEmpty: (s) => (s.supplementaryGroups = []),
  }),
  WorkingDirectory: workingDirectory,
  RootDirectory: printfString((s, v) => (s.rootDirectory = v === '' ? undefined : v)),
  Environment: (s, value, ctx) => {
    if (value === '') return void (s.environment = []);
    const r = parseEnvironmentAssignment(value, ctx.specifiers, (m) => ctx.warn(m));
    s.environment = [...s.environment, ...r.assignments];
  },
  EnvironmentFile: (s, value, ctx) => {
    if (value === '') return void (s.environmentFiles = []);
    const r = expandSpecifiers(value, ctx.specifiers);
    if (!r.ok) return ctx.warn(`Failed to resolve unit specifiers in ${value}, ignoring: ${r.error}`);
    const spec = parseEnvironmentFileSpec(r.value);
    if (spec.ok) s.environmentFiles = [...s.environmentFiles, spec.value];
    else ctx.warn(spec.error);
  },
  PassEnvironment: (s, value, ctx) => {
    if (value === '') return void (s.passEnvironment = []);
    s.passEnvironment = [...s.passEnvironment, ...parsePassEnvironment(value, ctx.specifiers, (m) => ctx.warn(m))];
  },
  UnsetEnvironment: (s, value, ctx) => {
    if (value === '') return void (s.unsetEnvironment = []);
    s.unsetEnvironment = [...s.unsetEnvironment, ...parseUnsetEnvironment(value, ctx.specifiers, (m) => ctx.warn(m))];
  },
  UMask: mode((s, v) => (s.umask = v)),
  Nice: integerInRange(-20, 19, { outOfRange: 'Nice priority out of range', invalid: "Failed to parse nice priority '%s', ignoring: Invalid argument" }, (s, v) => (s.nice = v)),
  OOMScoreAdjust: integerInRange(
    -1000,
    1000,
    { outOfRange: 'OOM score adjust value out of range', invalid: "Failed to parse the OOM score adjust value '%s', ignoring: Invalid argument" },
    (s, v) => (s.oomScoreAdjust = v),
  ),
  ...LIMIT_KEYS,
  TasksMax: (s, value, ctx) => {
    const r = parseTasksMax(value);
    if (typeof r === 'string') ctx.warn(r);
    else s.tasksMax = r;
  },
  RuntimeDirectory: checkedExecDirectories('runtimeDirectory'),
  StateDirectory: checkedExecDirectories('stateDirectory'),
  CacheDirectory: checkedExecDirectories('cacheDirectory'),
  LogsDirectory: checkedExecDirectories('logsDirectory'),
  ConfigurationDirectory: checkedExecDirectories('configurationDirectory'),
  RuntimeDirectoryMode: mode((s, v) => (s.runtimeDirectoryMode = v)),
  StateDirectoryMode: mode((s, v) => (s.stateDirectoryMode = v)),
  CacheDirectoryMode: mode((s, v) => (s.cacheDirectoryMode = v)),
  LogsDirectoryMode: mode((s, v) => (s.logsDirectoryMode = v)),
  ConfigurationDirectoryMode: mode((s, v) => (s.configurationDirectoryMode = v)),
  RuntimeDirectoryPreserve: (s, value, ctx) => {
    const v = value.toLowerCase();
    const asBool: Record<string, 'yes' | 'no'> = { '1': 'yes', y: 'yes', true: 'yes', t: 'yes', on: 'yes', '0': 'no', n: 'no', false: 'no', f: 'no', off: 'no' };
    const word = asBool[v] ?? v;
    if (isOneOf(EXEC_DIRECTORY_PRESERVE, word)) s.runtimeDirectoryPreserve = word;
    else ctx.warn(`Failed to parse runtime directory preserve mode, ignoring: ${value}`);
  },
  StandardInput: standardInput,
  StandardOutput: standardOutput((s, v) => (s.standardOutput = v)),
  StandardError: standardOutput((s, v) => (s.standardError = v)),
  StandardInputText: (s, value, ctx) => {
    const r = expandSpecifiers(value, ctx.specifiers);
    if (!r.ok) return ctx.warn(`Failed to resolve unit specifiers in ${value}, ignoring: ${r.error}`);
    s.standardInputText = value === '' ? '' : s.standardInputText + r.value + '\n';
  },
  StandardInputData: (s, value, ctx) => {
    if (value === '') return void (s.standardInputData = undefined);
    const compact = value.replace(/[ \t\n\r]+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return ctx.warn(`Failed to decode base64 data, ignoring: ${value}`);
    s.standardInputData = (s.standardInputData ?? '') + Buffer.from(compact, 'base64').toString('latin1');
  },
  TTYPath: printfString((s, v) => (s.ttyPath = v), { quoted: false }),
  TTYReset: bool((s, v) => (s.ttyReset = v)),
  TTYVHangup: bool((s, v) => (s.ttyVHangup = v)),
  TTYVTDisallocate: bool((s, v) => (s.ttyVTDisallocate = v)),
  TTYRows: terminalSize((s, v) => (s.ttyRows = v)),
  TTYColumns: terminalSize((s, v) => (s.ttyColumns = v)),
  SyslogIdentifier: printfString((s, v) => (s.syslogIdentifier = v === '' ? undefined : v)),
  SyslogLevel: enumeration(SYSLOG_LEVELS, 'log level', (s, v) => (s.syslogLevel = v)),
  SyslogFacility: (s, value, ctx) => {
    if (value !== '' && (SYSLOG_FACILITIES as readonly string[]).includes(value)) s.syslogFacility = value;
    else ctx.warn(`Failed to parse log facility, ignoring: ${value}`);
  },
  SyslogLevelPrefix: bool((s, v) => (s.syslogLevelPrefix = v)),
  NoNewPrivileges: bool((s, v) => (s.noNewPrivileges = v)),
  IgnoreSIGPIPE: bool((s, v) => (s.ignoreSIGPIPE = v)),
  // Lines add up; an empty value resets (systemd.exec(5)).
  CPUAffinity: (s, value, ctx) => {
    if (value === '') {
      s.cpuAffinity = undefined;
      return;
    }
    const cpus = parseCpuSet(value);
    if (cpus === undefined) ctx.warn(`Failed to parse CPU affinity '${value}', ignoring: Invalid argument`);
    else s.cpuAffinity = [...new Set([...(s.cpuAffinity ?? []), ...cpus])].sort((a, b) => a - b);
  },

  // config_parse_capability_set(): the first line replaces the initial set, later ones merge.
  CapabilityBoundingSet: (s, value) => {
    const current = s.capabilityBoundingSet === undefined ? CAP_ALL : capabilityMask(s.capabilityBoundingSet);
    const next = mergeCapabilityLine(current, value, CAP_ALL);
    s.capabilityBoundingSet = next === CAP_ALL ? undefined : capabilityList(next);
  },
  AmbientCapabilities: (s, value) => {
    s.ambientCapabilities = capabilityList(mergeCapabilityLine(capabilityMask(s.ambientCapabilities), value, 0n));
  },
  SecureBits: (s, value) => void (s.secureBits = secureBitsFromString(value)),
  CPUSchedulingPolicy: (s, value, ctx) => {
    if (value === '') return void (s.cpuScheduling = undefined);
    const policy = schedPolicyFromString(value);
    if (policy === undefined) return ctx.warn(`Failed to parse CPU scheduling policy, ignoring: ${value}`);
    // systemd clamps the priority into the policy's range: 1..99 for fifo/rr, 0 otherwise.
    const realtime = policy === CPU_SCHED_POLICIES.fifo || policy === CPU_SCHED_POLICIES.rr;
    const priority = Math.min(Math.max(s.cpuScheduling?.priority ?? 0, realtime ? 1 : 0), realtime ? 99 : 0);
    s.cpuScheduling = { policy, priority };
  },
  CPUSchedulingPriority: (s, value, ctx) => {
    if (!/^[+-]?\d+$/.test(value)) return ctx.warn(`Failed to parse CPU scheduling priority, ignoring: ${value}`);
    const priority = Number(value);
    if (priority < 0 || priority > 99) return ctx.warn(`CPU scheduling priority is out of range, ignoring: ${value}`);
    s.cpuScheduling = { policy: s.cpuScheduling?.policy ?? CPU_SCHED_POLICIES.other, priority };
  },
  CPUSchedulingResetOnFork: bool((s, v) => (s.cpuSchedulingResetOnFork = v)),
  IOSchedulingClass: (s, value, ctx) => {
    if (value === '') return void (s.ioPriority = undefined);
    const ioClass = ioClassFromString(value);
    if (ioClass === undefined) return ctx.warn(`Failed to parse IO scheduling class, ignoring: ${value}`);
    s.ioPriority = ioprioValue(ioClass, ioprioLevel(s.ioPriority ?? IOPRIO_DEFAULT));
  },
  IOSchedulingPriority: (s, value, ctx) => {
    if (value === '') return void (s.ioPriority = undefined);
    if (!/^\d+$/.test(value) || Number(value) > 7) return ctx.warn(`Failed to parse IO priority, ignoring: ${value}`);
    s.ioPriority = ioprioValue(ioprioClass(s.ioPriority ?? IOPRIO_DEFAULT), Number(value));
  },
};

/** Name or, as systemd's string tables with fallback allow, the number itself. */
function lookupWithFallback(table: Record<string, number>, value: string): number | undefined {
  if (Object.hasOwn(table, value)) return table[value];
  if (!/^\d+$/.test(value)) return undefined;
  const n = Number(value);
  return Object.values(table).includes(n) ? n : undefined;
}

function schedPolicyFromString(value: string): number | undefined {
  return lookupWithFallback(CPU_SCHED_POLICIES, value);
}

function ioClassFromString(value: string): number | undefined {
  return lookupWithFallback(IO_SCHED_CLASSES, value);
}

/** The CPU numbers the native spawn can set (a cpu_set_t). */
export const MAX_CPU = 1023;

/** `0 2-3,5`: indices and ranges separated by blanks or commas; undefined when malformed. */
export function parseCpuSet(value: string): number[] | undefined {
  const out: number[] = [];
  for (const item of value.split(/[\s,]+/).filter((w) => w !== '')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(item);
    if (!m) return undefined;
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (from > to || to > MAX_CPU) return undefined;
    for (let cpu = from; cpu <= to; cpu++) out.push(cpu);
  }
  return out;
}

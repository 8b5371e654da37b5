// The exec settings of a unit in the shape the spawner needs them. The units layer
// parses unit files; src/manager/unit-config.ts maps its UnitConfig onto these.

import type { ResourceLimit } from '../units/schema/enums.js';
import type { ServiceSection } from '../units/schema/types.js';

/** Which credentials a command runs with (prefixes `+`, `!`, `!!`, systemd.service(5) "Command lines"). */
export type Privileges = 'normal' | 'full' | 'no-credentials';

export interface ExecCommand {
  path: string;
  /** argv as passed to execve (argv[0] may differ from path with `@`). */
  argv: string[];
  /** `-`: failure is logged but treated as success. */
  ignoreFailure: boolean;
  /** `:`: no environment variable expansion. */
  noExpand: boolean;
  privileges: Privileges;
}

export type StdioSetting =
  | { kind: 'null' }
  | { kind: 'inherit' }
  | { kind: 'journal'; console: boolean }
  /** stdin: tty (waits for it), tty-force (steals it), tty-fail (208/STDIN when taken); stdout/stderr: tty. */
  | { kind: 'tty' | 'tty-force' | 'tty-fail' }
  | { kind: 'file'; path: string; mode: 'read' | 'write' | 'truncate' | 'append' }
  | { kind: 'data'; data: Buffer }
  /** StandardInput=/StandardOutput=socket: the one fd a socket unit passes (run-command.ts). */
  | { kind: 'socket' };

export type RlimitResource = ResourceLimit;

export interface Rlimit {
  resource: RlimitResource;
  soft: number;
  hard: number;
}

export interface ExecDirectory {
  /** Relative names, optionally `name:link`. */
  names: string[];
  mode: number;
}

/** The terminal when TTYPath= is not set (systemd's exec_context_tty_path()). */
export const DEFAULT_TTY_PATH = '/dev/console';

/** TTYPath= and the TTY*= keys (systemd.exec(5)); used when some stdio is a tty or TTYPath= is set. */
export interface TerminalSettings {
  /** TTYPath=; undefined: /dev/console. */
  path?: string;
  reset: boolean;
  vhangup: boolean;
  vtDisallocate: boolean;
  rows?: number;
  columns?: number;
}

/** The privilege and scheduling keys go to the child as the schema parsed them. */
type ChildPrivileges = Pick<
  ServiceSection,
  'cpuAffinity' | 'capabilityBoundingSet' | 'ambientCapabilities' | 'secureBits' | 'cpuScheduling' | 'cpuSchedulingResetOnFork' | 'ioPriority'
>;

export interface ExecSettings extends ChildPrivileges {
  user?: string;
  group?: string;
  supplementaryGroups: string[];
  workingDirectory?: { path: string; missingOk: boolean };
  rootDirectory?: string;
  /** RootDirectoryStartOnly=: the root applies to ExecStart= only. */
  rootDirectoryStartOnly: boolean;
  noNewPrivileges: boolean;
  /** IgnoreSIGPIPE= (systemd's default: yes). */
  ignoreSigpipe: boolean;
  umask: number;
  nice?: number;
  oomScoreAdjust?: number;
  limits: Rlimit[];
  /** `NAME=value` assignments of Environment=, in order. */
  environment: string[];
  environmentFiles: { path: string; optional: boolean }[];
  passEnvironment: string[];
  unsetEnvironment: string[];
  runtimeDirectory: ExecDirectory;
  stateDirectory: ExecDirectory;
  cacheDirectory: ExecDirectory;
  logsDirectory: ExecDirectory;
  configurationDirectory: ExecDirectory;
  runtimeDirectoryPreserve: 'no' | 'yes' | 'restart';
  standardInput: StdioSetting;
  standardOutput: StdioSetting;
  /** `inherit` means "same as stdout". */
  standardError: StdioSetting;
  terminal: TerminalSettings;
  syslogIdentifier?: string;
  /** SyslogLevel= as a number, 0 (emerg) .. 7 (debug); undefined means info. */
  syslogLevel?: number;
  /** SyslogLevelPrefix= (undefined means yes). */
  syslogLevelPrefix?: boolean;
  /** Sandboxing keys that are set but cannot apply in a container (logged once per unit). */
  notApplied: string[];
}

export function defaultExecSettings(): ExecSettings {
  const dir = (): ExecDirectory => ({ names: [], mode: 0o755 });
  return {
    supplementaryGroups: [],
    rootDirectoryStartOnly: false,
    noNewPrivileges: false,
    ambientCapabilities: [],
    secureBits: 0,
    cpuSchedulingResetOnFork: false,
    ignoreSigpipe: true,
    umask: 0o022,
    limits: [],
    environment: [],
    environmentFiles: [],
    passEnvironment: [],
    unsetEnvironment: [],
    runtimeDirectory: dir(),
    stateDirectory: dir(),
    cacheDirectory: dir(),
    logsDirectory: dir(),
    configurationDirectory: dir(),
    runtimeDirectoryPreserve: 'no',
    standardInput: { kind: 'null' },
    standardOutput: { kind: 'journal', console: false },
    standardError: { kind: 'inherit' },
    terminal: { reset: false, vhangup: false, vtDisallocate: false },
    notApplied: [],
  };
}

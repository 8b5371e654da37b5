// Enumerated settings, each defined once as a const array: the array parses the
// unit file, the derived union types the config, and the same strings are what
// `systemctl show` prints.

export const SERVICE_TYPES = ['simple', 'exec', 'forking', 'oneshot', 'dbus', 'notify', 'notify-reload', 'idle'] as const;
export type ServiceType = (typeof SERVICE_TYPES)[number];

export const SERVICE_RESTARTS = ['no', 'on-success', 'on-failure', 'on-abnormal', 'on-watchdog', 'on-abort', 'always'] as const;
export type ServiceRestart = (typeof SERVICE_RESTARTS)[number];

export const SERVICE_EXIT_TYPES = ['main', 'cgroup'] as const;
export type ServiceExitType = (typeof SERVICE_EXIT_TYPES)[number];

export const NOTIFY_ACCESS = ['none', 'main', 'exec', 'all'] as const;
export type NotifyAccess = (typeof NOTIFY_ACCESS)[number];

export const KILL_MODES = ['control-group', 'process', 'mixed', 'none'] as const;
export type KillMode = (typeof KILL_MODES)[number];

export const EMERGENCY_ACTIONS = [
  'none',
  'reboot',
  'reboot-force',
  'reboot-immediate',
  'poweroff',
  'poweroff-force',
  'poweroff-immediate',
  'exit',
  'exit-force',
  'soft-reboot',
  'soft-reboot-force',
  'kexec',
  'kexec-force',
  'halt',
  'halt-force',
  'halt-immediate',
] as const;
export type EmergencyAction = (typeof EMERGENCY_ACTIONS)[number];

/**
 * Job modes (systemctl --job-mode=, OnFailureJobMode=). `triggering` behaves as
 * `replace` here: unitd has no triggering units whose stop it would add.
 */
export const JOB_MODES = [
  'fail',
  'replace',
  'replace-irreversibly',
  'isolate',
  'flush',
  'ignore-dependencies',
  'ignore-requirements',
  'triggering',
] as const;
export type JobMode = (typeof JOB_MODES)[number];

export const COLLECT_MODES = ['inactive', 'inactive-or-failed'] as const;
export type CollectMode = (typeof COLLECT_MODES)[number];

export const TIMEOUT_FAILURE_MODES = ['terminate', 'abort', 'kill'] as const;
export type TimeoutFailureMode = (typeof TIMEOUT_FAILURE_MODES)[number];

export const OOM_POLICIES = ['continue', 'stop', 'kill'] as const;
export type OomPolicy = (typeof OOM_POLICIES)[number];

export const EXEC_DIRECTORY_PRESERVE = ['no', 'yes', 'restart'] as const;
export type ExecDirectoryPreserve = (typeof EXEC_DIRECTORY_PRESERVE)[number];

/** StandardInput= words that take no argument; `file:` and `fd:` forms are handled apart. */
export const STANDARD_INPUTS = ['null', 'tty', 'tty-force', 'tty-fail', 'socket', 'data'] as const;
export type StandardInputKind = (typeof STANDARD_INPUTS)[number] | 'file' | 'fd';

/** StandardOutput=/StandardError= words without an argument. */
export const STANDARD_OUTPUTS = ['inherit', 'null', 'tty', 'journal', 'kmsg', 'journal+console', 'kmsg+console', 'socket'] as const;
export type StandardOutputKind = (typeof STANDARD_OUTPUTS)[number] | 'file' | 'append' | 'truncate' | 'fd';

/** syslog(3) priorities in numeric order (index = priority). */
export const SYSLOG_LEVELS = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'] as const;
export type SyslogLevel = (typeof SYSLOG_LEVELS)[number];

/** syslog(3) facilities; index = facility number (gaps are facilities systemd does not name). */
export const SYSLOG_FACILITIES = [
  'kern',
  'user',
  'mail',
  'daemon',
  'auth',
  'syslog',
  'lpr',
  'news',
  'uucp',
  'cron',
  'authpriv',
  'ftp',
  '',
  '',
  '',
  '',
  'local0',
  'local1',
  'local2',
  'local3',
  'local4',
  'local5',
  'local6',
  'local7',
] as const;

/** Resource limits, Limit<NAME>=, in the order systemctl show lists them. */
export const RESOURCE_LIMITS = [
  'CPU',
  'FSIZE',
  'DATA',
  'STACK',
  'CORE',
  'RSS',
  'NOFILE',
  'AS',
  'NPROC',
  'MEMLOCK',
  'LOCKS',
  'SIGPENDING',
  'MSGQUEUE',
  'NICE',
  'RTPRIO',
  'RTTIME',
] as const;
export type ResourceLimit = (typeof RESOURCE_LIMITS)[number];

/** The watch kinds of [Path] (systemd.path(5)), in systemd's order. */
export const PATH_SPEC_KINDS = ['PathExists', 'PathExistsGlob', 'PathChanged', 'PathModified', 'DirectoryNotEmpty'] as const;
export type PathSpecKind = (typeof PATH_SPEC_KINDS)[number];

/** The monotonic [Timer] keys (systemd's timer_base table), as unit files spell them. */
export const TIMER_BASES = ['OnActiveSec', 'OnBootSec', 'OnStartupSec', 'OnUnitActiveSec', 'OnUnitInactiveSec'] as const;
export type TimerBase = (typeof TIMER_BASES)[number];

/** LoadState= of a unit (systemd's unit_load_state table). */
export const LOAD_STATES = ['stub', 'loaded', 'not-found', 'bad-setting', 'error', 'merged', 'masked'] as const;
export type LoadState = (typeof LOAD_STATES)[number];

/** CPUSchedulingPolicy= names with the kernel's policy numbers (sched.h). */
export const CPU_SCHED_POLICIES = { other: 0, fifo: 1, rr: 2, batch: 3, idle: 5 } as const satisfies Record<string, number>;

/** IOSchedulingClass= names with the kernel's class numbers (linux/ioprio.h). */
export const IO_SCHED_CLASSES = { none: 0, realtime: 1, 'best-effort': 2, idle: 3 } as const satisfies Record<string, number>;

export function isOneOf<T extends string>(list: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (list as readonly string[]).includes(value);
}

// State names, defined once and used both to parse and to print (semantics §9).

export const ACTIVE_STATES = ['active', 'reloading', 'inactive', 'failed', 'activating', 'deactivating', 'maintenance'] as const;
export type ActiveState = (typeof ACTIVE_STATES)[number];

export const LOAD_STATES = ['stub', 'loaded', 'not-found', 'bad-setting', 'error', 'merged', 'masked'] as const;
export type LoadState = (typeof LOAD_STATES)[number];

/** Service substates with the ActiveState each one shows (service.c state table). */
export const SERVICE_STATE_TABLE = {
  dead: 'inactive',
  condition: 'activating',
  'start-pre': 'activating',
  start: 'activating',
  'start-post': 'activating',
  running: 'active',
  exited: 'active',
  reload: 'reloading',
  stop: 'deactivating',
  'stop-watchdog': 'deactivating',
  'stop-sigterm': 'deactivating',
  'stop-sigkill': 'deactivating',
  'stop-post': 'deactivating',
  'final-watchdog': 'deactivating',
  'final-sigterm': 'deactivating',
  'final-sigkill': 'deactivating',
  failed: 'failed',
  'auto-restart': 'activating',
  cleaning: 'maintenance',
} as const satisfies Record<string, ActiveState>;
export type ServiceState = keyof typeof SERVICE_STATE_TABLE;
export const SERVICE_STATES = Object.keys(SERVICE_STATE_TABLE) as ServiceState[];

export const TARGET_STATE_TABLE = { dead: 'inactive', active: 'active' } as const satisfies Record<string, ActiveState>;
export type TargetState = keyof typeof TARGET_STATE_TABLE;

export const SERVICE_RESULTS = [
  'success',
  'protocol',
  'resources',
  'timeout',
  'exit-code',
  'signal',
  'core-dump',
  'watchdog',
  'start-limit-hit',
  'oom-kill',
  'exec-condition',
] as const;
export type ServiceResult = (typeof SERVICE_RESULTS)[number];

export const SERVICE_TYPES = ['simple', 'exec', 'forking', 'oneshot', 'dbus', 'notify', 'notify-reload', 'idle'] as const;
export type ServiceType = (typeof SERVICE_TYPES)[number];

export const RESTART_POLICIES = ['no', 'on-success', 'on-failure', 'on-abnormal', 'on-watchdog', 'on-abort', 'always'] as const;
export type RestartPolicy = (typeof RESTART_POLICIES)[number];

export const NOTIFY_ACCESS = ['none', 'main', 'exec', 'all'] as const;
export type NotifyAccess = (typeof NOTIFY_ACCESS)[number];

export const KILL_MODES = ['control-group', 'mixed', 'process', 'none'] as const;
export type KillMode = (typeof KILL_MODES)[number];

/** waitid si_code as systemd shows it in ExecMainCode=. */
export const EXIT_CODES = ['none', 'exited', 'killed', 'dumped'] as const;
export type ExitCodeName = (typeof EXIT_CODES)[number];

export function isOneOf<T extends string>(list: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (list as readonly string[]).includes(value);
}

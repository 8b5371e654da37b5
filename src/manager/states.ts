// Runtime state names, defined once and used both to parse and to print (semantics §9).
// Setting enums (Type=, Restart=, KillMode=, ...) and LoadState live in units/schema/enums.ts.

export const ACTIVE_STATES = ['active', 'reloading', 'inactive', 'failed', 'activating', 'deactivating', 'maintenance'] as const;
export type ActiveState = (typeof ACTIVE_STATES)[number];

/** UNIT_IS_INACTIVE_OR_FAILED(): nothing of the unit is up. */
export const isDown = (s: ActiveState): boolean => s === 'inactive' || s === 'failed';

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


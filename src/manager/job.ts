// One job (systemd's job.c): what it does to its unit, its state, and how two
// jobs for the same unit merge (job_type_merge_and_collapse).

import type { StartTrigger } from './unit-type.js';
import type { JobResult, JobType } from '../control/api.js';
import { isDown, type ActiveState } from './states.js';

/**
 * Job kinds inside the engine. try-restart, try-reload and reload-or-start
 * collapse against the unit's state when a transaction is built; `restart` is a
 * stop that turns into a start once the unit is down (systemd patches JOB_RESTART
 * into JOB_START the same way).
 */
export type JobKind = 'start' | 'verify-active' | 'stop' | 'reload' | 'restart' | 'nop';
export type RequestKind = JobKind | 'try-restart' | 'try-reload' | 'reload-or-start';

export const isActiveLike = (s: ActiveState): boolean => s === 'active' || s === 'reloading';
const inactiveOrDeactivating = (s: ActiveState): boolean => isDown(s) || s === 'deactivating';

/** The kind a client's job type asks for (dbus-unit.c: ReloadOrRestart uses reload when the unit can). */
export function requestKind(type: JobType, canReload: boolean): RequestKind {
  switch (type) {
    case 'reload-or-restart':
      return canReload ? 'reload-or-start' : 'restart';
    case 'try-reload-or-restart':
      return canReload ? 'try-reload' : 'try-restart';
    default:
      return type;
  }
}

/** job_type_collapse(): settle the conditional kinds against the unit's state. */
export function collapse(kind: RequestKind, state: ActiveState): JobKind {
  switch (kind) {
    case 'try-restart':
      return inactiveOrDeactivating(state) ? 'nop' : 'restart';
    case 'try-reload':
      return inactiveOrDeactivating(state) ? 'nop' : 'reload';
    case 'reload-or-start':
      return inactiveOrDeactivating(state) ? 'start' : 'reload';
    default:
      return kind;
  }
}

/** systemd's job_merging_table; undefined = the two conflict (stop against anything else). */
export function mergeKinds(a: JobKind, b: JobKind, state: ActiveState): JobKind | undefined {
  if (a === b) return a;
  if (a === 'nop') return b;
  if (b === 'nop') return a;
  if (a === 'stop' || b === 'stop') return undefined;
  const has = (k: JobKind) => a === k || b === k;
  if (has('restart')) return 'restart';
  if (has('start') && has('verify-active')) return 'start';
  if (has('start') && has('reload')) return collapse('reload-or-start', state);
  if (has('verify-active') && has('reload')) return 'reload';
  return undefined;
}

/** Does this job order like a stop (stops always go first; a restart is a stop until patched)? */
export const stopsFirst = (kind: JobKind): boolean => kind === 'stop' || kind === 'restart';

export type JobState = 'waiting' | 'running' | 'done';

export class Job {
  state: JobState = 'waiting';
  result?: JobResult;
  /** replace-irreversibly: later transactions may not replace it. */
  irreversible = false;
  /** ignore-dependencies: runs without waiting for ordering. */
  ignoreOrder = false;
  /** What asked for the start: an automatic restart (Restart=) skips conditions and keeps the restart counter. */
  trigger: StartTrigger = { kind: 'job' };
  /** The unit was deactivating when the start ran: start again once it is down. */
  retryStartWhenDown = false;
  retryReloadWhenActive = false;
  /** A stop we announced ("Stopping ..."), to announce its end. */
  announcedStop = false;
  readonly done: Promise<JobResult>;
  private resolveDone!: (r: JobResult) => void;

  constructor(
    readonly id: number,
    readonly unit: string,
    public kind: JobKind,
  ) {
    this.done = new Promise<JobResult>((r) => (this.resolveDone = r));
  }

  /** The type as list-jobs and `Job=` show it. */
  get type(): JobType {
    return this.kind === 'nop' ? 'verify-active' : this.kind;
  }

  settle(result: JobResult): void {
    this.state = 'done';
    this.result = result;
    this.resolveDone(result);
  }
}

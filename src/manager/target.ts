// Targets are synchronization points: active when started, nothing to run (systemd.target(5)).

import { JOB_RESULTS, type Properties } from '../control/api.js';
import { now } from './clock.js';
import { noTimestamps, timestampProperties, unitBaseProperties, type UnitTimestamps } from './properties.js';
import { TARGET_STATE_TABLE, type ActiveState, type TargetState } from './states.js';
import { ProcesslessUnit } from './processless-unit.js';
import { DEFAULT_STATUS_MESSAGES, type UnitSnapshot, type LoadedUnit, type StatusMessageFormats, type UnitHost, type UnitInstance, type UnitType } from './unit-type.js';

export class Target extends ProcesslessUnit implements UnitInstance {
  readonly inert: boolean = false;
  private state: TargetState = 'dead';
  private readonly ts: UnitTimestamps = noTimestamps();

  constructor(
    private config: LoadedUnit,
    private readonly host: UnitHost,
  ) {
    super();
  }

  get activeState(): ActiveState {
    return TARGET_STATE_TABLE[this.state];
  }

  get subState(): string {
    return this.state;
  }

  private setState(next: TargetState): void {
    const from = this.activeState;
    if (next === this.state) return;
    this.state = next;
    const t = now();
    this.ts.stateChange = t;
    if (next === 'active') {
      this.ts.inactiveExit = t;
      this.ts.activeEnter = t;
    } else {
      this.ts.activeExit = t;
      this.ts.inactiveEnter = t;
    }
    this.host.stateChanged(this.config.id, { from, to: this.activeState });
  }

  reload(config: LoadedUnit): void {
    this.config = config;
  }

  snapshot(): UnitSnapshot {
    return { state: this.state, ts: this.ts };
  }

  restore(snap: UnitSnapshot): void {
    this.state = snap.state as TargetState;
    Object.assign(this.ts, snap.ts);
  }

  start(): 'started' | 'already' | 'failed' {
    if (this.config.loadState !== 'loaded') return 'failed';
    if (this.state === 'active') return 'already';
    this.setState('active');
    return 'started';
  }

  stop(): 'stopping' | 'already' {
    if (this.state === 'dead') return 'already';
    this.setState('dead');
    return 'stopping';
  }

  resetFailed(): void {}
  dispose(): void {}

  properties(): Properties {
    return {
      ...unitBaseProperties(this.config, this.activeState, this.subState, { canReload: false, invocationId: '', conditionResult: true }),
      ...timestampProperties(this.ts),
    };
  }
}

/** target.c's status_message_formats: no "Starting" lines, "Reached target"/"Stopped target". */
export const TARGET_STATUS_MESSAGES: StatusMessageFormats = {
  starting: {},
  finished: {
    start: { ...DEFAULT_STATUS_MESSAGES.finished.start, done: 'Reached target %s.' },
    stop: Object.fromEntries(JOB_RESULTS.map((r) => [r, 'Stopped target %s.'])),
    reload: DEFAULT_STATUS_MESSAGES.finished.reload,
  },
  announceConditionSkip: false,
};

export const targetType: UnitType = {
  suffix: 'target',
  create: (config, host) => new Target(config, host),
  statusMessages: () => TARGET_STATUS_MESSAGES,
};

// A unit on the skip list (skip-list.ts): loaded, shown, but inert. It behaves as a target
// does (starting succeeds at once, stopping is instant, nothing runs) and reports itself as
// SubState=exited, like a oneshot that has finished.

import type { Properties } from '../control/api.js';
import { Target } from './target.js';
import { DEFAULT_STATUS_MESSAGES, type StatusMessageFormats, type UnitType } from './unit-type.js';

export class SkippedUnit extends Target {
  override readonly inert = true;

  override get subState(): string {
    return this.activeState === 'active' ? 'exited' : 'dead';
  }

  override properties(): Properties {
    return { ...super.properties(), UnitdSkipped: true };
  }
}

const withoutDone = (m: StatusMessageFormats['finished']['start']): StatusMessageFormats['finished']['start'] => ({ ...m, done: undefined });

/** Skipped units come and go silently; only a job that did not succeed is reported. */
export const SKIPPED_STATUS_MESSAGES: StatusMessageFormats = {
  starting: {},
  finished: {
    start: withoutDone(DEFAULT_STATUS_MESSAGES.finished.start),
    stop: withoutDone(DEFAULT_STATUS_MESSAGES.finished.stop),
    reload: withoutDone(DEFAULT_STATUS_MESSAGES.finished.reload),
  },
  announceConditionSkip: false,
};

export const skippedType: UnitType = {
  suffix: 'service',
  create: (config, host) => new SkippedUnit(config, host),
  statusMessages: () => SKIPPED_STATUS_MESSAGES,
};

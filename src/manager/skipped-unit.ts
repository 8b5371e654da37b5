// A unit on the skip list (skip-list.ts): loaded, shown, but inert. It behaves as a target
// does (starting succeeds at once, stopping is instant, nothing runs) and reports itself as
// SubState=exited, like a oneshot that has finished.

import type { Properties } from '../control/api.js';
import { Target } from './target.js';

export class SkippedUnit extends Target {
  override get subState(): string {
    return this.activeState === 'active' ? 'exited' : 'dead';
  }

  override properties(): Properties {
    return { ...super.properties(), UnitdSkipped: true };
  }
}

// A unit on the skip list (skip-list.ts): loaded, shown, but inert. Starting it
// succeeds at once (ActiveState=active SubState=exited), stopping it is instant,
// nothing runs.

import type { KillWhom, Properties } from '../control/api.js';
import type { ChildExit } from '../exec/native.js';
import type { ActiveState } from './states.js';
import { Target } from './target.js';
import type { LoadedUnit, UnitHost, UnitInstance } from './unit-type.js';

export class SkippedUnit implements UnitInstance {
  private readonly inner: Target;

  constructor(config: LoadedUnit, host: UnitHost) {
    this.inner = new Target(config, host);
  }

  get activeState(): ActiveState {
    return this.inner.activeState;
  }

  get subState(): string {
    return this.inner.activeState === 'active' ? 'exited' : 'dead';
  }

  reload(config: LoadedUnit): void {
    this.inner.reload(config);
  }
  start(): 'started' | 'already' | 'failed' {
    return this.inner.start();
  }
  stop(): 'stopping' | 'already' {
    return this.inner.stop();
  }
  canReload(): boolean {
    return false;
  }
  reloadUnit(): 'failed' {
    return 'failed';
  }
  kill(_whom: KillWhom, _signal: number): number {
    return 0;
  }
  childExited(_exit: ChildExit): void {}
  orphanExited(): void {}
  resetFailed(): void {}
  pids(): number[] {
    return [];
  }
  dispose(): void {}
  properties(): Properties {
    return { ...this.inner.properties(), SubState: this.subState, UnitdSkipped: true };
  }
}

// The part of the unit-type interface that units without processes of their own answer
// alike (targets, paths, timers: systemd leaves these vtable slots empty for them).
// Nothing to reload, signal, reap or list.

import type { KillWhom } from '../control/api.js';

export abstract class ProcesslessUnit {
  canReload(): boolean {
    return false;
  }

  reloadUnit(): 'failed' {
    return 'failed';
  }

  kill(_whom: KillWhom, _signal: number): number {
    return 0;
  }

  childExited(): void {}

  orphanExited(): void {}

  pids(): number[] {
    return [];
  }
}

// A unit's world without processes or wall-clock time, for state-machine tests that run in
// milliseconds: a fake clock the unit's timers run on (UnitHost.clock), a spawner that hands
// out pids no process can have, and a host that records what the unit asks of the manager.
//
// The fake pids lie above the kernel's PID_MAX_LIMIT (2^22), so kill(2) reaches nobody; the
// fake process table (UnitHost.processTable) says a spawned process lives until the test ends
// it with exit(), which also delivers the exit to the unit, as the reaper would.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { pino } from 'pino';
import type { Test } from 'tap';

import type { ChildExit, NativeModule, SpawnSpec } from '../../src/exec/native.js';
import type { TimerClock } from '../../src/manager/clock.js';
import { ReceivedFds, type DatagramHandler } from '../../src/native/datagram.js';
import { ConsoleWriter, RingLogSink } from '../../src/manager/log-sink.js';
import type { ProcessTable } from '../../src/manager/process-tracker.js';
import { StoreUnitSource } from '../../src/manager/unit-source.js';
import type { LoadedUnit, StateChange, UnitEvent, UnitHost, UnitInstance } from '../../src/manager/unit-type.js';

/** Time that moves only when the test says so; timers fire in deadline order. */
export class FakeClock implements TimerClock {
  private nowUSec = 1_000_000_000;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  monotonicUSec(): number {
    return this.nowUSec;
  }

  setTimeout(fn: () => void, ms: number): number {
    const id = ++this.seq;
    this.timers.set(id, { at: this.nowUSec + ms * 1000, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Move time forward, firing every timer that falls due (and those they arm) on the way. */
  advance(usec: number): void {
    const end = this.nowUSec + usec;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.timers) if (entry[1].at <= end && (next === undefined || entry[1].at < next[1].at)) next = entry;
      if (next === undefined) break;
      this.timers.delete(next[0]);
      this.nowUSec = Math.max(this.nowUSec, next[1].at);
      next[1].fn();
    }
    this.nowUSec = end;
  }
}

/** First fake pid: above PID_MAX_LIMIT, so no real process ever has it. */
const FAKE_PID_BASE = 2 ** 30;

export interface FakeWorld {
  host: UnitHost;
  clock: FakeClock;
  /** Every spawn, in order: argv and the pid handed out. */
  spawned: { argv: string[]; pid: number }[];
  /** Every state change the unit reported. */
  changes: StateChange[];
  /** Units whose automatic restart was requested (RestartSec= elapsed). */
  restarts: string[];
  /** Manager-level messages (host.unitMessage) and what `unit` logged to its journal. */
  messages(unit: string): string[];
  /** The process ends: gone from the fake process table, its exit delivered to `unit`. */
  exit(unit: UnitInstance, pid: number, code?: ChildExit['code'], status?: number): void;
  /** A process the command `sessionOf` left behind (a daemon's child in its session); it lives until vanish(). */
  leftover(sessionOf: number): number;
  /** A left-over process ends; nobody reaps it for the unit, which only notices it is gone. */
  vanish(unit: UnitInstance, pid: number): void;
  /** A datagram on the unit's notify socket, as if `pid` sent it. */
  notify(text: string, pid: number): void;
  /** The kernel's OOM killer kills a process somewhere in the container (the counter goes up). */
  oomKill(): void;
  /** Load a unit file written into a private unit directory. */
  load(name: string, text: string): LoadedUnit;
}

export function fakeWorld(t: Test): FakeWorld {
  const dir = mkdtempSync(join(tmpdir(), 'unitd-fake-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const clock = new FakeClock();
  const spawned: { argv: string[]; pid: number }[] = [];
  const changes: StateChange[] = [];
  const restarts: string[] = [];
  const unitMessages: string[] = [];
  const logSink = new RingLogSink(undefined);
  let notifyHandler: DatagramHandler | undefined;
  const native: NativeModule = {
    spawn: (spec: SpawnSpec) => {
      const pid = FAKE_PID_BASE + spawned.length;
      spawned.push({ argv: [...spec.argv], pid });
      live.add(pid);
      return { pid };
    },
    onChildExit: () => () => undefined,
    bindDatagram: (_path, onMessage) => {
      notifyHandler = onMessage;
      return { close: () => (notifyHandler = undefined) };
    },
    setChildSubreaper: () => undefined,
  };
  const live = new Set<number>();
  const processTable: ProcessTable = {
    notYetReaped: (pid) => live.has(pid),
    isAlive: (pid) => live.has(pid) || leftovers.has(pid),
    scan: () => [...leftovers].map(([pid, sid]) => ({ pid, ppid: 1, sid, state: 'S', comm: 'leftover' })),
  };
  const leftovers = new Map<number, number>();
  let oomKills = 0;
  let nextLeftover = FAKE_PID_BASE + 100_000;
  const host: UnitHost = {
    log: pino({ level: 'silent' }),
    console: new ConsoleWriter(new PassThrough()),
    logSink,
    native,
    runtimeDir: dir,
    clock,
    processTable,
    oomKills: () => oomKills,
    managerEnvironment: () => ['PATH=/usr/bin:/bin'],
    processEnvironment: {},
    watchPid: () => undefined,
    unwatchPid: () => undefined,
    stateChanged: (_unit, change) => void changes.push(change),
    requestAutoRestart: (unit) => void restarts.push(unit),
    triggerStart: () => false,
    unitStatus: (unit) => ({ id: unit, loadState: 'not-found', activeState: 'inactive', subState: 'dead', hasJob: false }),
    unitMessage: (_unit, message) => void unitMessages.push(message),
    deliver: (_unit: string, _event: UnitEvent, fn: () => void) => fn(),
  };
  const source = new StoreUnitSource({ unitPathEnv: dir });
  return {
    host,
    clock,
    spawned,
    changes,
    restarts,
    messages: (unit) => [...unitMessages, ...logSink.tail(unit, 1000).map((l) => l.message)],
    exit(unit, pid, code = 'exited', status = 0) {
      live.delete(pid);
      unit.childExited({ pid, code, status });
    },
    leftover(sessionOf) {
      const pid = nextLeftover++;
      leftovers.set(pid, sessionOf);
      return pid;
    },
    vanish(unit, pid) {
      leftovers.delete(pid);
      unit.orphanExited();
    },
    notify(text, pid) {
      if (!notifyHandler) throw new Error('the unit has no notify socket');
      notifyHandler(Buffer.from(text), { pid, uid: 0, gid: 0 }, new ReceivedFds([]));
    },
    oomKill() {
      oomKills++;
    },
    load(name, text) {
      writeFileSync(join(dir, name), text);
      source.reload();
      return source.load(name);
    },
  };
}

// A new unit type needs one file and one row in the unit-type table, nothing in
// manager.ts or job-engine.ts: a toy `.timer` type (this file) is registered in
// UNIT_TYPES, booted through the real Manager from unit files on disk, and starts the
// unit it triggers through a normal start job (host.triggerStart).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { pino } from 'pino';
import t, { type Test } from 'tap';

import type { Properties } from '../../src/control/api.js';
import type { NativeModule } from '../../src/exec/native.js';
import { ConsoleWriter, RingLogSink } from '../../src/manager/log-sink.js';
import { Manager } from '../../src/manager/manager.js';
import { ProcesslessUnit } from '../../src/manager/processless-unit.js';
import { unitBaseProperties } from '../../src/manager/properties.js';
import type { ActiveState } from '../../src/manager/states.js';
import { StoreUnitSource } from '../../src/manager/unit-source.js';
import { UNIT_TYPES } from '../../src/manager/unit-types.js';
import { DEFAULT_STATUS_MESSAGES, type LoadedUnit, type StartTrigger, type UnitHost, type UnitInstance, type UnitType } from '../../src/manager/unit-type.js';

/** Elapses once, OnActiveSec= (ms here) after it starts, and then starts [Timer] Unit=. */
class ToyTimer extends ProcesslessUnit implements UnitInstance {
  activeState: ActiveState = 'inactive';
  subState = 'dead';
  private timer: NodeJS.Timeout | undefined;
  constructor(
    private config: LoadedUnit,
    private readonly host: UnitHost,
  ) {
    super();
  }
  private set(to: ActiveState, sub: string): void {
    const from = this.activeState;
    this.activeState = to;
    this.subState = sub;
    this.host.stateChanged(this.config.id, { from, to });
  }
  reload(config: LoadedUnit): void {
    this.config = config;
  }
  start(_trigger?: StartTrigger): 'started' | 'already' {
    if (this.activeState === 'active') return 'already';
    this.set('active', 'waiting');
    // The schema's [Timer] section (OnActiveSec=5 is 5 s there; the toy reads it as ms) and its Triggers=.
    const delay = (this.config.schema?.timer?.monotonic.at(-1)?.usec ?? 0) / 1_000_000;
    const unit = this.config.unit.triggers[0] ?? this.config.id.replace(/\.timer$/, '.service');
    this.timer = setTimeout(
      () =>
        this.host.deliver(this.config.id, 'timer', () => {
          this.subState = 'elapsed';
          this.host.triggerStart(unit, this.config.id);
        }),
      delay,
    );
    return 'started';
  }
  stop(): 'stopping' | 'already' {
    if (this.activeState === 'inactive') return 'already';
    clearTimeout(this.timer);
    this.set('inactive', 'dead');
    return 'stopping';
  }
  fail(): void {
    clearTimeout(this.timer);
    this.set('failed', 'failed');
  }
  resetFailed(): void {}
  dispose(): void {
    clearTimeout(this.timer);
  }
  properties(): Properties {
    return unitBaseProperties(this.config, this.activeState, this.subState, { canReload: false, invocationId: '', conditionResult: true });
  }
}

const toyTimerType: UnitType = {
  suffix: 'timer',
  create: (config, host) => new ToyTimer(config, host),
  statusMessages: () => ({ ...DEFAULT_STATUS_MESSAGES, starting: {}, finished: { ...DEFAULT_STATUS_MESSAGES.finished, start: { done: 'Started toy timer %s.' } } }),
};

const noProcesses: NativeModule = {
  spawn: () => {
    throw new Error('the toy units run no processes');
  },
  onChildExit: () => () => undefined,
  bindDatagram: () => ({ close: () => undefined }),
  setChildSubreaper: () => undefined,
};

function bootToys(t: Test, dir: string, faults = ''): { manager: Manager; consoleText: () => string } {
  UNIT_TYPES.timer = toyTimerType;
  t.teardown(() => void delete UNIT_TYPES.timer);
  const stream = new PassThrough();
  const text: string[] = [];
  stream.on('data', (d: Buffer) => text.push(d.toString()));
  const manager = new Manager({
    log: pino({ level: 'silent' }),
    console: new ConsoleWriter(stream),
    logSink: new RingLogSink(undefined),
    native: noProcesses,
    runtimeDir: dir,
    source: new StoreUnitSource({ unitPathEnv: dir }),
    processEnvironment: { ...process.env, UNITD_TEST_FAULTS: faults },
  });
  t.teardown(() => manager.stopAll({ budgetMs: 1000 }));
  return { manager, consoleText: () => text.join('') };
}

async function waitFor(manager: Manager, unit: string, state: string): Promise<Properties> {
  const deadline = Date.now() + 10_000;
  let [p] = await manager.unitProperties([unit]);
  while (p.ActiveState !== state && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 10));
    [p] = await manager.unitProperties([unit]);
  }
  return p;
}

t.test('the error boundary: a throwing timer callback or job dispatch fails only its unit', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'unitd-toy-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'tick.timer'), '[Timer]\nOnActiveSec=1\nUnit=woken.target\n');
  writeFileSync(join(dir, 'jobfault.target'), '[Unit]\nDescription=Job dispatch throws\n');
  writeFileSync(join(dir, 'fine.target'), '[Unit]\nDescription=Still fine\n');
  writeFileSync(join(dir, 'woken.target'), '[Unit]\n');
  const { manager, consoleText } = bootToys(t, dir, 'tick.timer:timer,jobfault.target:job');

  t.equal(await manager.boot('tick.timer'), 'done');
  const timer = await waitFor(manager, 'tick.timer', 'failed');
  t.equal(timer.ActiveState, 'failed', 'the unit whose timer callback threw is failed');
  t.equal((await manager.unitProperties(['woken.target']))[0].ActiveState, 'inactive', 'the callback did not run');

  const outcome = await manager.enqueueJob({ unit: 'jobfault.target', type: 'start', mode: 'replace', wait: true });
  t.equal(outcome.result, 'failed', 'the job whose dispatch threw finished failed');

  t.equal(await manager.boot('fine.target'), 'done', 'the manager carries on');
  const lines = consoleText().split('\n');
  t.equal(lines.filter((l) => /tick\.timer: Handling timer event failed/.test(l)).length, 1, 'one line for the timer');
  t.equal(lines.filter((l) => /jobfault\.target: Handling job event failed/.test(l)).length, 1, 'one line for the job');
});

t.test('a toy unit type boots and triggers a start through the manager', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'unitd-toy-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'toy.target'), '[Unit]\nDescription=Toy boot\nWants=tick.timer\n');
  writeFileSync(join(dir, 'tick.timer'), '[Unit]\nDescription=Tick\n[Timer]\nOnActiveSec=5\nUnit=woken.target\n');
  writeFileSync(join(dir, 'woken.target'), '[Unit]\nDescription=Woken by the timer\n');

  UNIT_TYPES.timer = toyTimerType;
  t.teardown(() => void delete UNIT_TYPES.timer);

  const stream = new PassThrough();
  const consoleText: string[] = [];
  stream.on('data', (d: Buffer) => consoleText.push(d.toString()));
  const manager = new Manager({
    log: pino({ level: 'silent' }),
    console: new ConsoleWriter(stream),
    logSink: new RingLogSink(undefined),
    native: noProcesses,
    runtimeDir: dir,
    source: new StoreUnitSource({ unitPathEnv: dir }),
    generators: undefined,
  });
  t.teardown(() => manager.stopAll({ budgetMs: 1000 }));

  t.equal(await manager.boot('toy.target'), 'done');
  const [timer] = await manager.unitProperties(['tick.timer']);
  t.equal(timer.ActiveState, 'active', 'the toy timer started as part of boot');

  // The trigger goes through a normal start job of woken.target.
  const deadline = Date.now() + 10_000;
  let woken: Properties | undefined;
  while (Date.now() < deadline) {
    [woken] = await manager.unitProperties(['woken.target']);
    if (woken.ActiveState === 'active') break;
    await new Promise((r) => setTimeout(r, 10));
  }
  t.equal(woken?.ActiveState, 'active', 'the timer started the unit it triggers');
  const text = consoleText.join('');
  t.match(text, /Started toy timer tick\.timer - Tick\./, 'the type chose its own job wording');
  t.match(text, /Reached target woken\.target - Woken by the timer\./);
});

// The job engine on its own, with scripted units: how state changes finish jobs
// (systemd's unit_notify rules), restart = stop + start, Requires=/Wants= with After=.

import t from 'tap';
import { ManagerError } from '../../src/control/api.js';
import { JobEngine, type JobUnits } from '../../src/manager/jobs.js';
import type { ActiveState } from '../../src/manager/states.js';
import { defaultUnitSettings, type LoadedUnit, type StateChange, type UnitInstance } from '../../src/manager/unit-type.js';

/** A unit whose start/stop outcome the test decides. */
class FakeUnit implements UnitInstance {
  activeState: ActiveState = 'inactive';
  subState = 'dead';
  calls: string[] = [];
  /** What start() does: go active now, stay activating, or fail now. */
  onStart: 'active' | 'activating' | 'fail' | 'inactive' = 'active';
  constructor(
    readonly id: string,
    private readonly notify: (unit: string, change: StateChange) => void,
    readonly reloadable = false,
  ) {}
  set(to: ActiveState, extra: Partial<StateChange> = {}): void {
    const from = this.activeState;
    this.activeState = to;
    this.notify(this.id, { from, to, ...extra });
  }
  reload(): void {}
  start(): 'started' | 'already' | 'wait' | 'failed' {
    this.calls.push('start');
    if (this.activeState === 'active') return 'already';
    if (this.onStart === 'fail') {
      this.set('failed');
      return 'failed';
    }
    this.set('activating');
    if (this.onStart === 'active') this.set('active');
    if (this.onStart === 'inactive') this.set('inactive');
    return 'started';
  }
  stop(): 'stopping' | 'already' | 'wait' {
    this.calls.push('stop');
    if (this.activeState === 'inactive') return 'already';
    this.set('deactivating');
    this.set('inactive');
    return 'stopping';
  }
  canReload(): boolean {
    return this.reloadable;
  }
  reloadUnit(): 'reloading' | 'wait' | 'failed' {
    this.calls.push('reload');
    this.set('reloading');
    this.set('active', { reloadResult: 'done' });
    return 'reloading';
  }
  kill(): number {
    return 0;
  }
  childExited(): void {}
  orphanExited(): void {}
  resetFailed(): void {}
  properties() {
    return {};
  }
  pids(): number[] {
    return [];
  }
  dispose(): void {}
}

function setup(defs: Record<string, Partial<LoadedUnit['unit']> & { reloadable?: boolean }>) {
  const units = new Map<string, { config: LoadedUnit; instance: FakeUnit }>();
  const messages: string[] = [];
  let engine: JobEngine;
  const get: JobUnits['get'] = (name) => {
    let u = units.get(name);
    if (!u) {
      const def = defs[name];
      const config: LoadedUnit = {
        id: name,
        names: [name],
        loadState: def ? 'loaded' : 'not-found',
        fragmentPath: '',
        dropInPaths: [],
        unitFileState: '',
        unit: { ...defaultUnitSettings(), ...def },
        warnings: [],
      };
      u = { config, instance: new FakeUnit(name, (unit, change) => engine.stateChanged(unit, change), def?.reloadable) };
      units.set(name, u);
    }
    return u;
  };
  engine = new JobEngine(
    { get },
    {
      starting: (unit, type) => messages.push(`${type}ing ${unit}`),
      finished: (unit, type, result) => messages.push(`${type} ${unit} ${result}`),
    },
  );
  return { engine, unit: (name: string) => get(name).instance as FakeUnit, messages };
}

t.test('a start job is done when the unit becomes active, failed when it fails', async (t) => {
  const { engine, unit } = setup({ 'a.service': {}, 'b.service': {} });
  t.equal(await engine.enqueue('a.service', 'start').done, 'done');
  unit('b.service').onStart = 'fail';
  t.equal(await engine.enqueue('b.service', 'start').done, 'failed');
});

t.test('a start that ends inactive (oneshot, condition skip) is done; one that stays activating waits', async (t) => {
  const { engine, unit } = setup({ 'o.service': {}, 'slow.service': {} });
  unit('o.service').onStart = 'inactive';
  t.equal(await engine.enqueue('o.service', 'start').done, 'done');
  unit('slow.service').onStart = 'activating';
  const job = engine.enqueue('slow.service', 'start');
  t.equal(engine.list().length, 1);
  unit('slow.service').set('active');
  t.equal(await job.done, 'done');
  t.equal(engine.list().length, 0);
});

t.test('an automatic restart fails a waiting start job (it will be retried by the restart)', async (t) => {
  const { engine, unit } = setup({ 'r.service': {} });
  unit('r.service').onStart = 'activating';
  const job = engine.enqueue('r.service', 'start');
  unit('r.service').set('activating', { willAutoRestart: true });
  t.equal(await job.done, 'failed');
});

t.test('restart is stop then start; try-restart leaves an inactive unit alone', async (t) => {
  const { engine, unit, messages } = setup({ 'a.service': {} });
  t.equal(await engine.enqueue('a.service', 'try-restart').done, 'done');
  t.same(unit('a.service').calls, []);
  await engine.enqueue('a.service', 'start').done;
  t.equal(await engine.enqueue('a.service', 'restart').done, 'done');
  t.same(unit('a.service').calls, ['start', 'stop', 'start']);
  t.same(messages.slice(-4), ['stoping a.service', 'stop a.service done', 'starting a.service', 'start a.service done']);
});

t.test('reload: not applicable without a reload command; reload-or-restart picks the right one', async (t) => {
  const { engine, unit } = setup({ 'plain.service': {}, 'rel.service': { reloadable: true } });
  await engine.enqueue('plain.service', 'start').done;
  t.throws(() => engine.enqueue('plain.service', 'reload'), ManagerError);
  t.equal(await engine.enqueue('plain.service', 'reload-or-restart').done, 'done');
  t.same(unit('plain.service').calls, ['start', 'stop', 'start']);
  await engine.enqueue('rel.service', 'start').done;
  t.equal(await engine.enqueue('rel.service', 'reload-or-restart').done, 'done');
  t.same(unit('rel.service').calls, ['start', 'reload']);
});

t.test('Requires=/Wants= are started; After= makes the start wait; a failed requirement fails it with dependency', async (t) => {
  const { engine, unit } = setup({
    'app.service': { requires: ['db.service'], wants: ['cache.service'], after: ['db.service'] },
    'db.service': {},
    'cache.service': {},
  });
  unit('db.service').onStart = 'activating';
  const job = engine.enqueue('app.service', 'start');
  t.same(unit('app.service').calls, [], 'app waits for db');
  t.same(unit('cache.service').calls, ['start'], 'wanted unit started in parallel');
  unit('db.service').set('active');
  t.equal(await job.done, 'done');
  t.same(unit('app.service').calls, ['start']);

  const s2 = setup({ 'app.service': { requires: ['db.service'], after: ['db.service'] }, 'db.service': {} });
  s2.unit('db.service').onStart = 'fail';
  t.equal(await s2.engine.enqueue('app.service', 'start').done, 'dependency');
  t.same(s2.unit('app.service').calls, []);
});

t.test('a missing required unit or a missing unit refuses the job', async (t) => {
  const { engine } = setup({ 'app.service': { requires: ['missing.service'] } });
  t.throws(() => engine.enqueue('app.service', 'start'), { message: 'Unit missing.service not found.' });
  t.throws(() => engine.enqueue('nosuch.service', 'start'), { message: 'Unit nosuch.service not found.' });
  t.equal(engine.list().length, 0);
});

t.test('an ordering cycle does not hang the jobs', async (t) => {
  const { engine } = setup({
    'a.service': { requires: ['b.service'], after: ['b.service'] },
    'b.service': { requires: ['a.service'], after: ['a.service'] },
  });
  t.equal(await engine.enqueue('a.service', 'start').done, 'done');
});

t.test('a new job of another type replaces the pending one (canceled)', async (t) => {
  const { engine, unit } = setup({ 'slow.service': {} });
  unit('slow.service').onStart = 'activating';
  const start = engine.enqueue('slow.service', 'start');
  const stop = engine.enqueue('slow.service', 'stop');
  t.equal(await start.done, 'canceled');
  t.equal(await stop.done, 'done');
});

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
    private readonly order: string[] = [],
  ) {}
  set(to: ActiveState, extra: Partial<StateChange> = {}): void {
    const from = this.activeState;
    this.activeState = to;
    this.notify(this.id, { from, to, ...extra });
  }
  reload(): void {}
  start(): 'started' | 'already' | 'wait' | 'failed' {
    this.calls.push('start');
    this.order.push(`start ${this.id}`);
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
  /** What stop() does: go inactive now, or stay deactivating. */
  onStop: 'inactive' | 'deactivating' = 'inactive';
  stop(): 'stopping' | 'already' | 'wait' {
    this.calls.push('stop');
    this.order.push(`stop ${this.id}`);
    if (this.activeState === 'failed') return 'already';
    if (this.activeState === 'inactive') return 'already';
    this.set('deactivating');
    if (this.onStop === 'inactive') this.set('inactive');
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

const tick = () => new Promise<void>((r) => setImmediate(r));

function setup(defs: Record<string, Partial<LoadedUnit['unit']> & { reloadable?: boolean }>) {
  const units = new Map<string, { config: LoadedUnit; instance: FakeUnit }>();
  const messages: string[] = [];
  const order: string[] = [];
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
      u = { config, instance: new FakeUnit(name, (unit, change) => engine.stateChanged(unit, change), def?.reloadable, order) };
      units.set(name, u);
      engine?.invalidateGraph();
    }
    return u;
  };
  engine = new JobEngine(
    { get, all: () => [...units.values()].map((u) => u.config) },
    {
      starting: (unit, type) => messages.push(`${type}ing ${unit}`),
      finished: (unit, type, result) => messages.push(`${type} ${unit} ${result}`),
      warn: (unit, message) => messages.push(`warn ${unit}: ${message}`),
      info: (unit, message) => messages.push(`info ${unit}: ${message}`),
    },
  );
  // Every defined unit is loaded up front, as a booted manager has them.
  for (const name of Object.keys(defs)) get(name);
  return { engine, unit: (name: string) => get(name).instance as FakeUnit, messages, order };
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
  await tick();
  t.equal(engine.list().length, 1);
  unit('slow.service').set('active');
  t.equal(await job.done, 'done');
  t.equal(engine.list().length, 0);
});

t.test('an automatic restart fails a waiting start job (it will be retried by the restart)', async (t) => {
  const { engine, unit } = setup({ 'r.service': {} });
  unit('r.service').onStart = 'activating';
  const job = engine.enqueue('r.service', 'start');
  await tick();
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
  await tick();
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

t.test('an ordering cycle of mandatory jobs fails the request; one through Wants= drops that job, logged as systemd does', async (t) => {
  const hard = setup({
    'a.service': { requires: ['b.service'], after: ['b.service'] },
    'b.service': { requires: ['a.service'], after: ['a.service'] },
  });
  t.throws(() => hard.engine.enqueue('a.service', 'start'), { message: 'Transaction order is cyclic. See system logs for details.' });
  t.equal(hard.engine.list().length, 0);

  const soft = setup({
    'a.service': { wants: ['b.service'], after: ['b.service'] },
    'b.service': { requires: ['a.service'], after: ['a.service'] },
  });
  t.equal(await soft.engine.enqueue('a.service', 'start').done, 'done');
  t.ok(soft.messages.includes('warn a.service: Found ordering cycle on a.service/start'), soft.messages.join('\n'));
  t.ok(soft.messages.includes('warn a.service: Found dependency on b.service/start'));
  t.ok(soft.messages.includes('warn a.service: Job b.service/start deleted to break ordering cycle starting with a.service/start'));
  t.equal(soft.unit('b.service').activeState, 'inactive');
});

t.test('a new job of another type replaces the pending one (canceled)', async (t) => {
  const { engine, unit } = setup({ 'slow.service': {} });
  unit('slow.service').onStart = 'activating';
  const start = engine.enqueue('slow.service', 'start');
  await tick();
  const stop = engine.enqueue('slow.service', 'stop');
  t.equal(await start.done, 'canceled');
  t.equal(await stop.done, 'done');
});

t.test('stopping a unit stops what Requires=/BindsTo=/Requisite=/PartOf= it, dependents first', async (t) => {
  const { engine, unit, order } = setup({
    'db.service': {},
    'app.service': { requires: ['db.service'], after: ['db.service'] },
    'bound.service': { bindsTo: ['db.service'], after: ['db.service'] },
    'part.service': { partOf: ['db.service'], after: ['db.service'] },
    'wanter.service': { wants: ['db.service'], after: ['db.service'] },
  });
  for (const u of ['app', 'bound', 'part', 'wanter']) await engine.enqueue(`${u}.service`, 'start').done;
  t.equal(unit('db.service').activeState, 'active');
  order.length = 0;
  t.equal(await engine.enqueue('db.service', 'stop').done, 'done');
  t.equal(unit('app.service').activeState, 'inactive');
  t.equal(unit('bound.service').activeState, 'inactive');
  t.equal(unit('part.service').activeState, 'inactive');
  t.equal(unit('wanter.service').activeState, 'active', 'Wants= does not propagate stops');
  t.equal(order[order.length - 1], 'stop db.service', `db stops last: ${order.join(', ')}`);
});

t.test('start order follows After=; stop order is the reverse; independent units start together', async (t) => {
  const { engine, order, unit } = setup({
    'top.target': { wants: ['a.service', 'b.service', 'c.service'], after: ['a.service', 'b.service', 'c.service'] },
    'a.service': {},
    'b.service': { after: ['a.service'] },
    'c.service': { before: ['a.service'] },
  });
  unit('a.service').onStart = 'activating';
  const job = engine.enqueue('top.target', 'start');
  await tick();
  t.same(order, ['start c.service', 'start a.service'], 'a waits for c (c Before= a), b waits for a');
  unit('a.service').set('active');
  await job.done;
  t.same(order, ['start c.service', 'start a.service', 'start b.service', 'start top.target']);
  order.length = 0;
  await Promise.all(['a.service', 'b.service', 'c.service'].map((u) => engine.enqueue(u, 'stop').done));
  t.same(order, ['stop b.service', 'stop a.service', 'stop c.service']);
});

t.test('Requisite= fails at once when the unit is inactive and does not start it', async (t) => {
  const { engine, unit } = setup({ 'db.service': {}, 'req.service': { requisite: ['db.service'], after: ['db.service'] } });
  t.equal(await engine.enqueue('req.service', 'start').done, 'dependency');
  t.same(unit('db.service').calls, []);
  await engine.enqueue('db.service', 'start').done;
  t.equal(await engine.enqueue('req.service', 'start').done, 'done');
});

t.test('Conflicts= stops the other side, in both directions', async (t) => {
  const { engine, unit } = setup({ 'a.service': { conflicts: ['b.service'] }, 'b.service': {} });
  await engine.enqueue('b.service', 'start').done;
  await engine.enqueue('a.service', 'start').done;
  t.equal(unit('b.service').activeState, 'inactive');
  await engine.enqueue('b.service', 'start').done;
  t.equal(unit('a.service').activeState, 'inactive', 'ConflictedBy= works the other way');
});

t.test('restart propagates to PartOf=/Requires= dependents; reload to PropagatesReloadTo=', async (t) => {
  const { engine, unit } = setup({
    'db.service': { propagatesReloadTo: ['cache.service'], reloadable: true },
    'app.service': { requires: ['db.service'], after: ['db.service'] },
    'part.service': { partOf: ['db.service'] },
    'cache.service': { reloadable: true },
  });
  for (const u of ['app.service', 'part.service', 'cache.service']) await engine.enqueue(u, 'start').done;
  await engine.enqueue('db.service', 'restart').done;
  t.same(unit('app.service').calls, ['start', 'stop', 'start']);
  t.same(unit('part.service').calls, ['start', 'stop', 'start']);
  await engine.enqueue('db.service', 'reload').done;
  t.same(unit('cache.service').calls, ['start', 'reload']);
});

t.test('job modes: fail refuses to replace a queued job; ignore-dependencies pulls in nothing', async (t) => {
  const { engine, unit } = setup({ 'slow.service': {}, 'app.service': { requires: ['db.service'] }, 'db.service': {} });
  unit('slow.service').onStart = 'activating';
  engine.enqueue('slow.service', 'start');
  await tick();
  t.throws(() => engine.enqueue('slow.service', 'stop', { mode: 'fail' }), { message: /is destructive/ });
  t.equal(await engine.enqueue('app.service', 'start', { mode: 'ignore-dependencies' }).done, 'done');
  t.same(unit('db.service').calls, []);
});

t.test('a start merges into a queued restart; a verify merges into a start', async (t) => {
  const { engine, unit } = setup({ 'a.service': {}, 'dep.service': {}, 'b.service': { after: ['dep.service'] } });
  unit('dep.service').onStart = 'activating';
  engine.enqueue('dep.service', 'start');
  const start = engine.enqueue('b.service', 'start');
  const again = engine.enqueue('b.service', 'start');
  t.equal(start, again, 'the same job');
  const verify = engine.enqueue('b.service', 'verify-active');
  t.equal(verify, start);
  unit('dep.service').set('active');
  t.equal(await start.done, 'done');
});

t.test('isolate stops everything not pulled in (IgnoreOnIsolate= excepted) and needs AllowIsolate=', async (t) => {
  const { engine, unit } = setup({
    'rescue.target': { allowIsolate: true, wants: ['keep.service'] },
    'plain.target': {},
    'keep.service': {},
    'other.service': {},
    'sticky.service': { ignoreOnIsolate: true },
  });
  for (const u of ['keep.service', 'other.service', 'sticky.service']) await engine.enqueue(u, 'start').done;
  t.throws(() => engine.enqueue('plain.target', 'start', { mode: 'isolate' }), { message: 'Operation refused, unit may not be isolated.' });
  await engine.enqueue('rescue.target', 'start', { mode: 'isolate' }).done;
  t.equal(unit('keep.service').activeState, 'active');
  t.equal(unit('other.service').activeState, 'inactive');
  t.equal(unit('sticky.service').activeState, 'active');
});

t.test('BindsTo=: a unit bound to one that goes down (on its own) is stopped; Requires= is not', async (t) => {
  const { engine, unit, messages } = setup({
    'db.service': {},
    'bound.service': { bindsTo: ['db.service'], after: ['db.service'] },
    'req.service': { requires: ['db.service'], after: ['db.service'] },
  });
  await engine.enqueue('bound.service', 'start').done;
  await engine.enqueue('req.service', 'start').done;
  unit('db.service').set('failed');
  await tick();
  await tick();
  t.equal(unit('bound.service').activeState, 'inactive');
  t.equal(unit('req.service').activeState, 'active');
  t.ok(messages.includes('info bound.service: Unit bound.service is bound to inactive unit db.service. Stopping, too.'));
});

t.test('OnFailure= starts its units when the unit fails; Upholds= restarts; StopWhenUnneeded= stops helpers', async (t) => {
  const { engine, unit } = setup({
    'a.service': { onFailure: ['handler.service'] },
    'handler.service': {},
    'holder.service': { upholds: ['held.service'] },
    'held.service': {},
    'user.service': { wants: ['helper.service'] },
    'helper.service': { stopWhenUnneeded: true },
  });
  await engine.enqueue('a.service', 'start').done;
  unit('a.service').set('failed');
  await tick();
  await tick();
  t.equal(unit('handler.service').activeState, 'active');

  await engine.enqueue('holder.service', 'start').done;
  t.equal(unit('held.service').activeState, 'active');
  await engine.enqueue('held.service', 'stop').done;
  await tick();
  await tick();
  t.equal(unit('held.service').activeState, 'active', 'started again');

  await engine.enqueue('user.service', 'start').done;
  t.equal(unit('helper.service').activeState, 'active');
  await engine.enqueue('user.service', 'stop').done;
  await tick();
  await tick();
  t.equal(unit('helper.service').activeState, 'inactive');
});

t.test('list shows waiting and running jobs; cancel ends a job with canceled', async (t) => {
  const { engine, unit } = setup({ 'db.service': {}, 'app.service': { requires: ['db.service'], after: ['db.service'] } });
  unit('db.service').onStart = 'activating';
  const app = engine.enqueue('app.service', 'start');
  await tick();
  t.same(
    engine.list().map((j) => `${j.unit} ${j.type} ${j.state}`),
    ['app.service start waiting', 'db.service start running'],
  );
  t.ok(engine.cancel(app.id));
  t.equal(await app.done, 'canceled');
  t.same(engine.list().map((j) => j.unit), ['db.service']);
});

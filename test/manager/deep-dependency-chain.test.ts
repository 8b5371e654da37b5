// Issue 21 (found by fuzzing): a 2,000-deep Wants=/Requires=/After= chain overflowed the JS
// stack while the transaction was built (add → pullIn → add …) and again in the ordering-cycle
// check (a recursive depth-first search), so ~600 units were never started and nothing was
// logged. Every walk over the dependency graph is iterative now: a 20,000-deep chain of each
// kind starts completely, a deep cycle is still found and broken, and a missing unit at the
// far end of a Requires= chain still fails the whole (mandatory) transaction.

import t from 'tap';
import { JobEngine, type JobUnits } from '../../src/manager/jobs.js';
import type { ActiveState } from '../../src/manager/states.js';
import { defaultUnitSettings, type LoadedUnit, type StateChange, type UnitInstance, type UnitSettings } from '../../src/manager/unit-type.js';

class InstantUnit implements UnitInstance {
  activeState: ActiveState = 'inactive';
  subState = 'dead';
  constructor(
    readonly id: string,
    private readonly notify: (unit: string, change: StateChange) => void,
  ) {}
  reload(): void {}
  fails = false;
  start(): 'started' {
    if (this.fails) {
      this.activeState = 'failed';
      this.notify(this.id, { from: 'inactive', to: 'failed' });
      return 'started';
    }
    this.activeState = 'activating';
    this.notify(this.id, { from: 'inactive', to: 'activating' });
    this.activeState = 'active';
    this.notify(this.id, { from: 'activating', to: 'active' });
    return 'started';
  }
  stop(): 'already' {
    this.activeState = 'inactive';
    this.notify(this.id, { from: 'active', to: 'inactive' });
    return 'already';
  }
  canReload(): boolean {
    return false;
  }
  reloadUnit(): 'failed' {
    return 'failed';
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

type Link = (next: string) => Partial<UnitSettings>;

/** Units u0 … u(n-1), u(i) linked to u(i+1) by `link`; `missing` names a unit that is not found. */
async function chain(n: number, link: Link, opts: { cycle?: Link; missing?: number; thenStop?: string; fails?: number } = {}) {
  const units = new Map<string, { config: LoadedUnit; instance: InstantUnit }>();
  let engine: JobEngine | undefined;
  const messages: string[] = [];
  const finished: string[] = [];
  const get: JobUnits['get'] = (name) => {
    let u = units.get(name);
    if (!u) {
      const i = Number(/^u(\d+)\.service$/.exec(name)?.[1] ?? -1);
      const found = i >= 0 && i < n && i !== opts.missing;
      let settings: Partial<UnitSettings> = i + 1 < n ? link(`u${i + 1}.service`) : {};
      if (i === n - 1 && opts.cycle) settings = opts.cycle('u0.service');
      const config: LoadedUnit = {
        id: name,
        names: [name],
        loadState: found ? 'loaded' : 'not-found',
        fragmentPath: '',
        dropInPaths: [],
        unitFileState: '',
        unit: { ...defaultUnitSettings(), ...settings },
        warnings: [],
      };
      u = { config, instance: new InstantUnit(name, (unit, change) => engine!.stateChanged(unit, change)) };
      u.instance.fails = i === opts.fails;
      units.set(name, u);
      engine?.invalidateGraph();
    }
    return u;
  };
  engine = new JobEngine(
    { get, all: () => [...units.values()].map((u) => u.config) },
    { starting: () => undefined, finished: (u, _kind, result) => finished.push(`${u} ${result}`), warn: (u, m) => messages.push(`${u}: ${m}`), info: () => undefined },
  );
  for (let i = 0; i < n; i++) get(`u${i}.service`);
  let result: string;
  try {
    result = await engine.enqueue('u0.service', 'start').done;
  } catch (err) {
    result = `error: ${(err as Error).message}`;
  }
  if (opts.thenStop !== undefined && result === 'done') {
    try {
      result = await engine.enqueue(opts.thenStop, 'stop').done;
    } catch (err) {
      result = `error: ${(err as Error).stack}`;
    }
  }
  const started = [...units.values()].filter((u) => u.instance.activeState === 'active').length;
  return { result, started, messages, finished };
}

const N = 20000;
const links: Record<string, Link> = {
  'Wants=': (next) => ({ wants: [next] }),
  'Requires=': (next) => ({ requires: [next] }),
  'Wants= and After=': (next) => ({ wants: [next], after: [next] }),
  'Requires= and After=': (next) => ({ requires: [next], after: [next] }),
  'Wants= and Before=': (next) => ({ wants: [next], before: [next] }),
};

for (const [kind, link] of Object.entries(links)) {
  t.test(`a ${N}-deep ${kind} chain starts completely`, async (t) => {
    const r = await chain(N, link);
    t.equal(r.result, 'done');
    t.equal(r.started, N, `all ${N} units started`);
    t.same(r.messages, [], 'nothing to warn about');
  });
}

t.test(`an ordering cycle closing a ${N}-deep Wants=/After= chain is found and broken`, async (t) => {
  const r = await chain(N, links['Wants= and After=']!, { cycle: (first) => ({ after: [first] }) });
  t.equal(r.result, 'done', 'the anchor job still runs');
  t.ok(r.messages.some((m) => /Found ordering cycle on/.test(m)), 'the cycle is reported');
  t.ok(r.messages.some((m) => /deleted to break ordering cycle/.test(m)), 'a job that does not matter is deleted');
  t.equal(r.started, N - 1, 'every unit but the deleted one started');
});

t.test(`a missing unit at the end of a ${N}-deep Requires= chain fails the transaction`, async (t) => {
  const r = await chain(N, links['Requires=']!, { missing: N - 1 });
  t.match(r.result, /^error: Unit u\d+\.service not found\.$/, 'the mandatory job cannot be added');
  t.equal(r.started, 0, 'nothing started');
});

t.test(`a missing unit at the end of a ${N}-deep Requires= chain under one Wants= is dropped there`, async (t) => {
  // u0 Requires u1 … u9 Wants u10, u10 … Requires … the missing last unit: the error climbs
  // the Requires= links up to the Wants= and is dropped there, as the recursive walk did
  // (same count with the old code on a 50-deep chain).
  const link: Link = (next) => (next === 'u10.service' ? { wants: [next] } : { requires: [next] });
  const r = await chain(N, link, { missing: N - 1 });
  t.equal(r.result, 'done');
  t.equal(r.started, N - 1, 'every unit but the missing one started (the jobs already added stay, as before)');
});

t.test(`stopping the far end of a ${N}-deep Requires=/After= chain stops all of it`, async (t) => {
  const r = await chain(N, links['Requires= and After=']!, { thenStop: `u${N - 1}.service` });
  t.equal(r.result, 'done');
  t.equal(r.started, 0, 'every unit stopped');
});

t.test(`the far end of a ${N}-deep Requires=/After= chain fails: every start above it fails with "dependency"`, async (t) => {
  const r = await chain(N, links['Requires= and After=']!, { fails: N - 1 });
  t.equal(r.result, 'dependency', 'the anchor job fails for its dependency');
  t.equal(r.started, 0);
  t.equal(r.finished.filter((l) => l.endsWith(' dependency')).length, N - 1, 'every job above the failed unit ends "dependency"');
  t.ok(r.finished.includes(`u${N - 1}.service failed`), 'the failed unit itself ends "failed"');
});

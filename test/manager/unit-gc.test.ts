// systemd 252's unit GC rules (unit_may_gc, unit_gc_sweep) on a toy registry.

import t from 'tap';
import { mayCollect, UnitCollector, type GcFacts } from '../../src/manager/unit-gc.js';

const idle: GcFacts = { activeState: 'inactive', collectMode: 'inactive', hasJob: false, typeMayCollect: true };

/** A registry: unit → facts, and who names whom (from → to). */
function registry(facts: Record<string, Partial<GcFacts>>, names: [string, string][]) {
  const loaded = new Map(Object.entries(facts).map(([id, f]) => [id, { ...idle, ...f }]));
  const collected: string[] = [];
  const gc = new UnitCollector(
    {
      facts: (id) => loaded.get(id),
      referrers: (id) => names.filter(([from, to]) => to === id && loaded.has(from)).map(([from]) => from),
      collect: (id) => {
        loaded.delete(id);
        collected.push(id);
        return names.filter(([from]) => from === id).map(([, to]) => to);
      },
      paused: () => false,
    },
    () => undefined, // swept by hand
  );
  return { gc, collected, loaded };
}

t.test('unit_may_gc: state, job, CollectMode and the type decide', async (t) => {
  t.equal(mayCollect(idle), true, 'inactive, no job: collectable');
  t.equal(mayCollect({ ...idle, hasJob: true }), false, 'a job keeps it');
  t.equal(mayCollect({ ...idle, activeState: 'active' }), false, 'active stays');
  t.equal(mayCollect({ ...idle, activeState: 'failed' }), false, 'failed stays with CollectMode=inactive');
  t.equal(mayCollect({ ...idle, activeState: 'failed', collectMode: 'inactive-or-failed' }), true, 'failed goes with CollectMode=inactive-or-failed');
  t.equal(mayCollect({ ...idle, typeMayCollect: false }), false, 'a process or an fd store keeps it');
});

t.test('an inactive unit named by an active one stays; an unreferenced one goes', async (t) => {
  const { gc, collected } = registry({ 'app.target': { activeState: 'active' }, 'held.service': {}, 'lone.service': {} }, [['app.target', 'held.service']]);
  gc.add('held.service');
  gc.add('lone.service');
  gc.sweep();
  t.same(collected, ['lone.service']);
});

t.test('a chain of collectable units goes whole, and what the last one named follows', async (t) => {
  const { gc, collected } = registry({ 'a.service': {}, 'b.service': {}, 'c.service': {} }, [
    ['a.service', 'b.service'],
    ['b.service', 'c.service'],
  ]);
  gc.add('b.service');
  gc.sweep();
  t.same(collected.sort(), ['a.service', 'b.service', 'c.service']);
});

t.test('a reference cycle of collectable units is collected', async (t) => {
  const { gc, collected } = registry({ 'x.service': {}, 'y.service': {} }, [
    ['x.service', 'y.service'],
    ['y.service', 'x.service'],
  ]);
  gc.add('x.service');
  gc.sweep();
  t.same(collected.sort(), ['x.service', 'y.service']);
});

t.test('a unit that must stay keeps the whole chain below it', async (t) => {
  const { gc, collected } = registry({ 'run.service': { activeState: 'active' }, 'mid.service': {}, 'leaf.service': {} }, [
    ['run.service', 'mid.service'],
    ['mid.service', 'leaf.service'],
  ]);
  gc.add('leaf.service');
  gc.add('mid.service');
  gc.sweep();
  t.same(collected, []);
});

t.test('a 5,000-deep chain is swept without recursion', async (t) => {
  const facts: Record<string, Partial<GcFacts>> = {};
  const names: [string, string][] = [];
  for (let i = 0; i < 5000; i++) {
    facts[`u${i}.service`] = {};
    if (i > 0) names.push([`u${i - 1}.service`, `u${i}.service`]);
  }
  const { gc, loaded } = registry(facts, names);
  gc.add('u4999.service');
  gc.sweep();
  t.equal(loaded.size, 0);
});

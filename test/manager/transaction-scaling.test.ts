// Finding 11 (slow paths): the ordering-cycle check of a transaction paired every job
// with every other (job_compare for each pair), so booting 2,000 units asked the
// dependency graph 8 million questions. The graph's answers are counted for a chain of
// 200 and of 2,000 units, all wanted by one target and each ordered After= the one
// before (an enabled stack): the count must grow like the number of units, not like
// its square. The job engine likewise re-checked every waiting job whenever one ended.

import t from 'tap';
import { JobEngine, type JobUnits } from '../../src/manager/jobs.js';
import type { ActiveState } from '../../src/manager/states.js';
import { defaultUnitSettings, type LoadedUnit, type StateChange, type UnitInstance } from '../../src/manager/unit-type.js';

/** A unit that becomes active as soon as it is started. */
class InstantUnit implements UnitInstance {
  activeState: ActiveState = 'inactive';
  subState = 'dead';
  constructor(
    readonly id: string,
    private readonly notify: (unit: string, change: StateChange) => void,
  ) {}
  reload(): void {}
  start(): 'started' {
    this.activeState = 'activating';
    this.notify(this.id, { from: 'inactive', to: 'activating' });
    this.activeState = 'active';
    this.notify(this.id, { from: 'activating', to: 'active' });
    return 'started';
  }
  stop(): 'already' {
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

async function graphQuestions(n: number): Promise<{ questions: number; started: number }> {
  const units = new Map<string, { config: LoadedUnit; instance: InstantUnit }>();
  let engine: JobEngine | undefined;
  const messages: string[] = [];
  const get: JobUnits['get'] = (name) => {
    let u = units.get(name);
    if (!u) {
      const i = Number(/^u(\d+)\.service$/.exec(name)?.[1] ?? -1);
      const before = i > 0 ? [`u${i - 1}.service`] : [];
      const all = Array.from({ length: n }, (_, k) => `u${k}.service`);
      const config: LoadedUnit = {
        id: name,
        names: [name],
        loadState: (i >= 0 && i < n) || name === 'boot.target' ? 'loaded' : 'not-found',
        fragmentPath: '',
        dropInPaths: [],
        unitFileState: '',
        unit: name === 'boot.target' ? { ...defaultUnitSettings(), wants: all } : { ...defaultUnitSettings(), after: before },
        warnings: [],
      };
      u = { config, instance: new InstantUnit(name, (unit, change) => engine!.stateChanged(unit, change)) };
      units.set(name, u);
      engine?.invalidateGraph();
    }
    return u;
  };
  engine = new JobEngine(
    { get, all: () => [...units.values()].map((u) => u.config) },
    { starting: () => undefined, finished: () => undefined, warn: (u, m) => messages.push(`${u}: ${m}`), info: () => undefined },
  );
  for (let i = 0; i < n; i++) get(`u${i}.service`);
  get('boot.target');
  const related = engine.graph.related.bind(engine.graph);
  let questions = 0;
  engine.graph.related = (id, atom) => {
    questions++;
    return related(id, atom);
  };
  const result = await engine.enqueue('boot.target', 'start').done;
  if (result !== 'done') throw new Error(`start of the chain: ${result}`);
  if (messages.length > 0) throw new Error(messages.join('\n'));
  const started = [...units.values()].filter((u) => u.config.id !== 'boot.target' && u.instance.activeState === 'active').length;
  return { questions, started };
}

t.test('starting a chain of units asks the dependency graph O(units) questions, not O(units²)', async (t) => {
  const small = await graphQuestions(200);
  const large = await graphQuestions(2000);
  t.equal(small.started, 200, 'the whole chain of 200 started');
  t.equal(large.started, 2000, 'the whole chain of 2,000 started');
  const ratio = large.questions / small.questions;
  t.comment(`graph questions: ${small.questions} for 200 units, ${large.questions} for 2,000 (ratio ${ratio.toFixed(1)})`);
  t.ok(ratio < 20, `questions grow like the number of units (ratio ${ratio.toFixed(1)}, 10× the units)`);
});

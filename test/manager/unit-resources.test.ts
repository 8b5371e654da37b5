// Zero growth (issue 19): `systemctl show` of a name that never ran (not-found, asked once by
// each of 10,000 calls in the bench's long run) sampled the unit's CPU and kept an entry for
// it forever: ~260 bytes per name asked about. Counted here, not measured.

import t from 'tap';
import { UnitResources } from '../../src/manager/unit-resources.js';

t.test('sampling units that never ran keeps nothing for them', async (t) => {
  const r = new UnitResources();
  const answers = Array.from({ length: 1000 }, (_, i) => r.sample(`ghost${i}.service`, 0, []));
  t.ok(answers.every((a) => a.tasks === 0 && a.cpuNsec === 0), 'each answers no tasks and no CPU');
  t.equal((r as unknown as { runs: Map<string, unknown> }).runs.size, 0, 'no entry per name asked about');
});

t.test('a run with processes is still followed, and a new run starts from zero', async (t) => {
  const r = new UnitResources();
  const first = r.sample('self.service', 1, [process.pid]);
  t.ok(first.tasks >= 1, 'the live process counts as tasks');
  t.ok(first.cpuNsec > 0, 'and its CPU time counts');
  t.equal((r as unknown as { runs: Map<string, unknown> }).runs.size, 1, 'the run is kept while it has processes');
  t.same(r.sample('self.service', 2, []), { tasks: 0, cpuNsec: 0 }, 'a new run without processes has used nothing');
  t.equal((r as unknown as { runs: Map<string, unknown> }).runs.size, 0, 'and keeps nothing');
});

// Every unit file installed on this machine loads without an exception.

import t from 'tap';
import { UnitStore } from '../../src/units/loader.js';
import type { LoadState } from '../../src/units/schema/enums.js';
import { isTemplateName } from '../../src/units/unit-name.js';

t.test('all unit files under /lib/systemd/system and /etc/systemd/system load', async (t) => {
  const store = new UnitStore({ unitPathEnv: '/etc/systemd/system:/lib/systemd/system' });
  const counts = new Map<LoadState, number>();
  let n = 0;
  for (const name of store.knownNames()) {
    // A bare template is loaded through an instance, as the manager would.
    const target = isTemplateName(name) ? name.replace('@.', '@probe.') : name;
    let state: LoadState;
    try {
      state = store.load(target).loadState;
    } catch (e) {
      t.fail(`${name} threw: ${(e as Error).message}`);
      continue;
    }
    n++;
    counts.set(state, (counts.get(state) ?? 0) + 1);
  }
  const summary = [...counts].map(([k, v]) => `${k}=${v}`).join(' ');
  t.comment(`loaded ${n} unit files: ${summary}`);
  console.log(`# system units: ${n} loaded, ${summary}`);
  t.ok(n > 0, 'found unit files');
});

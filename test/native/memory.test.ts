// reduceMemory() (memory.cc): V8's compacting collection found by name in the running node,
// then malloc_trim. It must find V8's entry points in the node that runs the tests (else PID 1
// would silently keep its boot garbage), and it must give back heap pages a burst grew into.

import t from 'tap';
import { reduceMemory } from '../../src/native/index.js';

t.test('compacts the V8 heap a burst of garbage grew', (t) => {
  let burst: Array<{ i: number; s: string }> | null = [];
  for (let i = 0; i < 400_000; i++) burst.push({ i, s: `unit-${i}.service` });
  const grown = process.memoryUsage().heapTotal;
  burst = null;
  t.equal(reduceMemory(), true, "V8's compaction ran (its entry points were found in this node)");
  const after = process.memoryUsage().heapTotal;
  t.ok(after < grown / 2, `heap committed after the burst: ${(grown / 1048576).toFixed(1)} MiB → ${(after / 1048576).toFixed(1)} MiB`);
  t.end();
});

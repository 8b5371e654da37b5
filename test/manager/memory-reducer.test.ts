// memory-reducer.ts: PID 1 compacts once at the end of its boot, then only when RSS grew by
// more than the bound since the last compaction, so an idle or steady PID 1 pays nothing.

import t from 'tap';
import { startMemoryReducer } from '../../src/manager/memory-reducer.js';

const MiB = 1024 * 1024;
const ticks = (n: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, n * 5 + 20));

t.test('compacts at start, then only after RSS grew past the bound', async (t) => {
  let rss = 50 * MiB;
  let compactions = 0;
  const reducer = startMemoryReducer(() => {
    compactions++;
    rss -= 0.5 * MiB; // what a compaction hands back
  }, () => rss, 1);
  t.teardown(() => reducer.stop());
  t.equal(compactions, 1, 'once when started (the end of the boot)');
  rss += 0.9 * MiB;
  await ticks(4);
  t.equal(compactions, 1, 'growth under 1 MiB: nothing');
  rss += 0.5 * MiB;
  await ticks(4);
  t.equal(compactions, 2, 'past 1 MiB: one compaction');
  await ticks(4);
  t.equal(compactions, 2, 'and none while RSS stays where it left it');
});

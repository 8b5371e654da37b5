// 10 000 spawn/reap cycles (with pipes, with failures) leave the fd count and RSS where
// they were.

import t from 'tap';
import { closeSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { SpawnError, spawn } from '../../src/native/index.js';
import { ExitCollector, openFds, zombieChildren } from './helpers.js';

const CYCLES = 10_000;
const BATCH = 50;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const exits = new ExitCollector();
t.teardown(() => exits.close());

function rssMiB(): number {
  gc();
  return process.memoryUsage().rss / 1024 / 1024;
}

/** One batch: mostly plain spawns, some with pipes, every 10th a failing one. */
async function batch(offset: number): Promise<void> {
  const pids: number[] = [];
  for (let i = 0; i < BATCH; i++) {
    const n = offset + i;
    if (n % 10 === 9) {
      try {
        spawn({ path: '/nonexistent/binary', argv: ['x'], env: [] });
      } catch (error) {
        if (!(error instanceof SpawnError)) throw error;
      }
      continue;
    }
    const withPipes = n % 3 === 0;
    const result = spawn({
      path: '/bin/true', argv: ['true'], env: ['A=1'],
      ...(withPipes ? { stdout: { kind: 'pipe' }, stderr: { kind: 'pipe' } } : {}),
    });
    if (result.stdout !== undefined) closeSync(result.stdout);
    if (result.stderr !== undefined) closeSync(result.stderr);
    pids.push(result.pid);
  }
  await Promise.all(pids.map((pid) => exits.exitOf(pid, 20_000)));
  for (const pid of pids) exits.exits.delete(pid); // the collector itself must not grow
}

t.test(`${CYCLES} spawn/reap cycles: no fd or memory growth`, { timeout: 280_000 }, async (t) => {
  for (let n = 0; n < 500; n += BATCH) await batch(n); // warm-up: JIT, allocator pools
  const fdsBefore = openFds().length;
  const rssBefore = rssMiB();
  const started = performance.now();
  for (let n = 0; n < CYCLES; n += BATCH) await batch(n);
  const elapsed = performance.now() - started;
  const fdsAfter = openFds().length;
  const rssAfter = rssMiB();
  t.comment(`fds: ${fdsBefore} -> ${fdsAfter}; RSS: ${rssBefore.toFixed(1)} MiB -> ${rssAfter.toFixed(1)} MiB`);
  t.comment(`${CYCLES} cycles in ${(elapsed / 1000).toFixed(1)} s (${((elapsed * 1000) / CYCLES).toFixed(0)} µs per spawn+reap)`);
  t.equal(fdsAfter, fdsBefore, 'fd count unchanged');
  t.ok(rssAfter - rssBefore < 16, `RSS grew by less than 16 MiB (grew ${(rssAfter - rssBefore).toFixed(1)})`);
  t.same(zombieChildren(), [], 'no zombies');
});

// Keeps PID 1's RSS flat under sustained work (issue 19, zero growth). Heap snapshots over
// thousands of restarts, control calls and daemon-reloads show no object of unitd's own
// growing; what grows is V8's committed heap (pages a busy stretch allocated into, kept
// after the objects on them died: 14 -> 18 MB committed for 9 MB in use over 5,000 restarts)
// and glibc's free lists. V8's own memory reducer acts only when it judges the process idle,
// which a PID 1 that keeps working may never be. So a check every CHECK_MS (one read of
// /proc/self/stat) hands memory back with native reduceMemory() (a compacting collection,
// then malloc_trim) once RSS has grown GROWTH_BYTES past where the last one left it: at most
// one full collection per interval, and none at all while nothing grows.

import { reduceMemory } from '../native/index.js';

const CHECK_MS = 10_000;
const GROWTH_BYTES = 1024 * 1024;

/** Compacts now and then whenever RSS grew past the bound; the timer never keeps PID 1 alive. */
export function startMemoryReducer(
  reduce: () => void = reduceMemory,
  rss: () => number = () => process.memoryUsage.rss(),
  everyMs = CHECK_MS,
): { stop(): void } {
  reduce();
  let baseline = rss();
  const timer = setInterval(() => {
    if (rss() < baseline + GROWTH_BYTES) return;
    reduce();
    baseline = rss();
  }, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

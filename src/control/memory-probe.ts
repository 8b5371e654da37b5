// Test-only: PID 1's own memory and handle counts, for the tests and the bench's long-run mode
// that prove nothing grows per restart, per control call, per daemon-reload or per journal line
// (RSS alone is too noisy for that: V8 grows and shrinks its heap as it pleases). Served on the
// control socket, to root only, and only when the daemon was started with UNITD_TEST_MEMORY=1;
// otherwise the method does not exist ("Unknown method").

import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';

// node:v8 and node:vm are loaded on the first probe, not with PID 1: a daemon that is never probed
// (every real one) does without them (0.6 MiB of idle RSS, README "Memory").
const builtin = createRequire(import.meta.url);
const v8 = (): typeof import('node:v8') => builtin('node:v8') as typeof import('node:v8');

/** The method's name on the wire (not in protocol.ts METHODS: no client or table knows it). */
export const MEMORY_PROBE_METHOD = 'testMemoryStats';

export interface MemoryStats {
  /** V8 heap in use after a full collection, bytes: what a leak of JS objects grows. */
  heapUsed: number;
  /**
   * heapUsed less compiled code, bytecode and their metadata: the JS objects alone. The optimising
   * compiler keeps adding code for hundreds of events after start (heap snapshots of PID 1 over
   * 900 restarts: all of the growth was code, deopt data and the maps' dependent-code lists), so a
   * leak of objects shows here and not the JIT's warm-up.
   */
  dataHeapUsed: number;
  /** The V8 heap's committed size (what the heap holds of RSS). */
  heapTotal: number;
  /** Memory outside the V8 heap held by JS objects (Buffers), after the collection. */
  external: number;
  rss: number;
  /** Open file descriptors of PID 1. */
  fds: number;
  /** Live libuv handles and requests by kind (timers, sockets, pipes, fs watchers...). */
  resources: Record<string, number>;
  /** Where a heap snapshot was written, when one was asked for (params.heapSnapshot: a path inside PID 1's filesystem). */
  heapSnapshot?: string;
}

export function memoryProbeEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.UNITD_TEST_MEMORY === '1';
}

let collect: (() => void) | undefined;

/** A full GC without --expose-gc on the command line: the flag is set at run time, then gc is fetched from a fresh context. */
function fullGc(): void {
  if (collect === undefined) {
    v8().setFlagsFromString('--expose-gc');
    collect = (builtin('node:vm') as typeof import('node:vm')).runInNewContext('gc') as () => void;
  }
  collect();
}

export function memoryStats(heapSnapshot?: string): MemoryStats {
  fullGc();
  const written = heapSnapshot === undefined ? undefined : v8().writeHeapSnapshot(heapSnapshot);
  const m = process.memoryUsage();
  const code = v8().getHeapCodeStatistics();
  const dataHeapUsed = m.heapUsed - code.code_and_metadata_size - code.bytecode_and_metadata_size;
  const resources: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) resources[kind] = (resources[kind] ?? 0) + 1;
  let fds = -1;
  try {
    fds = readdirSync('/proc/self/fd').length - 1; // minus the directory handle readdir itself held
  } catch {
    /* no /proc: counted as unknown */
  }
  return { heapUsed: m.heapUsed, dataHeapUsed, heapTotal: m.heapTotal, external: m.external, rss: m.rss, fds, resources, ...(written === undefined ? {} : { heapSnapshot: written }) };
}

// spawnAsync(): the clone on a spawner thread. Every exit reported exactly once and never
// before the caller has the pid, failures worded as with spawn(), and a child that blocks
// before exec holds neither the event loop nor other spawns.

import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { heldExitCount, onChildExit, spawn, spawnAsync, SpawnError, type ExitInfo, type PendingSpawn, type SpawnResult, type SpawnSpec } from '../../src/native/index.js';

const BOUND_MS = 30_000;

/** Bounded wait for `ready()`, polled every few ms. */
async function until(ready: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + BOUND_MS;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Every exit in delivery order, and for each pid whether the spawn callback had run by then. */
const delivered: { exit: ExitInfo; claimedBefore: boolean }[] = [];
const claimed = new Set<number>();
const unsubscribe = onChildExit((exit) => delivered.push({ exit, claimedBefore: claimed.has(exit.pid) }));
t.teardown(unsubscribe);

function start(spec: SpawnSpec): Promise<SpawnResult> {
  return new Promise((resolve, reject) =>
    spawnAsync(spec, (outcome) => {
      if ('error' in outcome) return reject(outcome.error);
      claimed.add(outcome.result.pid);
      resolve(outcome.result);
    }),
  );
}

const exitsOf = (pid: number) => delivered.filter((d) => d.exit.pid === pid);

t.test('a child that exits at once is reported exactly once, after its pid, with its status', async (t) => {
  const result = await start({ path: '/bin/sh', argv: ['sh', '-c', 'exit 7'], env: [] });
  await until(() => exitsOf(result.pid).length > 0, `the exit of ${result.pid}`);
  await new Promise((r) => setTimeout(r, 50));
  const seen = exitsOf(result.pid);
  t.equal(seen.length, 1, 'delivered once');
  t.same(seen[0].exit, { pid: result.pid, code: 'exited', status: 7 });
  t.ok(seen[0].claimedBefore, 'the spawn callback ran before the exit was delivered');
});

t.test('hundreds of concurrent spawns: every one reported, once, after its pid', async (t) => {
  const count = 300;
  const results = await Promise.all(Array.from({ length: count }, (_, i) => start({ path: '/bin/sh', argv: ['sh', '-c', `exit ${i % 50}`], env: [] })));
  const pids = results.map((r) => r.pid);
  t.equal(new Set(pids).size, count, 'distinct pids');
  await until(() => pids.every((pid) => exitsOf(pid).length > 0), 'every exit');
  await new Promise((r) => setTimeout(r, 50));
  pids.forEach((pid, i) => {
    const seen = exitsOf(pid);
    if (seen.length !== 1 || seen[0].exit.status !== i % 50 || !seen[0].claimedBefore) t.fail(`pid ${pid}: ${JSON.stringify(seen)}`);
  });
  t.equal(heldExitCount(), 0, 'nothing left held');
});

t.test('exec failure of a missing binary: the same SpawnError as spawn(), its child never delivered', async (t) => {
  const spec: SpawnSpec = { path: '/nonexistent/program', argv: ['program'], env: [] };
  const error = await start(spec).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(error instanceof SpawnError, 'a SpawnError');
  let syncError: unknown;
  try {
    spawn(spec);
  } catch (e) {
    syncError = e;
  }
  const fields = (e: unknown) => {
    const s = e as SpawnError;
    return { message: s.message, exitCode: s.exitCode, exitStatusName: s.exitStatusName, code: s.code, step: s.step, errno: s.errno };
  };
  t.same(fields(error), fields(syncError), 'identical to the synchronous spawn');
  t.equal((error as SpawnError).message, 'Failed at step EXEC spawning /nonexistent/program: No such file or directory');
  const failedPid = (error as SpawnError).pid;
  t.ok(failedPid > 0, 'the failed child has a pid');
  // Another exit to be sure the reaper has run since.
  const after = await start({ path: '/bin/true', argv: ['true'], env: [] });
  await until(() => exitsOf(after.pid).length > 0, 'a later exit');
  t.same(exitsOf(failedPid), [], 'the failed child is not delivered to listeners');
  await until(() => heldExitCount() === 0, 'the dropped pid to be collected');
});

t.test('an unknown user fails at once, as with spawn()', async (t) => {
  t.throws(() => spawnAsync({ path: '/bin/true', argv: ['true'], env: [], user: 'no-such-user-unitd' }, () => t.fail('no callback')), { exitCode: 217, code: 'ESRCH' });
});

t.test('a child blocked before exec holds neither the event loop nor other spawns', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'unitd-spawn-async-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const fifo = join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  let blockedResult: SpawnResult | undefined;
  let inFlight: PendingSpawn | undefined;
  const blocked = new Promise<SpawnResult>((resolve, reject) => {
    inFlight = spawnAsync({ path: '/bin/sh', argv: ['sh', '-c', 'read line; exit 3'], env: [], stdin: { kind: 'file', path: fifo, mode: 'read' } }, (outcome) => {
      if ('error' in outcome) return reject(outcome.error);
      claimed.add(outcome.result.pid);
      resolve((blockedResult = outcome.result));
    });
  });
  // Meanwhile the loop runs, timers fire and another spawn completes and is reaped.
  await new Promise((r) => setTimeout(r, 100));
  t.equal(blockedResult, undefined, 'the child still waits in open() for a writer');
  const early = inFlight?.pid() ?? 0;
  t.ok(early > 0, 'its pid is known while it waits, as after fork()');
  const other = await start({ path: '/bin/sh', argv: ['sh', '-c', 'exit 4'], env: [] });
  await until(() => exitsOf(other.pid).length === 1, 'the other exit');
  t.equal(exitsOf(other.pid)[0].exit.status, 4);
  // A writer releases it: the child execs, reads the line and exits.
  const writer = openSync(fifo, 'w');
  const result = await blocked;
  closeSync(writer);
  t.equal(result.pid, early, 'the same pid');
  await until(() => exitsOf(result.pid).length === 1, 'the released child exit');
  t.same(exitsOf(result.pid)[0].exit, { pid: result.pid, code: 'exited', status: 3 });
});

// systemd's child takes SIGTERM while it waits in open() before exec; and a second child
// blocked meanwhile must not hold the first one's report pipe (its copy of the fd table),
// or the first spawn would never learn that its child is gone.
t.test('two children blocked before exec: SIGTERM ends either, each spawn completes on its own', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'unitd-spawn-async-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const blockedOn = (fifo: string) => {
    execFileSync('mkfifo', [fifo]);
    let outcome: { result: SpawnResult } | { error: Error } | undefined;
    const inFlight = spawnAsync({ path: '/bin/sleep', argv: ['sleep', '1000'], env: [], stdin: { kind: 'file', path: fifo, mode: 'read' } }, (o) => {
      if ('result' in o) claimed.add(o.result.pid);
      outcome = o;
    });
    const done = async () => {
      await until(() => outcome !== undefined, 'the spawn to complete');
      return outcome && 'result' in outcome ? outcome.result.pid : 0;
    };
    return { done, pid: () => inFlight.pid() };
  };
  const first = blockedOn(join(dir, 'first'));
  await until(() => first.pid() > 0, 'the first child cloned');
  const second = blockedOn(join(dir, 'second'));
  await until(() => second.pid() > 0, 'the second child cloned');
  for (const spawned of [first, second]) {
    const pid = spawned.pid();
    process.kill(pid, 'SIGTERM');
    t.equal(await spawned.done(), pid, 'the spawn completes once its child is gone');
    await until(() => exitsOf(pid).length === 1, 'its exit');
    t.same(exitsOf(pid)[0].exit, { pid, code: 'killed', status: 15 }, 'killed by SIGTERM before exec');
  }
});

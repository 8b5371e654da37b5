// The single reaper: exit codes as systemd reports them, every orphan collected exactly
// once (as a real PID 1, in a PID namespace), and peaceful coexistence with child_process.

import t from 'tap';
import { execFile, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { onChildExit, reapAll, spawn } from '../../src/native/index.js';
import { ExitCollector, zombieChildren } from './helpers.js';

const exits = new ExitCollector();
t.teardown(() => exits.close());

t.test('exit codes: exited with status, killed and dumped with the signal number', async (t) => {
  const exited = spawn({ path: '/bin/sh', argv: ['sh', '-c', 'exit 42'], env: [] });
  const killed = spawn({ path: '/bin/sh', argv: ['sh', '-c', 'kill -TERM $$'], env: [] });
  const dumped = spawn({
    path: '/bin/sh', argv: ['sh', '-c', 'kill -QUIT $$'], env: [],
    rlimits: [{ resource: 'CORE', soft: 0, hard: 0 }], // SIGQUIT's default action is a core dump; keep it empty
  });
  t.same(await exits.exitOf(exited.pid), { pid: exited.pid, code: 'exited', status: 42 });
  t.same(await exits.exitOf(killed.pid), { pid: killed.pid, code: 'killed', status: 15 });
  const dump = await exits.exitOf(dumped.pid);
  // With RLIMIT_CORE 0 the kernel still reports CLD_DUMPED only if a dump was attempted; accept either.
  t.equal(dump.status, 3);
  t.ok(dump.code === 'dumped' || dump.code === 'killed', `SIGQUIT reported as ${dump.code}`);
});

t.test('child_process keeps working next to the reaper (tests use it for tooling)', async (t) => {
  const results = await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      new Promise<number | null>((resolve) => execFile('/bin/sh', ['-c', `exit ${i}`], { timeout: 10_000 }, (error) => resolve(error ? (error.code as number) : 0))),
    ),
  );
  t.same(results, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 'every execFile got its own exit code');
  const sync = spawnSync('/bin/sh', ['-c', 'exit 7'], { timeout: 10_000 });
  t.equal(sync.status, 7, 'spawnSync too');
  // and our own children are still reaped meanwhile
  const ours = spawn({ path: '/bin/true', argv: ['true'], env: [] });
  t.equal((await exits.exitOf(ours.pid)).status, 0);
});

t.test('a listener that throws does not cost the others the exit', async (t) => {
  const seen: number[] = [];
  const errors: unknown[] = [];
  const onError = (error: unknown) => errors.push(error);
  process.on('uncaughtException', onError);
  const offBad = onChildExit(() => {
    throw new Error('listener bug');
  });
  const offGood = onChildExit((e) => seen.push(e.pid));
  const { pid } = spawn({ path: '/bin/true', argv: ['true'], env: [] });
  await exits.exitOf(pid);
  await new Promise((r) => setTimeout(r, 20));
  offBad();
  offGood();
  process.off('uncaughtException', onError);
  t.ok(seen.includes(pid));
  t.ok(errors.length >= 1, 'the error still surfaced as uncaughtException');
});

t.test('reapAll with nothing to reap returns nothing', async (t) => {
  t.same(reapAll(), []);
  t.same(zombieChildren(), []);
});

t.test('1000 double-forked orphans as PID 1: each reported once, no zombie 100 ms after the last exit', async (t) => {
  const fixture = join(import.meta.dirname, 'fixtures', 'orphans-pid1.ts');
  const loader = process.execArgv.filter((arg) => arg.includes('@tapjs/typescript'));
  const started = performance.now();
  const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
    execFile(
      'unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', process.execPath, ...loader, fixture, '1000', '4'],
      { timeout: 90_000, env: { ...process.env, NODE_OPTIONS: '' }, maxBuffer: 1 << 20 },
      (error, stdout, stderr) => (error && !stdout ? reject(Object.assign(error, { stderr })) : resolve({ stdout, stderr })),
    );
  });
  const line = stdout.trim().split('\n').pop() ?? '';
  let report: Record<string, unknown>;
  try {
    report = JSON.parse(line) as Record<string, unknown>;
  } catch {
    t.fail(`fixture printed no report: ${stdout} ${stderr}`);
    return;
  }
  t.comment(`PID-1 run: ${JSON.stringify(report)} in ${Math.round(performance.now() - started)} ms`);
  t.equal(report.pid, 1, 'the fixture ran as PID 1');
  t.equal(report.orphans, 1000, '1000 orphans were made');
  t.equal(report.reported, 1001, 'every orphan and the helper were reported');
  t.equal(report.duplicates, 0, 'no pid reported twice');
  t.equal(report.unexpected, 0, 'no pid reported that was not ours');
  t.equal(report.nonZero, 0, 'all orphans exited 0');
  t.equal(report.zombies, 0, 'no zombie in /proc 100 ms after the last exit');
  t.same(report.maker, { pid: (report.maker as { pid: number }).pid, code: 'exited', status: 0 });
});

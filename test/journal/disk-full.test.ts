// A full disk: the writer keeps accepting lines without throwing, counts what it cannot keep,
// writes a "N lines dropped" record and carries on once space returns.

import t from 'tap';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const child = fileURLToPath(new URL('./fixtures/disk-full-child.ts', import.meta.url));
const mountPoint = mkdtempSync(join(tmpdir(), 'unitd-journal-full-'));
t.teardown(() => rmSync(mountPoint, { recursive: true, force: true }));

const canMount = process.getuid?.() === 0;
t.test('disk full and recovery on a 1 MiB tmpfs', { skip: canMount ? false : 'needs root for unshare --mount and a tmpfs' }, async (t) => {
  // The tmpfs exists only in the child's private mount namespace and vanishes with it.
  const script = `mount -t tmpfs -o size=1m unitd-journal-test "$1" && shift && exec "$@"`;
  const proc = spawn(
    'unshare',
    ['--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', mountPoint, process.execPath, ...process.execArgv, child, mountPoint],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let output = '';
  proc.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => proc.pid && process.kill(proc.pid, 'SIGKILL'), 90_000);
  const [code] = await once(proc, 'exit');
  clearTimeout(timer);
  t.equal(code, 0, 'child finished');
  const report = JSON.parse(output.trim().split('\n').at(-1) ?? '{}');
  t.comment(`disk full: ${JSON.stringify(report)}`);
  t.equal(report.thrown, 0, 'append() never threw');
  t.ok(report.droppedWhileFull > 0, 'lines beyond the queue were counted as dropped');
  t.ok(report.writeErrorsWhileFull > 0, 'writes failed while full');
  t.match(report.lastErrorWhileFull, /ENOSPC|no space/i);
  t.ok(report.queuedWhileFull > 0, 'the queue held what fits while waiting');
  t.ok(report.recoveredAfterMs < 20_000, 'the writer recovered after space was freed');
  t.equal(report.final.queuedRecords, 0, 'the queue drained');
  t.ok(
    report.notices.some((notice: string) => /^\d+ lines dropped: journal queue full, writing failed: .*(ENOSPC|no space)/i.test(notice)),
    'a drop notice names the failure',
  );
  t.equal(report.droppedInNotices, report.droppedWhileFull, 'the notices account for every dropped line');
  t.equal(report.first, 'before the disk filled');
  t.equal(report.last, 'after the disk recovered');
  t.equal(report.storedWhileFull + report.droppedWhileFull, report.sent, 'every line is stored or counted');
});

t.test('a store that fills its own file system vacuums on ENOSPC and keeps the newest lines', { skip: canMount ? false : 'needs root for unshare --mount and a tmpfs' }, async (t) => {
  const selfFull = fileURLToPath(new URL('./fixtures/self-full-child.ts', import.meta.url));
  const script = `mount -t tmpfs -o size=2m unitd-journal-test "$1" && shift && exec "$@"`;
  const proc = spawn(
    'unshare',
    ['--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', mountPoint, process.execPath, ...process.execArgv, selfFull, mountPoint],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let output = '';
  proc.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => proc.pid && process.kill(proc.pid, 'SIGKILL'), 90_000);
  const [code] = await once(proc, 'exit');
  clearTimeout(timer);
  t.equal(code, 0, 'child finished (the writer never froze)');
  const report = JSON.parse(output.trim().split('\n').at(-1) ?? '{}');
  t.comment(`self-full: ${JSON.stringify(report)}`);
  t.same(report.failures, [], 'no write stayed failed: ENOSPC was vacuumed away and retried');
  t.equal(report.dropped, 0, 'nothing dropped');
  t.equal(report.newest, report.sent - 1, 'the newest line is stored');
});

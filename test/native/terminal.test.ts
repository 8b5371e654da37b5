// The terminal step of spawn(): StandardInput=tty/tty-force/tty-fail take a pseudo-terminal the
// test made as controlling terminal, stdout shares it, TTYRows=/TTYColumns= size it; a taken
// terminal fails tty-fail with 208/STDIN, is stolen by tty-force and waited for by tty.

import t from 'tap';
import { spawn as spawnProcess } from 'node:child_process';
import { closeSync, constants as fsConstants, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn, SpawnError, type SpawnSpec } from '../../src/native/index.js';
import { openPty, ptyUnavailable, type Pty } from '../integration/pty.js';
import { ExitCollector, killQuietly, statFields } from './helpers.js';

const exits = new ExitCollector();
const started: number[] = [];
let pty: Pty | undefined;
t.teardown(() => {
  started.forEach((pid) => killQuietly(pid));
  exits.close();
  pty?.close();
});

/** Session id and controlling terminal (tty_nr, 0 for none) from /proc/PID/stat. */
const sessionOf = (pid: number): { session: number; tty: number } => {
  const f = statFields(pid);
  return { session: Number(f[3]), tty: Number(f[4]) };
};

async function execed(pid: number, argv0: string): Promise<void> {
  for (let waited = 0; waited < 10_000; waited += 10) {
    if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith(`${argv0}\x00`)) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`pid ${pid} did not reach execve of ${argv0} within 10 s`);
}

function holder(path: string, acquire: 'try' | 'force' | 'wait'): SpawnSpec {
  return { path: '/bin/sleep', argv: ['sleep', '30'], env: [], stdin: { kind: 'tty' }, terminal: { path, acquire } };
}

const skip = ptyUnavailable() ?? (process.getuid?.() === 0 ? false : 'tty-force needs root (CAP_SYS_ADMIN)');

t.test('stdin and stdout on the terminal, sized by rows/columns', { skip }, async (t) => {
  pty = await openPty();
  const { pid } = spawn({
    path: '/bin/sh',
    argv: ['sh', '-c', 'read line; echo "got:$line"; stty size'],
    env: ['PATH=/usr/bin:/bin'],
    stdin: { kind: 'tty' },
    stdout: { kind: 'tty' },
    stderr: { kind: 'tty' },
    terminal: { path: pty.path, acquire: 'wait', reset: true, rows: 40, columns: 100 },
  });
  started.push(pid);
  t.same(sessionOf(pid).session, pid, 'a session leader');
  t.not(sessionOf(pid).tty, 0, 'with the terminal as controlling terminal');
  pty.type('hello\n');
  const shown = await pty.waitFor(/40 100/);
  t.match(shown, /got:hello\r\n/, 'the typed line reached stdin, the answer the terminal');
  t.same(await exits.exitOf(pid), { pid, code: 'exited', status: 0 }, 'exits 0');
});

t.test('a taken terminal: try fails with 208/STDIN, force steals it, wait waits for it', { skip }, async (t) => {
  pty ??= await openPty();
  const first = spawn(holder(pty.path, 'wait')).pid;
  started.push(first);
  await execed(first, 'sleep');
  const tty = sessionOf(first).tty;
  t.not(tty, 0, 'the first holds it');

  const failure = t.throws(() => spawn(holder(pty!.path, 'try'))) as SpawnError;
  t.match(failure, { exitCode: 208, exitStatusName: 'STDIN', code: 'EPERM', message: 'Failed at step STDIN spawning /bin/sleep: Operation not permitted' });

  const waiting = spawn(holder(pty.path, 'wait')).pid;
  started.push(waiting);
  t.ok(waiting > 0, 'spawn() returns at once while the child waits');
  await new Promise((resolve) => setTimeout(resolve, 300));
  t.not(readFileSync(`/proc/${waiting}/cmdline`, 'utf8').split('\x00')[0], 'sleep', 'not started while the terminal is taken');
  t.equal(readFileSync(`/proc/${waiting}/comm`, 'utf8'), '(sleep)\n', 'named as systemd names a child before exec');

  const thief = spawn(holder(pty.path, 'force')).pid;
  started.push(thief);
  await execed(thief, 'sleep');
  t.equal(sessionOf(thief).tty, tty, 'force took it');
  t.equal(sessionOf(first).tty, 0, 'from the first session');

  killQuietly(thief, 'SIGKILL');
  await exits.exitOf(thief);
  await execed(waiting, 'sleep');
  t.equal(sessionOf(waiting).tty, tty, 'the waiting child got it once the holder closed it');
  killQuietly(waiting, 'SIGTERM');
  t.match(await exits.exitOf(waiting), { code: 'killed', status: 15 });
  killQuietly(first, 'SIGTERM');
  await exits.exitOf(first);
});

t.test('a waiting child takes SIGTERM', { skip }, async (t) => {
  pty ??= await openPty();
  const first = spawn(holder(pty.path, 'wait')).pid;
  started.push(first);
  await execed(first, 'sleep');
  const waiting = spawn(holder(pty.path, 'wait')).pid;
  started.push(waiting);
  await new Promise((resolve) => setTimeout(resolve, 200));
  killQuietly(waiting, 'SIGTERM');
  t.match(await exits.exitOf(waiting), { code: 'killed', status: 15 }, 'stopped while it waited, as systemd\'s would be');
  killQuietly(first, 'SIGTERM');
  await exits.exitOf(first);
});

t.test("the daemon's own controlling terminal is given up to the service that asks for it", { skip }, async (t) => {
  pty ??= await openPty();
  // spawn-once.ts as a session leader whose controlling terminal is the pty (`setsid --ctty`
  // takes stdin's), as PID 1 of `docker run -t` is: tty-fail would find it taken by the daemon.
  const fixture = join(import.meta.dirname, 'fixtures', 'spawn-once.ts');
  const loader = process.execArgv.filter((arg) => arg.includes('@tapjs/typescript'));
  const spec: SpawnSpec = { path: '/bin/sleep', argv: ['sleep', '30'], env: [], stdin: { kind: 'tty' }, terminal: { path: pty.path, acquire: 'try' } };
  const slave = openSync(pty.path, fsConstants.O_RDWR | fsConstants.O_NOCTTY);
  const output = await new Promise<string>((resolve) => {
    const child = spawnProcess('/usr/bin/setsid', ['--ctty', process.execPath, ...loader, fixture, JSON.stringify(spec)], { stdio: [slave, 'pipe', 'inherit'], timeout: 30_000 });
    closeSync(slave);
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('close', () => resolve(stdout));
  });
  const result = JSON.parse(output.trim().split('\n').pop() ?? '{}') as { exitCode?: number; status?: string };
  t.notOk(result.exitCode, 'tty-fail found it free: the daemon gave it up');
  t.match(result.status, /^Name:\s+sleep$/m, 'the service started');
});

t.test('a terminal that cannot be opened: 208/STDIN, 209/STDOUT, 222/STDERR', async (t) => {
  const missing = { path: '/dev/no-such-tty' };
  const spec = (extra: Partial<SpawnSpec>): SpawnSpec => ({ path: '/bin/true', argv: ['true'], env: [], ...extra });
  t.throws(() => spawn(spec({ stdin: { kind: 'tty' }, terminal: { ...missing, acquire: 'wait' } })), { exitCode: 208, code: 'ENOENT' });
  t.throws(() => spawn(spec({ stdout: { kind: 'tty' }, terminal: missing })), { exitCode: 209, exitStatusName: 'STDOUT', code: 'ENOENT' });
  t.throws(() => spawn(spec({ stderr: { kind: 'tty' }, terminal: missing })), { exitCode: 222, code: 'ENOENT' });
  const { pid } = spawn(spec({ terminal: { ...missing, reset: true, vhangup: true, vtDisallocate: true, rows: 3 } }));
  t.same(await exits.exitOf(pid), { pid, code: 'exited', status: 0 }, 'only resetting a missing terminal is no failure (errors ignored, as systemd)');
});

t.test('the spec is checked', async (t) => {
  t.throws(() => spawn({ path: '/bin/true', argv: ['true'], env: [], stdin: { kind: 'tty' } }), { name: 'RangeError', message: /spec.terminal is needed/ });
  t.throws(() => spawn({ path: '/bin/true', argv: ['true'], env: [], stdin: { kind: 'tty' }, terminal: { path: '/dev/console' } }), { message: /acquire must be given/ });
  t.throws(() => spawn({ path: '/bin/true', argv: ['true'], env: [], terminal: { path: 'dev/console' } }), { message: /absolute path/ });
});

// Every exec-context field of spawn() as the started process sees it, read from /proc.

import t from 'tap';
import { execFileSync } from 'node:child_process';
import { chmodSync, closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, readFileSync, readlinkSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Socket } from 'node:net';
import { SpawnError, spawn, type SpawnSpec } from '../../src/native/index.js';
import { ExitCollector, O_CLOEXEC, O_NONBLOCK, fdFlags, fdTarget, killQuietly, openFds, statFields, statusField } from './helpers.js';

const exits = new ExitCollector();
const dir = mkdtempSync(join(tmpdir(), 'unitd-exec-'));
const started: number[] = [];
t.teardown(() => {
  started.forEach((pid) => killQuietly(pid));
  exits.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Starts `sleep 30` with the given settings, so /proc can be read while it runs. spawn()
 * returns once the vfork child is inside execve, and the kernel lets the parent go before
 * the new image's argument and environment pages exist, so /proc/PID/environ can still
 * read empty: wait (bounded) until the new image's command line is visible.
 */
async function sleeper(extra: Partial<SpawnSpec> = {}): Promise<number> {
  const spec: SpawnSpec = { path: '/bin/sleep', argv: ['sleep', '30'], env: ['PATH=/usr/bin:/bin'], ...extra };
  const { pid } = spawn(spec);
  started.push(pid);
  const commandLine = spec.argv.map((arg) => `${arg}\0`).join('');
  for (let waited = 0; waited < 5000; waited += 5) {
    if (readFileSync(`/proc/${pid}/cmdline`, 'utf8') === commandLine) return pid;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`sleep (pid ${pid}) did not finish execve within 5 s`);
}

async function stop(pid: number): Promise<void> {
  killQuietly(pid, 'SIGTERM');
  await exits.exitOf(pid);
}

function readAll(fd: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = new Socket({ fd, readable: true, writable: false });
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}

t.test('user nobody, group nogroup and supplementary groups', async (t) => {
  const pid = await sleeper({ user: 'nobody', group: 'nogroup', supplementaryGroups: ['adm', 1] });
  t.equal(statusField(pid, 'Uid'), '65534\t65534\t65534\t65534', 'all four uids are nobody');
  t.equal(statusField(pid, 'Gid'), '65534\t65534\t65534\t65534', 'all four gids are nogroup');
  t.same(statusField(pid, 'Groups').split(' ').map(Number).sort((a, b) => a - b), [1, 4, 65534], 'initgroups + SupplementaryGroups');
  await stop(pid);
});

t.test('User=65534 Group=daemon SupplementaryGroups=adm gives groups daemon,adm (as observed with systemd)', async (t) => {
  const pid = await sleeper({ user: 65534, group: 'daemon', supplementaryGroups: ['adm'] });
  t.equal(statusField(pid, 'Uid').split('\t')[0], '65534');
  t.equal(statusField(pid, 'Gid').split('\t')[0], '1');
  t.same(statusField(pid, 'Groups').split(' ').map(Number).sort((a, b) => a - b), [1, 4]);
  await stop(pid);
});

t.test('User= alone uses the primary group of the user', async (t) => {
  const pid = await sleeper({ user: 'nobody' });
  t.equal(statusField(pid, 'Gid').split('\t')[0], '65534');
  await stop(pid);
});

t.test('umask, nice, oom_score_adj and resource limits', async (t) => {
  const pid = await sleeper({
    umask: 0o027,
    nice: 7,
    oomScoreAdjust: 123,
    rlimits: [
      { resource: 'NOFILE', soft: 1000, hard: 2000 },
      { resource: 'CORE', soft: 'infinity', hard: 'infinity' },
      // Raising a hard limit needs CAP_SYS_RESOURCE, often missing in containers: systemd then
      // applies the closest allowed value instead of failing, and so do we.
      { resource: 'NPROC', soft: 500, hard: 'infinity' },
    ],
  });
  t.equal(statusField(pid, 'Umask'), '0027');
  t.equal(statFields(pid)[16], '7', 'nice (field 19 of /proc/PID/stat)');
  t.equal(readFileSync(`/proc/${pid}/oom_score_adj`, 'utf8').trim(), '123');
  const limits = readFileSync(`/proc/${pid}/limits`, 'utf8');
  t.match(limits, /Max open files\s+1000\s+2000\s+files/);
  t.match(limits, /Max core file size\s+unlimited\s+unlimited\s+bytes/);
  const ourHard = /Max processes\s+\S+\s+(\S+)/.exec(readFileSync('/proc/self/limits', 'utf8'))![1];
  t.match(limits, new RegExp(`Max processes\\s+500\\s+${ourHard}\\s+processes`), `hard NPROC is infinity or at most ours (${ourHard})`);
  await stop(pid);
});

t.test('signals: nothing blocked or ignored, although Node ignores SIGPIPE', async (t) => {
  t.not(statusField(process.pid, 'SigIgn'), '0000000000000000', 'the test process itself ignores something (SIGPIPE)');
  const pid = await sleeper();
  t.equal(statusField(pid, 'SigBlk'), '0000000000000000');
  t.equal(statusField(pid, 'SigIgn'), '0000000000000000');
  await stop(pid);
});

t.test('exact environment and own session', async (t) => {
  const pid = await sleeper({ env: ['A=1', 'B=two words', 'EMPTY='] });
  t.same(readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean), ['A=1', 'B=two words', 'EMPTY='], 'nothing inherited');
  t.equal(Number(statFields(pid)[3]), pid, 'session id = pid (setsid)');
  await stop(pid);
});

t.test('working directory is applied', async (t) => {
  const pid = await sleeper({ cwd: dir });
  t.equal(fdTarget(pid, 0), '/dev/null', 'stdin defaults to /dev/null');
  t.equal(readlinkSync(`/proc/${pid}/cwd`), dir);
  await stop(pid);
});

t.test('setsid: false keeps the parent session', async (t) => {
  const pid = await sleeper({ setsid: false });
  t.equal(statFields(pid)[3], statFields(process.pid)[3]);
  await stop(pid);
});

t.test('open fds are exactly 0,1,2 plus the passed ones, with LISTEN_* set', async (t) => {
  const file = join(dir, 'passed.txt');
  writeFileSync(file, 'x');
  const passed = openSync(file, 'r');
  const other = openSync('/dev/zero', 'r'); // must not leak into the child
  // fd 3 in the child comes from a high fd, fd 4 from fd 1: sources overlapping targets
  const pid = await sleeper({ env: ['KEEP=1', 'LISTEN_FDS=99'], extraFds: [passed, 1], listenFdNames: ['data', 'console'] });
  t.same(openFds(pid), [0, 1, 2, 3, 4]);
  t.equal(fdTarget(pid, 3), file);
  t.equal(fdTarget(pid, 4), fdTarget(process.pid, 1));
  const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
  t.same(environ.sort(), ['KEEP=1', 'LISTEN_FDNAMES=data:console', 'LISTEN_FDS=2', `LISTEN_PID=${pid}`].sort());
  closeSync(passed);
  closeSync(other);
  await stop(pid);
});

t.test('stdio files: write (no truncation), truncate, append, read', async (t) => {
  const target = join(dir, 'out.txt');
  writeFileSync(target, 'XXXXXXXX');
  const write = spawn({ path: '/bin/sh', argv: ['sh', '-c', 'printf ab'], env: [], stdout: { kind: 'file', path: target, mode: 'write' } });
  await exits.exitOf(write.pid);
  t.equal(readFileSync(target, 'utf8'), 'abXXXXXX', "'write' writes at offset 0 without truncating");

  const append = spawn({ path: '/bin/sh', argv: ['sh', '-c', 'printf cd >&2'], env: [], stderr: { kind: 'file', path: target, mode: 'append' } });
  await exits.exitOf(append.pid);
  t.equal(readFileSync(target, 'utf8'), 'abXXXXXXcd');

  const truncate = spawn({ path: '/bin/sh', argv: ['sh', '-c', 'printf new'], env: [], stdout: { kind: 'file', path: target, mode: 'truncate' } });
  await exits.exitOf(truncate.pid);
  t.equal(readFileSync(target, 'utf8'), 'new');

  const copy = join(dir, 'copy.txt');
  const cat = spawn({
    path: '/bin/cat', argv: ['cat'], env: [],
    stdin: { kind: 'file', path: target, mode: 'read' },
    stdout: { kind: 'file', path: copy, mode: 'truncate' },
  });
  t.equal((await exits.exitOf(cat.pid)).status, 0);
  t.equal(readFileSync(copy, 'utf8'), 'new');
});

t.test('pipes: parent ends are O_CLOEXEC and non-blocking; data flows both ways', async (t) => {
  const child = spawn({
    path: '/bin/sh', argv: ['sh', '-c', 'read line; echo "got $line"; echo oops >&2'], env: [],
    stdin: { kind: 'pipe' }, stdout: { kind: 'pipe' }, stderr: { kind: 'pipe' },
  });
  for (const fd of [child.stdin!, child.stdout!, child.stderr!]) {
    const flags = fdFlags('self', fd);
    t.ok(flags & O_NONBLOCK, `fd ${fd} is non-blocking`);
    t.ok(flags & O_CLOEXEC, `fd ${fd} is close-on-exec`);
  }
  t.equal(fdFlags(child.pid, 0) & O_NONBLOCK, 0, "the child's end is blocking");
  const out = readAll(child.stdout!);
  const err = readAll(child.stderr!);
  const input = new Socket({ fd: child.stdin!, readable: false, writable: true });
  input.end('hello\n');
  t.equal(await out, 'got hello\n');
  t.equal(await err, 'oops\n');
  t.same(await exits.exitOf(child.pid), { pid: child.pid, code: 'exited', status: 0 });
});

t.test("stderr 'stdout': one pipe for both, so interleaved lines keep their order", async (t) => {
  const child = spawn({
    path: '/bin/sh', argv: ['sh', '-c', 'for i in 1 2 3 4 5; do echo out-$i; echo err-$i >&2; done'], env: [],
    stdout: { kind: 'pipe' }, stderr: { kind: 'stdout' },
  });
  t.equal(child.stderr, undefined, 'no second parent end');
  const out = await readAll(child.stdout!);
  t.equal(out, [1, 2, 3, 4, 5].map((i) => `out-${i}\nerr-${i}\n`).join(''), 'strictly alternating, as written');
  t.same(await exits.exitOf(child.pid), { pid: child.pid, code: 'exited', status: 0 });
  const toFile = join(dir, 'both');
  const filed = spawn({
    path: '/bin/sh', argv: ['sh', '-c', 'echo a; echo b >&2; echo c'], env: [],
    stdout: { kind: 'file', path: toFile, mode: 'truncate' }, stderr: { kind: 'stdout' },
  });
  t.equal((await exits.exitOf(filed.pid)).status, 0);
  t.equal(readFileSync(toFile, 'utf8'), 'a\nb\nc\n', 'a file shared the same way');
  t.throws(() => spawn({ path: '/bin/true', argv: ['true'], env: [], stdout: { kind: 'stdout' } as never }), RangeError, "'stdout' is for stderr only");
});

t.test("'fd' stdio: a non-blocking pipe of the daemon reaches the child blocking", async (t) => {
  // A pipe whose daemon end libuv-style code made O_NONBLOCK: the write end of another child's stdin.
  const reader = spawn({ path: '/bin/sleep', argv: ['sleep', '30'], env: [], stdin: { kind: 'pipe' } });
  started.push(reader.pid);
  const writeEnd = reader.stdin!;
  t.ok(fdFlags('self', writeEnd) & O_NONBLOCK, 'our end is non-blocking');
  const pid = await sleeper({ stdout: { kind: 'fd', fd: writeEnd } });
  t.equal(fdTarget(pid, 1), fdTarget(process.pid, writeEnd), 'same pipe');
  t.equal(fdFlags(pid, 1) & O_NONBLOCK, 0, 'child stdout is blocking');
  t.ok(fdFlags('self', writeEnd) & O_NONBLOCK, 'our own end is still non-blocking');
  closeSync(writeEnd);
  await stop(pid);
  await stop(reader.pid);
});

t.test("'inherit' stdio: Node's non-blocking stdout pipe reaches the child blocking", async (t) => {
  // Under tap our fd 1 is a socket, so run a small program whose stdout is a pipe, as a
  // container's PID 1 has for `docker logs`.
  const fixture = join(import.meta.dirname, 'fixtures', 'inherit-stdout.ts');
  const loader = process.execArgv.filter((arg) => arg.includes('@tapjs/typescript'));
  const { execFile } = await import('node:child_process');
  const output = await new Promise<string>((resolve, reject) => {
    // Node's own child stdio would be a socketpair; `| cat` makes it a real pipe.
    const command = ['"$0" "$@" | cat', process.execPath, ...loader, fixture];
    execFile('/bin/sh', ['-c', ...command], { timeout: 20_000, env: { ...process.env, NODE_OPTIONS: '' } }, (error, stdout) =>
      error ? reject(error) : resolve(stdout));
  });
  const report = JSON.parse(output.trim().split('\n').pop()!) as { parentFlags: number; childFlags: number; parentFlagsAfter: number; target: string };
  t.comment(`fixture: fd 1 is ${report.target}, flags 0${report.parentFlags.toString(8)} in the parent`);
  t.match(report.target, /^pipe:/);
  t.ok(report.parentFlags & O_NONBLOCK, "libuv did make the parent's stdout pipe non-blocking");
  t.equal(report.childFlags & O_NONBLOCK, 0, 'the child got it blocking');
  t.equal(report.parentFlagsAfter, report.parentFlags, "the parent's flags are untouched");
});

t.test('argv[0] is independent of the executable path', async (t) => {
  const pid = await sleeper({ argv: ['my-daemon', '30'] });
  t.equal(readFileSync(`/proc/${pid}/cmdline`, 'utf8'), 'my-daemon\x0030\x00');
  t.match(readFileSync(`/proc/${pid}/comm`, 'utf8'), /^sleep/);
  await stop(pid);
});

t.test('noNewPrivileges: NoNewPrivs is 1 in the started process only', async (t) => {
  const plain = await sleeper();
  t.equal(statusField(plain, 'NoNewPrivs'), '0', 'off unless asked');
  await stop(plain);
  const pid = await sleeper({ noNewPrivileges: true, user: 'nobody' });
  t.equal(statusField(pid, 'NoNewPrivs'), '1');
  t.equal(statusField(process.pid, 'NoNewPrivs'), '0', 'the daemon keeps its own');
  await stop(pid);
});

/** A root holding /bin/sleep and the libraries `ldd` names for it, copied from the host. */
function miniRoot(): string {
  const root = mkdtempSync(join(dir, 'root-'));
  const files = ['/bin/sleep', ...[...execFileSync('ldd', ['/bin/sleep'], { encoding: 'utf8' }).matchAll(/(\/\S+) \(0x/g)].map((m) => m[1] as string)];
  for (const file of files) {
    mkdirSync(join(root, dirname(file)), { recursive: true });
    copyFileSync(realpathSync(file), join(root, file));
    chmodSync(join(root, file), 0o755);
  }
  mkdirSync(join(root, 'work'));
  return root;
}

t.test('rootDirectory: the process runs chrooted, with the working directory inside the root', async (t) => {
  const root = miniRoot();
  const pid = await sleeper({ rootDirectory: root, cwd: '/work' });
  t.equal(readlinkSync(`/proc/${pid}/root`), root, '/proc/PID/root is the new root');
  t.equal(readlinkSync(`/proc/${pid}/cwd`), join(root, 'work'), 'WorkingDirectory= resolved inside it');
  t.equal(readlinkSync(`/proc/${pid}/exe`), join(root, 'bin/sleep'), "the root's /bin/sleep ran, not the host's");
  await stop(pid);
  try {
    spawn({ path: '/bin/sleep', argv: ['sleep', '1'], env: [], rootDirectory: join(dir, 'missing-root') });
    t.fail('a missing root must fail');
  } catch (e) {
    t.ok(e instanceof SpawnError);
    t.match(e, { exitCode: 210, exitStatusName: 'CHROOT', code: 'ENOENT' }, 'a missing root fails at step CHROOT');
  }
  t.throws(() => spawn({ path: '/bin/true', argv: ['true'], env: [], rootDirectory: 'relative' }), RangeError);
});

t.test("stdin 'data': the bytes are the child's stdin from their start, more than a pipe buffer holds", async (t) => {
  const data = Buffer.concat([Buffer.from('hello\n'), Buffer.alloc(200_000, 0x61), Buffer.from([0, 255, 10])]);
  const { pid, stdout } = spawn({ path: '/bin/cat', argv: ['cat'], env: [], stdin: { kind: 'data', data }, stdout: { kind: 'pipe' } });
  started.push(pid);
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    const socket = new Socket({ fd: stdout as number, readable: true, writable: false });
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', resolve);
    socket.on('error', reject);
  });
  t.ok(Buffer.concat(chunks).equals(data), 'cat copied every byte');
  t.equal((await exits.exitOf(pid)).status, 0);
  t.throws(() => spawn({ path: '/bin/true', argv: ['true'], env: [], stdout: { kind: 'data', data } as never }), RangeError, "'data' is for stdin only");
});

t.test('ignoreSigpipe: SIGPIPE (bit 13) is the only ignored signal', async (t) => {
  const pid = await sleeper({ ignoreSigpipe: true });
  t.equal(statusField(pid, 'SigIgn'), '0000000000001000');
  await stop(pid);
});

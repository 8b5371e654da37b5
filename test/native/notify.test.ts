// The sd_notify transport: real senders (systemd-notify, python3) reach a DatagramSocket
// with the kernel's view of who sent them.

import t from 'tap';
import { execFile } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatagramSocket, sendDatagram, spawn, type Credentials } from '../../src/native/index.js';
import { ExitCollector, openFds } from './helpers.js';

const exits = new ExitCollector();
const dir = mkdtempSync(join(tmpdir(), 'unitd-notify-'));
t.teardown(() => {
  exits.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Message {
  text: string;
  from: Credentials;
}

/** A socket that queues what arrives, and a way to wait for the next message. */
function listen(path: string): { socket: DatagramSocket; next: (timeoutMs?: number) => Promise<Message> } {
  const queue: Message[] = [];
  let wake: (() => void) | undefined;
  const socket = DatagramSocket.bind(path, (data, from) => {
    queue.push({ text: data.toString('utf8'), from });
    wake?.();
  });
  const next = async (timeoutMs = 10_000): Promise<Message> => {
    const deadline = Date.now() + timeoutMs;
    while (queue.length === 0) {
      if (Date.now() > deadline) throw new Error(`no message on ${path} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 50);
      });
    }
    return queue.shift()!;
  };
  return { socket, next };
}

const PY_SEND = `
import os, socket
path = os.environ["NOTIFY_SOCKET"]
if path.startswith("@"): path = "\\0" + path[1:]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b"READY=1\\nSTATUS=from python", path)
`;

t.test('systemd-notify --ready --status=... from a service shell is attributed to that shell', async (t) => {
  // systemd-notify sends on behalf of its parent (SCM_CREDENTIALS carries getppid() when it
  // may), which in a unit is the service's main process: here the shell we spawned.
  const path = join(dir, 'notify.sock');
  const { socket, next } = listen(path);
  const child = spawn({
    path: '/bin/sh', argv: ['sh', '-c', 'systemd-notify --ready --status="Serving 42 requests"; sleep 0.2'],
    env: [`NOTIFY_SOCKET=${path}`, 'PATH=/usr/bin:/bin'],
  });
  const message = await next();
  t.same(message.text.split('\n').filter(Boolean).sort(), ['READY=1', 'STATUS=Serving 42 requests']);
  t.equal(message.from.pid, child.pid, 'sender pid is the service process we spawned');
  t.equal(message.from.uid, 0);
  t.equal((await exits.exitOf(child.pid)).status, 0);
  socket.close();
  t.notOk(existsSync(path), 'close() removes the socket file');
});

t.test('systemd-notify started directly by us names us, as it would name its parent', async (t) => {
  const path = join(dir, 'notify-direct.sock');
  const { socket, next } = listen(path);
  const child = spawn({ path: '/usr/bin/systemd-notify', argv: ['systemd-notify', 'STATUS=direct'], env: [`NOTIFY_SOCKET=${path}`] });
  const message = await next();
  t.equal(message.text.trim(), 'STATUS=direct');
  t.equal(message.from.pid, process.pid);
  t.equal((await exits.exitOf(child.pid)).status, 0);
  socket.close();
});

t.test('a python3 sender, as an unprivileged user, on an abstract socket', async (t) => {
  const path = `@unitd-test-${process.pid}`;
  const { socket, next } = listen(path);
  const child = spawn({ path: '/usr/bin/python3', argv: ['python3', '-c', PY_SEND], env: [`NOTIFY_SOCKET=${path}`], user: 'nobody' });
  const message = await next();
  t.equal(message.text, 'READY=1\nSTATUS=from python');
  t.same(message.from, { pid: child.pid, uid: 65534, gid: 65534 });
  t.equal((await exits.exitOf(child.pid)).status, 0);
  socket.close();
});

t.test('a message from an unrelated process carries that process\'s own pid', async (t) => {
  const path = join(dir, 'unrelated.sock');
  const { socket, next } = listen(path);
  // started with child_process, not by us: the kernel still names it
  let unrelatedPid = 0;
  const done = new Promise<void>((resolve, reject) => {
    const child = execFile('/usr/bin/python3', ['-c', PY_SEND], { env: { NOTIFY_SOCKET: path }, timeout: 10_000 }, (error) => (error ? reject(error) : resolve()));
    unrelatedPid = child.pid ?? 0;
  });
  const message = await next();
  await done;
  t.equal(message.from.pid, unrelatedPid);
  sendDatagram(path, 'STATUS=self');
  const own = await next();
  t.equal(own.text, 'STATUS=self');
  t.equal(own.from.pid, process.pid, 'sendDatagram from the daemon carries its pid');
  socket.close();
});

t.test('64 KiB messages arrive; bigger ones are dropped and counted; the socket keeps working', async (t) => {
  const path = join(dir, 'big.sock');
  const { socket, next } = listen(path);
  const big = Buffer.alloc(64 * 1024, 'a');
  sendDatagram(path, big);
  t.equal((await next()).text.length, 64 * 1024);
  sendDatagram(path, Buffer.alloc(64 * 1024 + 1, 'b'));
  sendDatagram(path, 'READY=1');
  t.equal((await next()).text, 'READY=1', 'the next message after an oversize one');
  t.same(socket.stats(), { received: 2, droppedOversize: 1, droppedWithoutCredentials: 0, closedPassedFds: 0 });
  socket.close();
});

t.test('fds passed with SCM_RIGHTS that the handler does not take are closed, not leaked', async (t) => {
  const path = join(dir, 'fds.sock');
  const { socket, next } = listen(path);
  const before = openFds().length;
  const script = `
import os, socket
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.connect(os.environ["NOTIFY_SOCKET"])
fds = [os.open("/dev/null", os.O_RDONLY) for _ in range(5)]
socket.send_fds(s, [b"FDSTORE=1"], fds)
`;
  const child = spawn({ path: '/usr/bin/python3', argv: ['python3', '-c', script], env: [`NOTIFY_SOCKET=${path}`] });
  const message = await next();
  t.equal(message.text, 'FDSTORE=1');
  t.equal(socket.stats().closedPassedFds, 5);
  t.equal(openFds().length, before, 'fd count unchanged');
  t.equal((await exits.exitOf(child.pid)).status, 0);
  socket.close();
});

t.test('a handler that takes the passed fds owns them: they stay open and are the sent files', async (t) => {
  const path = join(dir, 'take.sock');
  const taken: number[] = [];
  const socket = DatagramSocket.bind(path, (_data, _from, fds) => {
    t.equal(fds.count, 2);
    taken.push(...fds.take());
  });
  const target = join(dir, 'stored.txt');
  writeFileSync(target, 'kept');
  const script = `
import os, socket
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.connect(os.environ["NOTIFY_SOCKET"])
fds = [os.open(os.environ["TARGET"], os.O_RDONLY), os.open("/dev/null", os.O_RDONLY)]
socket.send_fds(s, [b"FDSTORE=1"], fds)
`;
  const child = spawn({ path: '/usr/bin/python3', argv: ['python3', '-c', script], env: [`NOTIFY_SOCKET=${path}`, `TARGET=${target}`] });
  t.equal((await exits.exitOf(child.pid)).status, 0);
  const deadline = Date.now() + 10_000;
  while (taken.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  t.equal(taken.length, 2, 'both fds handed over');
  t.equal(readlinkSync(`/proc/self/fd/${taken[0]}`), target, 'the first fd is the sent file, still open');
  t.equal(socket.stats().closedPassedFds, 0, 'none closed');
  for (const fd of taken) closeSync(fd);
  socket.close();
});

t.test('bind replaces a stale socket file, refuses a regular file, close is idempotent', async (t) => {
  const path = join(dir, 'stale.sock');
  const first = DatagramSocket.bind(path, () => undefined);
  // simulate a daemon that died without cleaning up: the file stays, a new bind takes it over
  const { next, socket: second } = listen(path);
  sendDatagram(path, 'X=1');
  t.equal((await next()).text, 'X=1');
  second.close();
  second.close();
  first.close();
  const regular = join(dir, 'regular');
  writeFileSync(regular, 'data');
  t.throws(() => DatagramSocket.bind(regular, () => undefined), { code: 'EADDRINUSE', syscall: 'bind' });
  t.throws(() => sendDatagram(join(dir, 'nobody-listens.sock'), 'x'), { code: 'ENOENT', syscall: 'sendto' });
});

t.test('an unref()ed socket does not keep the process alive; ref() does', async (t) => {
  const script = `
    import { DatagramSocket } from ${JSON.stringify(join(import.meta.dirname, '../../src/native/index.js'))};
    const s = DatagramSocket.bind(${JSON.stringify(join(dir, 'unref.sock'))}, () => {});
    s.unref();
  `;
  const file = join(dir, 'unref.mts');
  writeFileSync(file, script);
  const loader = process.execArgv.filter((arg) => arg.includes('@tapjs/typescript'));
  const started = Date.now();
  await new Promise<void>((resolve, reject) =>
    execFile(process.execPath, [...loader, file], { timeout: 20_000, env: { ...process.env, NODE_OPTIONS: '' } }, (error) => (error ? reject(error) : resolve())));
  t.ok(Date.now() - started < 20_000, 'the process exited on its own');
});

t.test('a throwing onMessage surfaces as uncaughtException and the socket keeps working', async (t) => {
  const path = join(dir, 'throws.sock');
  const errors: unknown[] = [];
  const onError = (error: unknown) => errors.push(error);
  process.on('uncaughtException', onError);
  const texts: string[] = [];
  const socket = DatagramSocket.bind(path, (data) => {
    texts.push(data.toString());
    if (data.toString() === 'BAD=1') throw new Error('handler bug');
  });
  sendDatagram(path, 'BAD=1');
  await new Promise((r) => setTimeout(r, 100));
  sendDatagram(path, 'GOOD=1');
  const deadline = Date.now() + 5000;
  while (!texts.includes('GOOD=1') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  process.off('uncaughtException', onError);
  socket.close();
  t.same(texts, ['BAD=1', 'GOOD=1']);
  t.equal(errors.length, 1);
  t.match(String(errors[0]), /handler bug/);
});

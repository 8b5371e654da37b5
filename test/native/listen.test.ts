// The addon's listening sockets: bind with options and SocketMode=, stale nodes replaced,
// FIFOs reused, a readability watch that reads nothing, accept with peer addresses, and
// errors that name the address.
import t from 'tap';
import { closeSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect, createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acceptConnection, listenSocket, openFifo, ReadableWatch } from '../../src/native/listen.js';

const dir = mkdtempSync(join(tmpdir(), 'unitd-listen-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const waitFor = async (cond: () => boolean, ms = 5000): Promise<boolean> => {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  return cond();
};

t.test('a unix stream socket gets SocketMode=, replaces a stale node, and is watched without being read', async (t) => {
  const path = join(dir, 'a.sock');
  const first = listenSocket({ family: 'unix', type: 'stream', label: path, path, mode: 0o600, backlog: 8 });
  closeSync(first.fd); // leaves the node behind, like a crashed manager
  const { fd, warnings } = listenSocket({ family: 'unix', type: 'stream', label: path, path, mode: 0o640 });
  t.same(warnings, []);
  t.equal(statSync(path).mode & 0o777, 0o640, 'mode from SocketMode=, the stale node replaced');
  let readable = 0;
  const watch = new ReadableWatch(fd, () => {
    readable++;
    watch.close();
  });
  const client = connect(path);
  t.ok(await waitFor(() => readable > 0), 'a pending connection makes the fd readable');
  const c = acceptConnection(fd);
  t.ok(c && c.fd > 2, 'the queued connection is still there to accept');
  t.equal(typeof c?.peerPid, 'number', 'AF_UNIX peers come with their credentials');
  t.equal(acceptConnection(fd), undefined, 'nothing else queued');
  client.destroy();
  if (c) closeSync(c.fd);
  closeSync(fd);
});

t.test("accept with the port's spec applies its options to the connection; refusals are warnings", async (t) => {
  const path = join(dir, 'opts.sock');
  const spec = { family: 'unix', type: 'stream', label: path, path, noDelay: true, keepAlive: true, priority: 5 } as const;
  const { fd, warnings } = listenSocket(spec);
  t.same(warnings, ['TCP_NODELAY failed: Operation not supported'], 'the listening socket refuses NoDelay=');
  const client = connect(path);
  let c = acceptConnection(fd, spec);
  for (let i = 0; !c && i < 100; i++) {
    await new Promise((r) => setTimeout(r, 10));
    c = acceptConnection(fd, spec);
  }
  t.same(c?.warnings, ['TCP_NODELAY failed: Operation not supported'], 'so does the accepted one: the options were applied to it too');
  client.destroy();
  if (c) closeSync(c.fd);
  closeSync(fd);
});

t.test('TCP on 127.0.0.1: accept reports local and remote addresses', async (t) => {
  const port = 40000 + (process.pid % 20000);
  const { fd } = listenSocket({ family: 'inet', type: 'stream', label: `127.0.0.1:${port}`, host: '127.0.0.1', port, noDelay: true, keepAlive: true });
  const client = createConnection({ host: '127.0.0.1', port });
  await new Promise((r) => client.once('connect', r));
  let c = acceptConnection(fd);
  for (let i = 0; !c && i < 100; i++) {
    await new Promise((r) => setTimeout(r, 10));
    c = acceptConnection(fd);
  }
  t.equal(c?.local, `127.0.0.1:${port}`);
  t.equal(c?.remoteHost, '127.0.0.1');
  t.equal(c?.remote, `127.0.0.1:${client.localPort}`);
  client.destroy();
  if (c) closeSync(c.fd);
  closeSync(fd);
});

t.test('a datagram socket, an abstract name, and a FIFO that is reused', async (t) => {
  const dgram = listenSocket({ family: 'unix', type: 'dgram', label: 'd', path: join(dir, 'd.sock'), passCredentials: true });
  t.ok(dgram.fd > 2);
  closeSync(dgram.fd);
  const abstract = listenSocket({ family: 'unix', type: 'seqpacket', label: '@x', path: `@unitd-listen-test-${process.pid}` });
  closeSync(abstract.fd);
  const fifo = join(dir, 'f.fifo');
  const a = openFifo(fifo, 0o620);
  t.ok(statSync(fifo).isFIFO());
  t.equal(statSync(fifo).mode & 0o777, 0o620);
  const b = openFifo(fifo, 0o620);
  t.ok(b > 2, 'an existing FIFO is opened again');
  closeSync(a);
  closeSync(b);
});

t.test('errors name the system call and the address', async (t) => {
  const path = join(dir, 'nodir', 'x.sock');
  t.throws(() => listenSocket({ family: 'unix', type: 'stream', label: path, path }), { code: 'ENOENT', message: new RegExp(`bind ${path}`) });
  t.throws(() => listenSocket({ family: 'inet', type: 'stream', label: 'bad', host: 'not-an-ip', port: 1 }), RangeError);
  const file = join(dir, 'plain');
  writeFileSync(file, '');
  t.throws(() => openFifo(file, 0o600), { code: 'EEXIST' }, 'a non-FIFO at the path is refused');
});

// The stdout stream socket (systemd-cat, sd_journal_stream_fd): a small client here sends the
// header as sd_journal_stream_fd() does; lines come back attributed to the connecting pid's unit,
// with journald's handling of bad headers, LineMax=, NUL, empty lines and EOF.

import { orAfter } from '../timing.js';
import t, { type Test } from 'tap';
import { execFileSync } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JournalEntry } from '../../src/journal/entry.js';
import type { FlowControl } from '../../src/journal/capture.js';
import { StreamHeaderReader, StreamServer, type StreamServerOptions } from '../../src/journal/stream-socket.js';

const dir = mkdtempSync('/var/tmp/unitd-stream-test-');
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
let serial = 0;

/** A server on a fresh path that attributes this process to test.service and collects entries. */
async function server(t: Test, options: Partial<StreamServerOptions> = {}) {
  const entries: JournalEntry[] = [];
  const path = join(dir, `stdout-${++serial}`);
  const rx = new StreamServer({
    path,
    unitForSender: (sender) => (sender.pid === process.pid ? 'test.service' : undefined),
    sink: (entry) => entries.push(entry),
    ...options,
  });
  t.teardown(() => rx.close());
  t.equal(await rx.ready, true, 'bound');
  const waitFor = async (count: number, ms = 5000) => {
    const end = Date.now() + ms;
    while (entries.length < count && Date.now() < end) await sleep(10);
  };
  const texts = () => entries.map((e) => e.message.toString('latin1'));
  return { rx, path, entries, waitFor, texts };
}

/** sd_journal_stream_fd()'s header. */
const header = (identifier: string, priority = 6, levelPrefix = 1, unitId = '') =>
  `${identifier}\n${unitId}\n${priority}\n${levelPrefix}\n0\n0\n0\n`;

async function client(path: string): Promise<Socket> {
  // Half-open like sd_journal_stream_fd()'s socket: the server shuts down its sending side at
  // once, and that must not end our sending side.
  const socket = connect({ path, allowHalfOpen: true });
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  return socket;
}

/** Sends the bytes, ends the stream and waits for the server to close its side. */
async function send(path: string, ...chunks: Array<string | Buffer>): Promise<void> {
  const socket = await client(path);
  for (const chunk of chunks) socket.write(chunk);
  socket.end();
  await closed(socket);
}

async function closed(socket: Socket, ms = 5000): Promise<boolean> {
  if (socket.destroyed) return true;
  socket.resume();
  return orAfter(once(socket, 'close').then(() => true), ms, false);
}

/** Whether the server dropped the connection: our writes start failing (EPIPE, ECONNRESET). */
async function dropped(socket: Socket, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  socket.resume();
  while (!socket.destroyed && Date.now() < end) {
    socket.write('more\n');
    await sleep(20);
  }
  const gone = socket.destroyed;
  socket.destroy();
  return gone;
}

t.test('lines after the header are entries of the connecting pid, identifier and unit', async (t) => {
  const { path, entries, waitFor } = await server(t);
  await send(path, header('catid', 4), 'hello\n', '<3>bad thing\nplain again\n');
  await waitFor(3);
  t.same(
    entries.map((e) => ({ unit: e.unit, identifier: e.identifier, pid: e.pid, priority: e.priority, message: e.message.toString() })),
    [
      { unit: 'test.service', identifier: 'catid', pid: process.pid, priority: 4, message: 'hello' },
      { unit: 'test.service', identifier: 'catid', pid: process.pid, priority: 3, message: 'bad thing' },
      { unit: 'test.service', identifier: 'catid', pid: process.pid, priority: 4, message: 'plain again' },
    ],
  );
  t.ok(statSync(path).isSocket());
  t.equal(statSync(path).mode & 0o777, 0o666, 'anyone may connect, as with journald');
});

t.test("the header's forward_to_syslog/kmsg/console flags ride on the stream's entries", async (t) => {
  const { path, entries, waitFor } = await server(t);
  await send(path, 'fwd\n\n6\n1\n1\n0\nyes\n', 'forwarded\n');
  await send(path, header('quiet'), 'kept here\n');
  await waitFor(2);
  const byText = new Map(entries.map((e) => [e.message.toString(), e.forward]));
  t.same(byText.get('forwarded'), { syslog: true, kmsg: false, console: true });
  t.equal(byText.get('kept here'), undefined, 'all flags off: nothing beyond journald.conf');
});

t.test('header and data in one write, header split over writes, stripped header lines', async (t) => {
  const { path, texts, entries, waitFor } = await server(t);
  await send(path, header('one', 6) + 'first\nsecond\n');
  const bytes = Buffer.from(' split \n\n 14 \nyes\nno\nf\nOFF\nthird\n');
  await send(path, ...Array.from(bytes, (b) => Buffer.from([b])));
  await waitFor(3);
  t.same(texts(), ['first', 'second', 'third']);
  t.equal(entries[2].identifier, 'split', 'whitespace around a header line is stripped');
  t.equal(entries[2].priority, 6, 'a priority with a facility (14 = user.info) keeps its level');
});

t.test('level_prefix 0 keeps <N> as text; an empty identifier shows the command name', async (t) => {
  const { path, entries, waitFor } = await server(t);
  await send(path, header('', 5, 0), '<2>kept\n');
  await waitFor(1);
  t.equal(entries[0].message.toString(), '<2>kept');
  t.equal(entries[0].priority, 5);
  t.equal(entries[0].identifier, 'node', "journald shows _COMM: the client's command name");
});

t.test('malformed headers close the connection and log nothing', async (t) => {
  const { rx, path, entries } = await server(t);
  const cases: Array<[string, string | Buffer]> = [
    ['priority not a number', 'id\n\nhigh\n1\n0\n0\n0\nline\n'],
    ['priority above 999', 'id\n\n1000\n1\n0\n0\n0\nline\n'],
    ['level prefix not a boolean', 'id\n\n6\nmaybe\n0\n0\n0\nline\n'],
    ['forward_to_console not a boolean', 'id\n\n6\n1\n0\n0\n2\nline\n'],
    ['NUL ends a header line', Buffer.from('id\0\n\n6\n1\n0\n0\n0\nline\n')],
    ['header line longer than 255 bytes', `${'x'.repeat(300)}\n\n6\n1\n0\n0\n0\nline\n`],
    ['no newline within the first 255 bytes', `${'x'.repeat(255)}\n\n6\n1\n0\n0\n0\nline\n`],
  ];
  for (const [name, bytes] of cases) {
    const socket = await client(path);
    socket.write(bytes);
    // The client keeps writing: the server must close the connection.
    t.ok(await dropped(socket), `${name}: closed by the server`);
  }
  await send(path, 'id\n\n6\n'); // EOF inside the header
  await sleep(100);
  t.same(entries, [], 'nothing was logged');
  t.equal(rx.stats().malformed, cases.length + 1);
  t.equal(rx.stats().active, 0);
});

t.test('a header line of 254 bytes is fine (the limit fits a unit name)', async (t) => {
  const { path, entries, waitFor } = await server(t);
  await send(path, header('y'.repeat(254)), 'ok\n');
  await waitFor(1);
  t.equal(entries[0]?.identifier.length, 254);
});

t.test('LineMax=, NUL, empty lines, and the unterminated last line', async (t) => {
  const { path, texts, entries, waitFor } = await server(t, { lineMax: 100 });
  await send(path, header('lm'), '<3>' + 'a'.repeat(250) + '\n', Buffer.from('x\0y\n'), '\n<5>\nlast without newline');
  await waitFor(6);
  // LineMax counts the raw bytes, "<3>" included (journald's scan does too).
  t.same(texts(), ['a'.repeat(97), 'a'.repeat(100), 'a'.repeat(53), 'x', 'y', 'last without newline']);
  t.same(
    entries.slice(0, 3).map((e) => e.priority),
    [3, 3, 3],
    'pieces cut at LineMax keep the priority of the line start',
  );
  await sleep(100);
  t.equal(entries.length, 6, 'empty lines (also "<5>" alone) are not logged, as journald skips them');
});

t.test('unit: the pid decides; root may name a unit the pid does not lead to', async (t) => {
  const unknown = await server(t, { unitForSender: () => undefined });
  await send(unknown.path, header('u', 6, 1, 'named.service'), 'a\n');
  await send(unknown.path, header('u', 6, 1, 'tmpl@.service'), 'b\n');
  await send(unknown.path, header('u', 6, 1, 'not a unit'), 'c\n');
  await unknown.waitFor(3);
  t.same(
    unknown.entries.map((e) => e.unit),
    process.getuid?.() === 0 ? ['named.service', '', ''] : ['', '', ''],
    'a valid plain/instance name from root; templates and junk are ignored',
  );
  const known = await server(t);
  await send(known.path, header('u', 6, 1, 'named.service'), 'd\n');
  await known.waitFor(1);
  t.equal(known.entries[0].unit, 'test.service', "the pid's unit wins over the header");
  const throwing = await server(t, {
    unitForSender: () => {
      throw new Error('lookup failed');
    },
  });
  await send(throwing.path, header('u'), 'e\n');
  await throwing.waitFor(1);
  t.equal(throwing.entries[0]?.message.toString(), 'e', 'a failing lookup loses the unit, not the line');
});

t.test('connections beyond the limit are closed at once; the others keep working', async (t) => {
  const warnings: string[] = [];
  const { rx, path, texts, waitFor } = await server(t, { maxConnections: 2, onWarning: (m) => warnings.push(m) });
  const a = await client(path);
  const b = await client(path);
  a.write(header('a'));
  b.write(header('b'));
  await sleep(50);
  const extra = await Promise.all([client(path), client(path)]);
  for (const socket of extra) t.ok(await dropped(socket, 2000), 'the extra connection is closed');
  t.equal(rx.stats().refused, 2);
  t.equal(warnings.length, 1, 'one warning per burst');
  a.end('from a\n');
  b.end('from b\n');
  await waitFor(2);
  t.same(texts().sort(), ['from a', 'from b']);
  await Promise.all([closed(a), closed(b)]);
  await send(path, header('c'), 'after\n');
  await waitFor(3);
  t.ok(texts().includes('after'), 'slots free up when streams end');
});

t.test('backpressure: a congested journal slows the writer, no line is lost', async (t) => {
  let congested = true;
  const waiting: Array<() => void> = [];
  const flow: FlowControl = { congested: () => congested, whenUncongested: (callback) => waiting.push(callback) };
  const { path, entries, waitFor } = await server(t, { flow });
  const socket = await client(path);
  const total = 200_000;
  const line = (i: number) => `line-${String(i).padStart(8, '0')}-${'z'.repeat(40)}\n`;
  socket.write(header('bp'));
  let written = 0;
  let drained = true;
  const writer = (async () => {
    while (written < total) {
      drained = socket.write(line(written++));
      if (!drained) await once(socket, 'drain');
    }
    socket.end();
  })();
  await sleep(500);
  const whilePaused = entries.length;
  t.ok(whilePaused < total, `reading paused (${whilePaused} of ${total} lines read)`);
  t.notOk(drained, 'the writer is waiting on a full socket');
  congested = false;
  waiting.splice(0).forEach((wake) => wake());
  await orAfter(writer, 20_000, undefined);
  await waitFor(total, 20_000);
  t.equal(entries.length, total, 'every line arrived');
  t.equal(entries[total - 1].message.toString(), line(total - 1).trimEnd(), 'in order');
  await closed(socket);
});

t.test('close() flushes an unterminated line, ends the streams and removes the socket', async (t) => {
  const { rx, path, texts, waitFor } = await server(t);
  const socket = await client(path);
  socket.write(header('cl') + 'done\npartial');
  await waitFor(1);
  rx.close();
  t.ok(await dropped(socket), 'the connection is closed');
  t.same(texts(), ['done', 'partial']);
  await sleep(50);
  t.notOk(existsSync(path), 'the socket file is gone');
  t.doesNotThrow(() => rx.close(), 'closing twice is harmless');
});

t.test('a stale socket file is replaced; an unbindable path is reported, not thrown', async (t) => {
  const path = join(dir, 'stale');
  // A socket file left behind by a process that is gone, as after a crash.
  execFileSync('python3', ['-c', 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])', path]);
  const { texts, waitFor } = await server(t, { path });
  await send(path, header('s'), 'fresh\n');
  await waitFor(1);
  t.same(texts(), ['fresh']);
  const errors: string[] = [];
  writeFileSync(join(dir, 'not-a-dir'), '');
  const bad = new StreamServer({
    path: join(dir, 'not-a-dir', 'stdout'),
    unitForSender: () => undefined,
    sink: () => undefined,
    onBindError: (_path, error) => errors.push(error.message),
  });
  t.equal(await bad.ready, false);
  t.equal(errors.length, 1);
  t.doesNotThrow(() => bad.close());
});

t.test('header reader on its own', async (t) => {
  const reader = new StreamHeaderReader(true);
  t.same(reader.push(Buffer.from('id\nweb.service\n')), { state: 'more' });
  const done = reader.push(Buffer.from('3\nTrue\non\nN\n0\nrest'));
  t.equal(done.state, 'done');
  if (done.state === 'done') {
    t.same(done.header, {
      identifier: 'id',
      unitId: 'web.service',
      priority: 3,
      levelPrefix: true,
      forwardToSyslog: true,
      forwardToKmsg: false,
      forwardToConsole: false,
    });
    t.equal(done.rest.toString(), 'rest');
  }
  t.same(new StreamHeaderReader(false).push(Buffer.from('id\nweb.service\n6\n1\n0\n0\n0\n')).state, 'done');
});

// The log socket: each message carries its sender as /proc showed it on arrival, so a sender
// that has exited (and been reaped) by the time Node's loop gets to the message still names
// its unit; and a child's message is always delivered before its exit.

import t from 'tap';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import os from 'node:os';
import { LogSocket, sendDatagram, spawn, onChildExit, type LogMessage } from '../../src/native/index.js';
import { ExitCollector, openFds } from './helpers.js';

const exits = new ExitCollector();
const dir = mkdtempSync('/var/tmp/unitd-log-socket-');
t.teardown(() => {
  exits.close();
  rmSync(dir, { recursive: true, force: true });
});

const ENV = ['PATH=/usr/bin:/bin'];

function collect(path: string) {
  const messages: LogMessage[] = [];
  const socket = LogSocket.bind(path, (m) => messages.push(m));
  const until = async (count: number, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    while (messages.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return messages;
  };
  return { socket, messages, until };
}

/** Holds Node's main thread, as a busy daemon would, while the receiver thread keeps working. */
function blockMainThread(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

t.test('a message arrives with the kernel credentials and /proc facts of its sender', async (t) => {
  const { socket, until } = collect(join(dir, 'self.sock'));
  t.teardown(() => socket.close());
  sendDatagram(socket.path, '<13>x: hello');
  const [message] = await until(1);
  t.equal(message?.data.toString(), '<13>x: hello');
  t.equal(message?.sender.pid, process.pid);
  t.equal(message?.sender.uid, process.getuid?.());
  t.equal(message?.sender.ppid, process.ppid);
  t.equal(message?.sender.comm, 'node');
  t.ok(Math.abs((message?.receivedAt ?? 0) / 1000 - Date.now()) < 5000, 'receivedAt is wall-clock µs');
  const stats = socket.stats();
  t.equal(stats.receivers, Math.min(os.availableParallelism(), 8), 'a receiver per CPU');
  t.comment(`receiver scheduling: ${stats.scheduling}`);
  t.ok(['realtime', 'nice', 'short-slice', 'normal'].includes(stats.scheduling));
});

t.test('a sender reaped before Node reads its message is still described (marker, session)', async (t) => {
  const { socket, messages, until } = collect(join(dir, 'gone.sock'));
  t.teardown(() => socket.close());
  // `logger` is the shell's child: the shell reaps it, then exits itself, while our main
  // thread is held. Only a description taken on arrival can still name the unit.
  const shell = spawn({
    path: '/bin/sh',
    argv: ['sh', '-c', `logger -u ${socket.path} -t x gone-before-read`],
    env: [...ENV, 'UNITD_UNIT=gone.service'],
  });
  blockMainThread(1500);
  const [message] = await until(1);
  await exits.exitOf(shell.pid);
  t.equal(messages.length, 1);
  t.match(message?.data.toString(), /x: gone-before-read/);
  t.not(message?.sender.pid, shell.pid, 'sent by logger, not the shell');
  t.notOk(existsSync(`/proc/${message?.sender.pid}`), 'the sender is gone by now');
  // The marker goes first when the sender exits, its stat line when it is reaped: one of the
  // two, read on arrival, names the unit.
  t.ok(message?.sender.unit === 'gone.service' || message?.sender.sid === shell.pid, `marker or session read on arrival (${JSON.stringify(message?.sender)})`);
  t.ok(message?.sender.comm === undefined || message.sender.comm === 'logger', 'comm, when read, is the sender\'s');
});

t.test("a child's message is delivered before its exit, however busy the main thread", async (t) => {
  const { socket, messages } = collect(join(dir, 'order.sock'));
  t.teardown(() => socket.close());
  const order: string[] = [];
  const pids: number[] = [];
  const unsubscribe = onChildExit((exit) => {
    if (pids.includes(exit.pid)) order.push(`exit ${exit.pid} after ${messages.filter((m) => m.sender.pid === exit.pid).length} message(s)`);
  });
  t.teardown(unsubscribe);
  for (let i = 0; i < 20; i++) {
    const { pid } = spawn({ path: '/usr/bin/logger', argv: ['logger', '-u', socket.path, '-t', 'x', `direct-${i}`], env: ENV });
    pids.push(pid);
    if (i % 5 === 0) blockMainThread(100);
  }
  await Promise.all(pids.map((pid) => exits.exitOf(pid)));
  t.same(order.sort(), pids.map((pid) => `exit ${pid} after 1 message(s)`).sort(), 'every exit came after its message');
  for (const pid of pids) {
    const message = messages.find((m) => m.sender.pid === pid);
    t.equal(message?.sender.sid, pid, `pid ${pid} was described (its own session)`);
  }
});

t.test('a flood of 20 000 messages from a blocking sender: all delivered, in order, memory bounded', async (t) => {
  const { socket, messages, until } = collect(join(dir, 'flood.sock'));
  t.teardown(() => socket.close());
  const script = `
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
for i in range(20000):
    s.sendto(b"<14>flood: %d" % i, sys.argv[1])
`;
  const sender = spawn({ path: '/usr/bin/python3', argv: ['python3', '-c', script, socket.path], env: ENV });
  blockMainThread(300); // the queue fills; the sender waits on the kernel, nothing is lost
  t.ok(socket.stats().queued <= 4096, `queue held at its bound (${socket.stats().queued})`);
  t.equal((await exits.exitOf(sender.pid)).status, 0);
  await until(20000, 30_000);
  t.equal(messages.length, 20000);
  t.ok(messages.every((m, i) => m.data.toString() === `<14>flood: ${i}`), 'in order');
  t.match(socket.stats(), { received: 20000, dropped: 0, queued: 0 });
});

t.test('a large native message passed as a memfd is read; stray fds are closed', async (t) => {
  const { socket, until } = collect(join(dir, 'memfd.sock'));
  t.teardown(() => socket.close());
  const before = openFds().length;
  const script = `
import os, socket, sys, array
fd = os.memfd_create("journal")
os.write(fd, b"MESSAGE=" + b"m" * 200000 + b"\\n")
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendmsg([], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [fd]))], 0, sys.argv[1])
s.sendmsg([b"with a stray fd"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [0]))], 0, sys.argv[1])
s.sendto(b"MESSAGE=after", sys.argv[1])
`;
  const sender = spawn({ path: '/usr/bin/python3', argv: ['python3', '-c', script, socket.path], env: ENV });
  t.equal((await exits.exitOf(sender.pid)).status, 0);
  const messages = await until(2);
  t.equal(messages.length, 2, 'the stray-fd datagram is dropped');
  t.equal(messages[0]?.data.length, 'MESSAGE=\n'.length + 200000);
  t.equal(messages[1]?.data.toString(), 'MESSAGE=after');
  t.equal(socket.stats().dropped, 1);
  t.equal(openFds().length, before, 'no passed fd leaked');
});

t.test('close stops the thread, removes the file, and is idempotent', async (t) => {
  const path = join(dir, 'close.sock');
  const before = openFds().length;
  const socket = LogSocket.bind(path, () => undefined);
  t.ok(existsSync(path));
  socket.close();
  socket.close();
  t.notOk(existsSync(path));
  t.equal(openFds().length, before, 'socket and eventfd closed');
  t.throws(() => LogSocket.bind('relative.sock', () => undefined), RangeError);
  t.throws(() => LogSocket.bind(join(dir, 'x.sock'), 'no' as never), TypeError);
});

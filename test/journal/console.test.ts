// Forwarding to PID 1's stdout for `docker logs`: a stalled or closed stdout costs bounded
// memory and a count of dropped lines, never a hang or a crash.

import t from 'tap';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { ConsoleForwarder, consoleFormatFromEnv } from '../../src/journal/console.js';
import type { JournalEntry } from '../../src/journal/entry.js';

const child = fileURLToPath(new URL('./fixtures/console-child.ts', import.meta.url));

function entry(message: string): JournalEntry {
  return { timestamp: 0, unit: 'nginx.service', identifier: 'nginx', pid: 42, priority: 6, message: Buffer.from(message) };
}

/** A consumer that accepts nothing until released, like `docker logs` stuck on a full pipe. */
class StalledConsumer extends Writable {
  received: Buffer[] = [];
  private waiting: Array<() => void> = [];
  private stalled = true;
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.received.push(chunk);
    if (this.stalled) this.waiting.push(callback);
    else callback();
  }
  release(): void {
    this.stalled = false;
    for (const callback of this.waiting.splice(0)) callback();
  }
}

t.test('formats: unit (default), ident, plain, off', async (t) => {
  for (const [format, expected] of [
    ['unit', 'nginx.service: hello\n'],
    ['ident', 'nginx[42]: hello\n'],
    ['plain', 'hello\n'],
    ['off', ''],
  ] as const) {
    const out = new StalledConsumer();
    out.release();
    new ConsoleForwarder({ stream: out, format }).forward(entry('hello'));
    t.equal(Buffer.concat(out.received).toString(), expected, format);
  }
  t.equal(consoleFormatFromEnv('off'), 'off');
  t.equal(consoleFormatFromEnv('no'), 'off');
  t.equal(consoleFormatFromEnv('ident'), 'ident');
  t.equal(consoleFormatFromEnv(undefined), 'unit');
});

t.test('a stalled consumer: memory stays bounded, drops are counted, a notice follows recovery', async (t) => {
  const out = new StalledConsumer();
  const limit = 256 * 1024;
  // stuckMs 0: the consumer counts as stuck at once (in the daemon, after 2 s without progress).
  const forwarder = new ConsoleForwarder({ stream: out, format: 'unit', maxBufferBytes: limit, stuckMs: 0 });
  const line = 'y'.repeat(100);
  let maxBuffered = 0;
  for (let i = 0; i < 100_000; i++) {
    forwarder.forward(entry(line));
    maxBuffered = Math.max(maxBuffered, out.writableLength);
  }
  const stats = forwarder.stats();
  t.comment(`stalled: forwarded ${stats.forwarded}, dropped ${stats.dropped}, max buffered ${maxBuffered} bytes`);
  t.ok(maxBuffered <= limit, 'buffer never exceeds the limit');
  t.equal(stats.forwarded + stats.dropped, 100_000, 'every line is either forwarded or counted');
  t.ok(stats.dropped > 90_000, 'most lines were dropped');
  out.release();
  await new Promise((resolve) => setImmediate(resolve));
  forwarder.forward(entry('after recovery'));
  const text = Buffer.concat(out.received).toString();
  t.match(text, new RegExp(`unitd: ${stats.dropped} lines dropped, stdout was too slow \\(no progress for 0 s\\)\\n`), 'the drop notice is written');
  t.ok(text.endsWith('nginx.service: after recovery\n'), 'forwarding resumes');
});

t.test('a consumer that is behind but moving: readers are asked to pause, nothing is dropped', async (t) => {
  const out = new StalledConsumer();
  const limit = 64 * 1024;
  const forwarder = new ConsoleForwarder({ stream: out, format: 'unit', maxBufferBytes: limit, stuckMs: 60_000 });
  let pauses = 0;
  for (let i = 0; i < 20_000; i++) {
    forwarder.forward(entry(`line ${i}`));
    if (forwarder.congested()) {
      pauses++;
      // Play the paused pipe reader: wait until the forwarder says go, while the consumer drains.
      const resumed = new Promise<void>((resolve) => forwarder.whenUncongested(resolve));
      out.release();
      await resumed;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  out.release();
  const stats = forwarder.stats();
  t.comment(`moving consumer: ${pauses} pauses, ${JSON.stringify(stats)}`);
  t.ok(pauses > 0, 'the forwarder reported congestion');
  t.equal(stats.dropped, 0, 'no line was dropped');
  t.equal(stats.forwarded, 20_000);
});

t.test('a stalled consumer while readers pause: lines drop only once it counts as stuck', async (t) => {
  const out = new StalledConsumer();
  const forwarder = new ConsoleForwarder({ stream: out, format: 'unit', maxBufferBytes: 1024, stuckMs: 100 });
  while (!forwarder.congested()) forwarder.forward(entry('x'.repeat(100)));
  t.equal(forwarder.stats().dropped, 0, 'nothing dropped while congestion is young');
  const started = Date.now();
  const keepAlive = setTimeout(() => undefined, 5000); // the forwarder's own timer is unref'd
  await new Promise<void>((resolve) => forwarder.whenUncongested(resolve));
  clearTimeout(keepAlive);
  t.comment(`declared stuck after ${Date.now() - started} ms (stuckMs 100)`);
  t.notOk(forwarder.congested(), 'stuck: no longer asks readers to wait');
  forwarder.forward(entry('dropped'));
  t.equal(forwarder.stats().dropped, 1, 'further lines are dropped and counted');
});

t.test('a real pipe nobody reads: the process stays small and keeps going', async (t) => {
  const proc = spawn(process.execPath, [...process.execArgv, child, '100000'], { stdio: ['ignore', 'pipe', 'pipe'] });
  // Never read stdout: the pipe fills after 64 KiB and stays full.
  proc.stdout.pause();
  let report = '';
  proc.stderr.on('data', (chunk: Buffer) => (report += chunk.toString()));
  const timer = setTimeout(() => proc.pid && process.kill(proc.pid, 'SIGKILL'), 60_000);
  const [code] = await once(proc, 'exit');
  clearTimeout(timer);
  proc.stdout.destroy();
  t.equal(code, 0, 'child finished');
  const stats = JSON.parse(report.trim().split('\n').at(-1) ?? '{}');
  t.comment(`stalled pipe: ${JSON.stringify(stats)}`);
  t.equal(stats.thrown, 0, 'forward() never threw');
  t.ok(stats.dropped > 0, 'lines were dropped and counted');
  t.ok(stats.writableLength <= 1024 * 1024, 'the stdout buffer stayed within 1 MiB');
  t.ok(stats.rssGrowth < 64 * 1024 * 1024, 'memory did not grow with the 20 MB of output');
});

t.test('stdout closed by the reader (EPIPE): no crash, forwarding stops', async (t) => {
  const proc = spawn(process.execPath, [...process.execArgv, child, '20000'], { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout.destroy();
  let report = '';
  proc.stderr.on('data', (chunk: Buffer) => (report += chunk.toString()));
  const timer = setTimeout(() => proc.pid && process.kill(proc.pid, 'SIGKILL'), 60_000);
  const [code] = await once(proc, 'exit');
  clearTimeout(timer);
  t.equal(code, 0, 'child exited normally');
  const stats = JSON.parse(report.trim().split('\n').at(-1) ?? '{}');
  t.comment(`closed pipe: ${JSON.stringify(stats)}`);
  t.equal(stats.thrown, 0);
  t.equal(stats.broken, true, 'the forwarder noticed the broken pipe');
  t.ok(stats.dropped > 0, 'later lines are counted as dropped');
});

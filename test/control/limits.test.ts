// The control server's bounds (src/control/limits.ts), against an in-process
// server: a client that never reads, replies larger than a frame, deep nesting,
// too many names, too many connections of one unprivileged uid.

import { orAfter } from '../timing.js';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';

import type { Properties, UnitListEntry } from '../../src/control/api.js';
import { connectControl } from '../../src/control/client.js';
import { CONTROL_LIMITS } from '../../src/control/limits.js';
import { encodeFrame, parseRequest, ProtocolError } from '../../src/control/protocol.js';
import { serveControl, type ControlServer } from '../../src/control/server.js';
import { FakeManager } from './fake-manager.js';

const dir = mkdtempSync(join(tmpdir(), 'unitd-limits-'));
chmodSync(dir, 0o755); // the unprivileged-client test connects as nobody
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

/** A manager whose answers are big: ~3.6 KB of properties per unit, as many units as asked for in a list. */
class BigManager extends FakeManager {
  served = 0;
  listed = 0;
  override async unitProperties(units: string[]): Promise<Properties[]> {
    this.served++;
    return units.map((u) => ({ Id: u, LoadState: 'loaded', Description: 'x'.repeat(3600) }));
  }
  override async listUnits(): Promise<UnitListEntry[]> {
    return Array.from({ length: this.listed }, (_, i) => ({
      id: `unit-${String(i).padStart(5, '0')}.service`,
      description: `Unit number ${i} with a "quoted" \\ description ☃`,
      loadState: 'loaded',
      activeState: 'active',
      subState: 'running',
    }));
  }
}

async function withServer<M extends FakeManager>(fake: M, fn: (path: string, fake: M, server: ControlServer) => Promise<void>): Promise<void> {
  const path = join(dir, `c${Math.random().toString(36).slice(2)}.sock`);
  const server = await serveControl(path, fake, { onError: () => undefined, onRefusal: () => undefined });
  try {
    await fn(path, fake, server);
  } finally {
    await server.close();
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

t.test('finding 1: a client that pipelines requests and never reads is served only up to the reply bound', async (t) => {
  await withServer(new BigManager(), async (path, fake) => {
    const names = Array.from({ length: 300 }, () => 'keeper.service');
    const frame = encodeFrame({ v: 1, id: 1, method: 'unitProperties', params: { units: names } });
    const replyBytes = 300 * 3650;
    const s: Socket = connect(path);
    s.on('error', () => undefined);
    await new Promise<void>((r) => s.once('connect', () => r()));
    s.pause(); // never read
    let written = 0;
    for (let i = 0; i < 4000; i++) {
      written++;
      if (s.write(frame)) continue;
      // No 'drain' within a second: the server stopped reading from us, as it should.
      const drained = await orAfter(new Promise<boolean>((r) => s.once('drain', () => r(true))), 1000, false);
      if (!drained) break;
    }
    // Give the server time to serve everything it is willing to.
    let before = -1;
    for (let i = 0; i < 50 && before !== fake.served; i++) {
      before = fake.served;
      await sleep(100);
    }
    t.ok(written > 10, `the client got ${written} requests out`);
    // The kernel's socket buffers hold a few MB at most; the server's own queue maxQueuedReplyBytes plus one reply.
    const bound = Math.ceil((CONTROL_LIMITS.maxQueuedReplyBytes + 16 * 1024 * 1024) / replyBytes) + 2;
    t.ok(fake.served <= bound, `served ${fake.served} of ${written} requests while the client does not read (bound ${bound})`);
    // Another client is served meanwhile.
    const c = await connectControl(path);
    t.equal((await c.unitProperties(['a.service']))[0]?.Id, 'a.service');
    c.close();
    s.destroy();
  });
});

t.test('finding 5: replies larger than a frame are streamed in parts and reassembled by the client', async (t) => {
  await withServer(new BigManager(), async (path, fake) => {
    fake.listed = 12_000;
    const c = await connectControl(path);
    const list = await c.listUnits({ all: true });
    t.equal(list.length, 12_000);
    t.equal(list[11_999]?.id, 'unit-11999.service');
    t.equal(list[5]?.description, 'Unit number 5 with a "quoted" \\ description ☃');
    const props = await c.unitProperties(Array.from({ length: 300 }, (_, i) => `u${i}.service`));
    t.equal(props.length, 300);
    t.equal(props[299]?.Id, 'u299.service');
    // More names than one request may carry: the client asks in batches.
    const many = await c.unitProperties(Array.from({ length: CONTROL_LIMITS.maxNamesPerRequest * 2 + 5 }, (_, i) => `m${i}.service`));
    t.equal(many.length, CONTROL_LIMITS.maxNamesPerRequest * 2 + 5);
    t.equal(many.at(-1)?.Id, `m${CONTROL_LIMITS.maxNamesPerRequest * 2 + 4}.service`);
    c.close();
  });
});

t.test('finding 12: a deeply nested field gets a clean depth-limit error, not a stack overflow', async (t) => {
  const n = 200_000;
  const line = `{"v":${'['.repeat(n)}${']'.repeat(n)},"id":3,"method":"systemState"}`;
  const err = (() => {
    try {
      parseRequest(line);
      return undefined;
    } catch (e) {
      return e;
    }
  })();
  t.ok(err instanceof ProtocolError, 'a protocol error');
  t.match((err as Error).message, /nested deeper than 32 levels/);
  // Over the socket: an answer and a hang-up, and the daemon serves the next client.
  await withServer(new FakeManager(), async (path) => {
    const reply = await new Promise<string>((resolve) => {
      const s = connect(path);
      let buf = '';
      s.on('data', (d) => (buf += d.toString()));
      s.on('error', () => undefined);
      s.on('close', () => resolve(buf));
      s.on('connect', () => s.write(`{"v":1,"id":4,"method":"listUnits","params":{"all":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}}\n`));
    });
    t.match(reply, /LimitsExceeded.*nested deeper than 32 levels/);
    const c = await connectControl(path);
    t.equal(await c.systemState(), 'running');
    c.close();
  });
});

t.test('a request with more names than allowed is refused with the bound in the message', async (t) => {
  t.throws(() => parseRequest(encodeFrame({ v: 1, id: 1, method: 'unitProperties', params: { units: Array.from({ length: CONTROL_LIMITS.maxNamesPerRequest + 1 }, () => 'a') } })), {
    message: `Invalid params: "units" lists ${CONTROL_LIMITS.maxNamesPerRequest + 1} names, at most ${CONTROL_LIMITS.maxNamesPerRequest} are allowed per request.`,
  });
});

t.test('finding 3: an unprivileged uid gets at most its share of connections; root is still served', async (t) => {
  const path = join(dir, 'caps.sock');
  const refusals: string[] = [];
  const server = await serveControl(path, new FakeManager(), { onError: () => undefined, onRefusal: (l) => refusals.push(l) });
  const want = CONTROL_LIMITS.maxConnectionsPerUid + 20;
  // As nobody: open `want` connections, ask each for the system state, report how many were answered.
  const script = `
    const net = require('node:net');
    let answered = 0, refused = 0, done = 0; const socks = [];
    for (let i = 0; i < ${want}; i++) {
      const s = net.connect(${JSON.stringify(path)}); socks.push(s); let buf = '';
      s.on('error', () => {});
      s.on('connect', () => s.write('{"v":1,"id":1,"method":"systemState"}\\n'));
      s.on('data', (d) => { buf += d; if (!buf.endsWith('\\n')) return;
        if (buf.includes('"ok":true')) answered++; else if (buf.includes('LimitsExceeded')) refused++;
        if (++done === ${want}) { console.log(JSON.stringify({ answered, refused })); setTimeout(() => process.exit(0), 300); } });
    }
    setTimeout(() => { console.log(JSON.stringify({ answered, refused })); process.exit(0); }, 15000);`;
  const out = await new Promise<string>((resolve) => {
    const child = spawn('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.on('data', (d: Buffer) => (text += d.toString()));
    child.on('close', () => resolve(text));
  });
  const result = JSON.parse(out.trim().split('\n')[0] ?? '{}') as { answered: number; refused: number };
  t.equal(result.answered, CONTROL_LIMITS.maxConnectionsPerUid, 'nobody is served on its share of connections');
  t.equal(result.refused, 20, 'the rest are refused with LimitsExceeded');
  t.ok(refusals.length >= 1 && refusals.length <= 2, `refusals are logged at a limited rate (${refusals.length} lines)`);
  t.match(refusals[0] ?? '', /uid 65534 .*maximum number of active connections for UID 65534/);
  const c = await connectControl(path);
  t.equal(await c.systemState(), 'running', 'root is served');
  c.close();
  await server.close();
});

t.test('unprivileged clients that never read hold at most the shared reply budget, however many connections they use', async (t) => {
  await withServer(new BigManager(), async (path, fake) => {
    const conns = CONTROL_LIMITS.maxConnectionsPerUid;
    const perConn = 40;
    const replyBytes = 300 * 3650;
    // As nobody: `conns` connections, each pipelining `perConn` requests of 1 MB replies, none read.
    const script = `
      const net = require('node:net');
      const frame = JSON.stringify({ v: 1, id: 1, method: 'unitProperties', params: { units: Array(300).fill('keeper.service') } }) + '\\n';
      for (let c = 0; c < ${conns}; c++) {
        const s = net.connect(${JSON.stringify(path)}); s.on('error', () => {}); s.pause();
        s.on('connect', () => { for (let i = 0; i < ${perConn}; i++) s.write(frame); });
      }
      setTimeout(() => process.exit(0), 6000);`;
    const child = spawn('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e', script], { stdio: 'ignore' });
    const exited = new Promise<void>((r) => child.on('close', () => r()));
    let before = -1;
    await sleep(1000);
    for (let i = 0; i < 40 && before !== fake.served; i++) {
      before = fake.served;
      await sleep(100);
    }
    // The shared budget plus, per connection, what the kernel's socket buffer took (well under 1 MiB) and one reply.
    const bound = Math.ceil((CONTROL_LIMITS.maxUnprivilegedQueuedReplyBytes + conns * 1024 * 1024) / replyBytes) + 2;
    const perConnectionOnly = conns * Math.floor(CONTROL_LIMITS.maxQueuedReplyBytes / replyBytes);
    t.ok(fake.served <= bound, `served ${fake.served} of ${conns * perConn} (bound ${bound}; per-connection bounds alone would allow ${perConnectionOnly})`);
    const c = await connectControl(path);
    t.equal((await c.unitProperties(['a.service']))[0]?.Id, 'a.service', 'root is served meanwhile');
    c.close();
    await exited;
  });
});

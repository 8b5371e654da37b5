// The clients' blocking control calls (unitd_client.so, src/native/control-sync.c) give what
// the node:net client gives: the same results, the same errors for no daemon, a daemon that says
// nothing in time or hangs up, and replies however the daemon splits them (streamed parts,
// one byte at a time, a character cut between two reads). The blocking client runs in a child
// process: blocked, it could not let this process's server answer.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import t from 'tap';

import { connectControl } from '../../src/control/client.js';
import { serveControl } from '../../src/control/server.js';
import { FakeManager } from './fake-manager.js';

const REPO = resolve(import.meta.dirname, '../..');
const ADDON = join(REPO, 'build/Release/unitd_client.so');
const CLIENT = pathToFileURL(join(REPO, 'dist/control/client.js')).href;
const dir = mkdtempSync(join(tmpdir(), 'unitd-blocking-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

interface Outcome {
  result?: unknown;
  error?: { name: string; message: string; code?: string; busError?: string };
  /** No socket or timer in the event loop (true; else the ones there): the calls blocked, as meant. */
  blocking: boolean | string;
}

/**
 * Runs `body` (an expression using `c`, the connected client) in a child with the blocking
 * transport, or over node:net in this process, and reports the result or the error.
 */
function inChild(path: string, body: string, timeoutMs = 5000): Promise<Outcome> {
  const script = `
    import { connectControl } from ${JSON.stringify(CLIENT)};
    const report = (o) => { process.stdout.write(JSON.stringify(o)); };
    const error = (e) => ({ name: e.name, message: e.message, code: e.code, busError: e.busError });
    try {
      const c = await connectControl(${JSON.stringify(path)}, ${timeoutMs}, { blocking: true });
      const handles = process.getActiveResourcesInfo().filter((r) => /Pipe|TCP|Timeout/.test(r));
      const blocking = handles.length === 0 || handles.join();
      try { report({ result: await (${body}), blocking }); } catch (e) { report({ error: error(e), blocking }); }
      c.close();
    } catch (e) { report({ error: error(e), blocking: true }); }`;
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('close', () => {
      clearTimeout(timer);
      try {
        resolvePromise(JSON.parse(out) as Outcome);
      } catch {
        resolvePromise({ error: { name: 'ChildFailed', message: out + err }, blocking: false });
      }
    });
  });
}

/** The same calls over node:net, in this process: the reference. */
async function overNet(path: string, call: (c: Awaited<ReturnType<typeof connectControl>>) => Promise<unknown>, timeoutMs = 5000): Promise<Omit<Outcome, 'blocking'>> {
  // As the child reports it: through JSON (undefined fields dropped).
  const error = (e: unknown) => {
    const x = e as Error & { code?: string; busError?: string };
    return JSON.parse(JSON.stringify({ name: x.name, message: x.message, code: x.code, busError: x.busError })) as Outcome['error'];
  };
  try {
    const c = await connectControl(path, timeoutMs);
    try {
      return { result: await call(c) };
    } catch (e) {
      return { error: error(e) };
    } finally {
      c.close();
    }
  } catch (e) {
    return { error: error(e) };
  }
}

/** A raw server that answers each request line with `answer(id, socket)`. */
async function rawServer(answer: (id: number, s: Socket) => void): Promise<{ path: string; server: Server }> {
  const path = join(dir, `r${Math.random().toString(36).slice(2)}.sock`);
  const server = createServer((s) => {
    let buf = '';
    s.on('error', () => undefined);
    s.on('data', (d) => {
      buf += d.toString();
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const id = (JSON.parse(buf.slice(0, nl)) as { id: number }).id;
        buf = buf.slice(nl + 1);
        answer(id, s);
      }
    });
  });
  await new Promise<void>((r) => server.listen(path, r));
  return { path, server };
}

if (!existsSync(ADDON) || !existsSync(join(REPO, 'dist/control/client.js'))) {
  t.fail(`${ADDON} or dist/ is missing: npm install and npm run build make them`);
} else {
  t.test('the same results and daemon errors as over node:net', async (t) => {
    const path = join(dir, 'm.sock');
    const server = await serveControl(path, new FakeManager(), { onError: () => undefined });
    t.teardown(() => server.close());
    const blocking = await inChild(path, `Promise.all([c.systemState(), c.unitProperties(['web.service', 'nosuch.service']), c.unitFileStates(['a.service'])])`);
    t.equal(blocking.blocking, true, `no socket handle in the event loop (${String(blocking.blocking)})`);
    t.same(blocking.result, (await overNet(path, (c) => Promise.all([c.systemState(), c.unitProperties(['web.service', 'nosuch.service']), c.unitFileStates(['a.service'])]))).result);
    const refused = await inChild(path, `c.killUnit('nosuch.service', 'all', 15)`);
    t.same(refused.error, (await overNet(path, (c) => c.killUnit('nosuch.service', 'all', 15))).error, 'a refusal is the same ControlCallError');
  });

  t.test('no daemon: DaemonUnavailableError with the errno, as over node:net', async (t) => {
    const path = join(dir, 'none.sock');
    const blocking = await inChild(path, 'c.systemState()');
    t.same(blocking.error, (await overNet(path, (c) => c.systemState())).error);
    t.equal(blocking.error?.code, 'ENOENT');
  });

  t.test('a daemon that does not answer in time: that call fails with "Connection timed out"', async (t) => {
    const { path, server } = await rawServer(() => undefined);
    t.teardown(() => server.close());
    const body = (c: string) => `${c}.call('systemState', {}, { timeoutMs: 300 })`;
    const blocking = await inChild(path, body('c'));
    const reference = await overNet(path, (c) => c.call('systemState', {}, { timeoutMs: 300 }));
    t.same(blocking.error, reference.error);
    t.equal(blocking.error?.message, 'Connection timed out');
  });

  t.test('a daemon that hangs up: "Connection reset by peer", as over node:net', async (t) => {
    const { path, server } = await rawServer((_id, s) => s.destroy());
    t.teardown(() => server.close());
    const blocking = await inChild(path, 'c.systemState()');
    t.same(blocking.error, (await overNet(path, (c) => c.systemState())).error);
  });

  t.test('replies in streamed parts, byte by byte, with a character cut between reads', async (t) => {
    const result = ['ünïcode ☃', 'x'.repeat(300)];
    const json = JSON.stringify(result);
    const { path, server } = await rawServer((id, s) => {
      const half = Math.floor(json.length / 2);
      const frames = [
        JSON.stringify({ v: 1, id, ok: true, part: json.slice(0, half), more: true }) + '\n',
        JSON.stringify({ v: 1, id, ok: true, part: json.slice(half), more: false }) + '\n',
      ];
      const bytes = Buffer.from(frames.join(''));
      let i = 0;
      const drip = (): void => {
        if (i >= bytes.length || s.destroyed) return;
        s.write(bytes.subarray(i, i + 1));
        i++;
        setImmediate(drip);
      };
      drip();
    });
    t.teardown(() => server.close());
    const blocking = await inChild(path, `c.environment()`);
    t.same(blocking.result, result);
    t.same(blocking.result, (await overNet(path, (c) => c.environment())).result);
  });
}

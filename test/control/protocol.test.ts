import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';

import { ManagerError, type UnitListEntry } from '../../src/control/api.js';
import { connectControl, ControlCallError, DaemonUnavailableError } from '../../src/control/client.js';
import { controlSocketPath } from '../../src/control/paths.js';
import { fromUnitListRows, MAX_FRAME_BYTES, parseRequest, ProtocolError } from '../../src/control/protocol.js';
import { serveControl, type ControlServer } from '../../src/control/server.js';
import { FakeManager } from './fake-manager.js';

const dir = mkdtempSync(join(tmpdir(), 'unitd-control-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

async function withServer(fn: (path: string, fake: FakeManager, server: ControlServer) => Promise<void>): Promise<void> {
  const path = join(dir, `c${Math.random().toString(36).slice(2)}.sock`);
  const fake = new FakeManager();
  const server = await serveControl(path, fake, { onError: () => undefined });
  try {
    await fn(path, fake, server);
  } finally {
    await server.close();
  }
}

/** Send raw bytes, collect every reply line until the daemon hangs up (bounded). */
function rawExchange(path: string, payload: string | Buffer): Promise<{ replies: unknown[]; closedByServer: boolean }> {
  return new Promise((resolve, reject) => {
    const s: Socket = connect(path);
    let buf = '';
    const timer = setTimeout(() => {
      s.destroy();
      resolve({ replies: parse(), closedByServer: false });
    }, 2000);
    const parse = (): unknown[] => buf.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as unknown);
    s.on('data', (d) => (buf += d.toString()));
    s.on('error', (e: NodeJS.ErrnoException) => {
      // The server may hang up while we are still writing a huge frame.
      if (e.code !== 'EPIPE' && e.code !== 'ECONNRESET') reject(e);
    });
    s.on('close', () => {
      clearTimeout(timer);
      resolve({ replies: parse(), closedByServer: true });
    });
    s.on('connect', () => s.write(payload));
  });
}

t.test('socket path follows UNITD_RUNTIME_DIR', async (t) => {
  t.equal(controlSocketPath({ UNITD_RUNTIME_DIR: '/tmp/x' }), '/tmp/x/control.sock');
  t.equal(controlSocketPath({}), '/run/unitd/control.sock');
});

t.test('typed calls round-trip through the socket', async (t) => {
  await withServer(async (path, fake) => {
    const c = await connectControl(path);
    t.same(await c.unitProperties(['web.service', 'nosuch.service']), [
      { Id: 'web.service', LoadState: 'loaded', ActiveState: 'active', SubState: 'running' },
      { Id: 'nosuch.service', LoadState: 'not-found', ActiveState: 'inactive', SubState: 'dead' },
    ]);
    t.equal(await c.systemState(), 'running');
    t.same(await c.environment(), ['PATH=/usr/bin:/bin']);
    t.same(await c.enqueueJob({ unit: 'web.service', type: 'restart', mode: 'replace', wait: true }), {
      id: 42,
      unit: 'web.service',
      type: 'restart',
      result: 'done',
    });
    t.same(await c.killUnit('web.service', 'main', 1), { signalled: 1 });
    await c.resetFailed();
    await c.shutdown('exit', 5);
    t.same(fake.calls, ['enqueueJob restart web.service', 'killUnit web.service main 1', 'resetFailed *', 'shutdown exit 5']);
    c.close();
  });
});

t.test('a manager error reaches the client with its bus error name, and the connection stays usable', async (t) => {
  await withServer(async (path) => {
    const c = await connectControl(path);
    const err = await c.enqueueJob({ unit: 'nosuch.service', type: 'start', mode: 'replace', wait: true }).catch((e: unknown) => e);
    t.ok(err instanceof ControlCallError);
    t.equal((err as ControlCallError).busError, 'org.freedesktop.systemd1.NoSuchUnit');
    t.equal((err as ControlCallError).message, 'Unit nosuch.service not found.');
    t.equal(await c.systemState(), 'running');
    c.close();
  });
});

t.test('a slow waiting job does not hold up other calls on the same connection', async (t) => {
  await withServer(async (path, fake) => {
    let open!: () => void;
    fake.jobGate = new Promise((r) => (open = r));
    const c = await connectControl(path);
    const job = c.enqueueJob({ unit: 'web.service', type: 'start', mode: 'replace', wait: true });
    t.equal(await c.systemState(), 'running');
    open();
    t.equal((await job).result, 'done');
    c.close();
  });
});

t.test('malformed, unknown, wrong-version and bad-params messages get an error reply and a hang-up', async (t) => {
  await withServer(async (path) => {
    const cases: [string, string, RegExp][] = [
      ['not json{\n', 'org.freedesktop.DBus.Error.InvalidArgs', /^Malformed message/],
      ['[1,2]\n', 'org.freedesktop.DBus.Error.InvalidArgs', /not a JSON object/],
      ['{"v":1,"id":3,"method":"fly","params":{}}\n', 'org.freedesktop.DBus.Error.UnknownMethod', /Unknown method "fly"/],
      ['{"v":2,"id":4,"method":"listJobs","params":{}}\n', 'org.freedesktop.DBus.Error.NotSupported', /version 2.*version 1/],
      ['{"v":1,"id":5,"method":"enqueueJob","params":{"unit":"a.service","type":"jump","mode":"replace","wait":true}}\n', 'org.freedesktop.DBus.Error.InvalidArgs', /"type" must be one of start, stop/],
      ['{"v":1,"id":6,"method":"unitLog","params":{"unit":"a.service","lines":-1}}\n', 'org.freedesktop.DBus.Error.InvalidArgs', /"lines" must be an integer/],
      ['{"v":1,"id":7,"method":"unitProperties","params":{"units":[1]}}\n', 'org.freedesktop.DBus.Error.InvalidArgs', /"units" must be a list of strings/],
    ];
    for (const [payload, busError, message] of cases) {
      const { replies, closedByServer } = await rawExchange(path, payload);
      t.equal(replies.length, 1, payload);
      const r = replies[0] as { ok: boolean; error: { busError: string; message: string }; id: number | null };
      t.equal(r.ok, false);
      t.equal(r.error.busError, busError, payload);
      t.match(r.error.message, message, payload);
      t.ok(closedByServer, `server hung up after ${payload.trim()}`);
    }
  });
});

t.test('the reply to a bad request carries its id when it could be read', async (t) => {
  const err = (() => {
    try {
      parseRequest('{"v":1,"id":9,"method":"killUnit","params":{"unit":"x.service","whom":"all","signal":"TERM"}}');
    } catch (e) {
      return e;
    }
  })();
  t.ok(err instanceof ProtocolError);
  t.equal((err as ProtocolError).id, 9);
  t.match((err as ProtocolError).message, /"signal" must be an integer/);
});

t.test('an oversized frame is refused and the daemon keeps serving others', async (t) => {
  await withServer(async (path) => {
    const huge = Buffer.alloc(MAX_FRAME_BYTES + 4096, 0x61);
    const { replies, closedByServer } = await rawExchange(path, huge);
    t.ok(closedByServer);
    t.equal(replies.length, 1);
    t.equal((replies[0] as { error: { busError: string } }).error.busError, 'org.freedesktop.DBus.Error.LimitsExceeded');
    const c = await connectControl(path);
    t.equal(await c.systemState(), 'running');
    c.close();
  });
});

t.test('a client that sends garbage and vanishes does not disturb another client', async (t) => {
  await withServer(async (path) => {
    const good = await connectControl(path);
    for (let i = 0; i < 5; i++) {
      await new Promise<void>((resolve) => {
        const s = connect(path, () => {
          s.write('\x00\xff{{{ garbage without newline');
          s.destroy();
          resolve();
        });
        s.on('error', () => resolve());
      });
    }
    const half = connect(path);
    await new Promise((r) => half.on('connect', r));
    half.write('{"v":1,"id":1,"method":"listJobs"'); // never finished
    half.destroy();
    t.same(await good.unitProperties(['web.service']), [
      { Id: 'web.service', LoadState: 'loaded', ActiveState: 'active', SubState: 'running' },
    ]);
    good.close();
  });
});

t.test('a manager that throws a plain Error is reported, not fatal', async (t) => {
  await withServer(async (path, fake) => {
    fake.listJobs = async () => {
      throw new Error('boom');
    };
    fake.daemonReload = async () => {
      throw new ManagerError('org.freedesktop.DBus.Error.Failed', 'nope');
    };
    const c = await connectControl(path);
    const e1 = await c.listJobs().catch((e: unknown) => e);
    t.equal((e1 as ControlCallError).message, 'boom');
    const e2 = await c.daemonReload().catch((e: unknown) => e);
    t.equal((e2 as ControlCallError).message, 'nope');
    t.equal(await c.systemState(), 'running');
    c.close();
  });
});

t.test('no daemon: connect reports the errno', async (t) => {
  const err = await connectControl(join(dir, 'absent.sock')).catch((e: unknown) => e);
  t.ok(err instanceof DaemonUnavailableError);
  t.equal((err as DaemonUnavailableError).code, 'ENOENT');
});

t.test('closing the server removes the socket file', async (t) => {
  const path = join(dir, 'closing.sock');
  const server = await serveControl(path, new FakeManager());
  t.ok(statSync(path).isSocket());
  await server.close();
  t.throws(() => statSync(path));
});

t.test('peer credentials decide who may change state; reads stay open', async (t) => {
  const path = join(dir, 'authz.sock');
  const seen: (number | undefined)[] = [];
  const server = await serveControl(path, new FakeManager(), {
    authorize: (method, peer) => {
      seen.push(peer?.uid);
      return method === 'systemState';
    },
  });
  const c = await connectControl(path);
  t.equal(await c.systemState(), 'running');
  const err = await c.daemonReload().catch((e: unknown) => e);
  t.equal((err as ControlCallError).busError, 'org.freedesktop.DBus.Error.AccessDenied');
  t.equal((err as ControlCallError).message, 'Access denied');
  // With the native addon built we learn the caller's uid from SO_PEERCRED.
  if (seen[0] === undefined) t.comment('native addon not built: peer credentials unknown, socket is owner-only');
  else t.equal(seen[0], process.getuid?.());
  c.close();
  await server.close();
});

t.test('a handler that throws: the client gets one clear error, the daemon one line, the connection carries on', async (t) => {
  class ThrowingManager extends FakeManager {
    override async listUnits(): Promise<never> {
      throw new TypeError("Cannot read properties of undefined (reading 'activeState')");
    }
    override managerProperties(): Promise<never> {
      // A handler that throws before returning its promise is caught the same way.
      throw new RangeError('Invalid array length');
    }
  }
  const path = join(dir, 'throwing.sock');
  const reported: string[] = [];
  const server = await serveControl(path, new ThrowingManager(), { onError: (what, err) => reported.push(`${what}: ${(err as Error).message}`) });
  t.teardown(() => server.close());
  const c = await connectControl(path);
  t.teardown(() => c.close());

  const err = await c.listUnits({ all: true }).catch((e: unknown) => e);
  t.ok(err instanceof ControlCallError, 'the call is rejected, not left hanging');
  t.equal((err as ControlCallError).busError, 'org.freedesktop.DBus.Error.Failed');
  t.equal((err as ControlCallError).message, "Cannot read properties of undefined (reading 'activeState')", 'the handler message, without a stack');
  const second = await c.managerProperties().catch((e: unknown) => e);
  t.equal((second as ControlCallError).message, 'Invalid array length');
  t.same(reported, [
    "control method listUnits: Cannot read properties of undefined (reading 'activeState')",
    'control method managerProperties: Invalid array length',
  ], 'one report per failing request');
  t.equal(await c.systemState(), 'running', 'the same connection is still served');

  // A refusal the manager means (ManagerError) is the client's answer, not a daemon fault.
  const refused = await c.enqueueJob({ unit: 'nope.service', type: 'start', mode: 'replace', wait: false }).catch((e: unknown) => e);
  t.equal((refused as ControlCallError).message, 'Unit nope.service not found.');
  t.equal(reported.length, 2, 'refusals are not reported as faults');
});

t.test('list-units comes as rows to clients that ask, as objects to others, the same units either way', async (t) => {
  const units: UnitListEntry[] = [
    { id: 'a.service', description: 'A', loadState: 'loaded', activeState: 'active', subState: 'running' },
    { id: 'b.service', description: 'B', loadState: 'loaded', activeState: 'activating', subState: 'start', jobId: 7, jobType: 'start' },
  ];
  class Listing extends FakeManager {
    override async listUnits(): Promise<UnitListEntry[]> {
      return units;
    }
  }
  const path = join(dir, 'rows.sock');
  const server = await serveControl(path, new Listing(), { onError: () => undefined });
  t.teardown(() => server.close());
  const c = await connectControl(path);
  t.same(await c.listUnits({ all: true }), units, 'the client asks for rows and gets the entries back');
  c.close();
  const rows = await rawExchange(path, JSON.stringify({ v: 1, id: 1, method: 'listUnits', params: { all: true, rows: true } }) + '\n');
  t.same((rows.replies[0] as { result: unknown }).result, [
    ['a.service', 'A', 'loaded', 'active', 'running'],
    ['b.service', 'B', 'loaded', 'activating', 'start', 7, 'start'],
  ]);
  const objects = await rawExchange(path, JSON.stringify({ v: 1, id: 1, method: 'listUnits', params: { all: true } }) + '\n');
  t.same((objects.replies[0] as { result: unknown }).result, units, 'an older client still gets objects');
  t.same(fromUnitListRows(units), units, 'objects from an older daemon pass through');
});

// Control-protocol fuzzer against a real unitd PID 1 (test/integration/harness.ts).
// Bounded in `npm test` (at least 100,000 messages); `npm run fuzz -- --minutes N`
// runs it for N minutes (FUZZ_MINUTES). Seeded: FUZZ_SEED reruns a failure, and
// every failure prints its seed. Messages: valid requests with mutated params,
// broken JSON, deep nesting, huge names, pipelined batches on connections that
// read, and on connections that never read. After every round PID 1 must still
// answer and the keeper service must still be running.

import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import t from 'tap';

import { boot } from '../integration/harness.js';
import { METHODS } from '../../src/control/protocol.js';

const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const MINUTES = Number(process.env.FUZZ_MINUTES ?? 0);
const MIN_MESSAGES = 100_000;

/** mulberry32: small, seedable, good enough to pick mutations. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

// Methods that would end or change the system under test are only sent with broken params.
const SAFE = METHODS.filter((m) => !['shutdown', 'enqueueJob', 'killUnit', 'daemonReload', 'daemonReexec', 'setEnvironment', 'resetFailed', 'cancelJobs'].includes(m));
const VALUES: unknown[] = [null, true, 0, -1, 1.5, 2 ** 53, '', 'keeper.service', 'ghost.service', '../../etc/passwd', 'x'.repeat(5000), [], ['keeper.service'], {}, { units: [] }];

function message(rand: () => number, id: number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const r = rand();
  if (r < 0.5) {
    const method = pick(SAFE);
    const params: Record<string, unknown> = {};
    if (method === 'unitProperties') params.units = Array.from({ length: Math.floor(rand() * 5) }, () => (rand() < 0.5 ? 'keeper.service' : `fz${Math.floor(rand() * 1e6)}.service`));
    if (method === 'listUnits') params.all = rand() < 0.5;
    if (method === 'unitLog') Object.assign(params, { unit: 'keeper.service', lines: Math.floor(rand() * 20) });
    if (method === 'unitProcesses') params.unit = 'keeper.service';
    return JSON.stringify({ v: 1, id, method, params });
  }
  if (r < 0.75) {
    // Never a re-exec: it would end every connection the fuzzer holds (daemon-reexec.test.ts tests it).
    const method = rand() < 0.8 ? pick(METHODS.filter((m) => m !== 'daemonReexec')) : `m${Math.floor(rand() * 100)}`;
    const params: Record<string, unknown> = {};
    for (let i = 0; i < 3; i++) params[pick(['unit', 'units', 'all', 'kind', 'ids', 'lines', 'type', 'mode', 'wait', 'signal'])] = pick(VALUES);
    // Never a valid shutdown: kind is always wrong for it.
    if (method === 'shutdown') params.kind = 'now';
    if (method === 'enqueueJob' || method === 'killUnit' || method === 'setEnvironment') params.unit = 42;
    return JSON.stringify({ v: pick([1, 1, 1, 2, '1', null]), id: pick([id, id, -id, 'x', null]), method, params });
  }
  if (r < 0.85) return `{"v":1,"id":${id},"method":"listUnits","params":{"all":${'['.repeat(10 + Math.floor(rand() * 5000))}`;
  if (r < 0.95) {
    const s = JSON.stringify({ v: 1, id, method: 'systemState' });
    const cut = Math.floor(rand() * s.length);
    return s.slice(0, cut) + String.fromCharCode(Math.floor(rand() * 256)) + s.slice(cut + 1);
  }
  return Buffer.from(Array.from({ length: Math.floor(rand() * 64) }, () => Math.floor(rand() * 256))).toString('latin1').replace(/\n/g, ' ');
}

/** Send `lines` on one connection; read replies unless `neverRead`; resolve when the daemon hangs up or after a bound. */
function session(path: string, lines: string[], neverRead: boolean): Promise<void> {
  return new Promise((resolve) => {
    const s: Socket = connect(path);
    const done = (): void => {
      clearTimeout(timer);
      s.destroy();
      resolve();
    };
    const timer = setTimeout(done, neverRead ? 300 : 5000);
    s.on('error', done);
    s.on('close', done);
    if (neverRead) s.pause();
    else {
      let answers = 0;
      s.on('data', (d: Buffer) => {
        for (const b of d) if (b === 0x0a) answers++;
        if (answers >= lines.length) done();
      });
    }
    s.on('connect', () => s.end(lines.join('\n') + '\n'));
  });
}

t.test(`control fuzzer (seed ${SEED})`, { timeout: MINUTES > 0 ? MINUTES * 60_000 + 120_000 : 900_000 }, async (t) => {
  const sys = await boot({ units: { 'keeper.service': '[Service]\nExecStart=/bin/sleep infinity\n' }, enable: ['keeper.service'] });
  t.teardown(() => sys.stop());
  const path = `/proc/${sys.pid}/root/run/unitd/control.sock`;
  const rand = prng(SEED);
  const end = Date.now() + MINUTES * 60_000;
  let sent = 0;
  let round = 0;
  const rssKiB = (): number => Number(/VmRSS:\s+(\d+)/.exec(procStatus(sys.pid))?.[1] ?? -1);
  const rssStart = rssKiB();
  while (sent < MIN_MESSAGES || Date.now() < end) {
    round++;
    // A round: 8 connections at once, 400 pipelined messages each; two of them never read.
    const sessions: Promise<void>[] = [];
    for (let c = 0; c < 8; c++) {
      const lines = Array.from({ length: 400 }, () => message(rand, ++sent));
      sessions.push(session(path, lines, c >= 6));
    }
    await Promise.all(sessions);
    const api = await sys.api();
    const state = await api.systemState().catch((e: unknown) => `error: ${String(e)}`);
    api.close();
    if (!['running', 'degraded'].includes(state)) {
      t.fail(`PID 1 stopped answering after ${sent} messages (round ${round}); rerun with FUZZ_SEED=${SEED}: ${state}`);
      return;
    }
  }
  const active = await sys.ctl('is-active', 'keeper.service');
  t.equal(active.stdout, 'active\n', `keeper still supervised after ${sent} messages (FUZZ_SEED=${SEED})`);
  t.ok(sent >= MIN_MESSAGES, `${sent} messages in ${round} rounds`);
  t.comment(`seed ${SEED}: ${sent} messages, RSS ${rssStart} KiB -> ${rssKiB()} KiB`);
});

function procStatus(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return '';
  }
}

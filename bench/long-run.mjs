#!/usr/bin/env node
// Long run (issue 19, "zero growth"): unitd as PID 1 through 10,000 restarts, 10,000 control calls,
// 1,000 daemon-reloads and 100,000 journal lines, each after a warm-up, with PID 1's RSS and open
// fds (from /proc) and its JS heap after a full GC (its test-only memory probe, UNITD_TEST_MEMORY=1:
// src/control/memory-probe.ts) before and after each. PASS when, after warm-up, RSS grew by at
// most 1 MiB and the fds by none. Writes bench/results/long-run-latest.json.
//
//   npm run bench:long                  the sizes above
//   npm run bench:long -- --scale=0.1   a tenth of each
//
// The main bench runs the same as its `long` scenario (longRun below), so its figures are part of
// the bench's result JSON and target table.
//
// A "control call" is what one systemctl invocation does to PID 1: connect, ask (unitProperties
// of three units, one of them unknown, and list-units --all), hang up; made from this process, as
// spawning 10,000 clients would measure node's start-up rather than PID 1.

import { connect } from 'node:net';
import { mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { BENCH, launch, rssKiB, sleep } from './lib/peers.mjs';

/** Lines come 10,000 to a start of chatter.service. */
const LINES_PER_START = 10_000;
/** The counts of issue 19 (FULL) and the warm-up before each, times SCALE. */
function sizes(scale) {
  const N = (n) => Math.max(1, Math.round(n * scale));
  return {
    SIZES: { restarts: N(10_000), calls: N(10_000), reloads: N(1_000), lines: Math.max(1, Math.round(N(100_000) / LINES_PER_START)) * LINES_PER_START },
    WARM: { restarts: N(1_000), calls: N(1_000), reloads: N(100), lines: LINES_PER_START },
  };
}
const stderrLog = (...a) => process.stderr.write(`[long-run ${new Date().toISOString().slice(11, 19)}] ${a.join(' ')}\n`);

let nextId = 1;
/** One request on its own connection to PID 1's control socket. */
function request(pid, method, params = {}) {
  return new Promise((resolve, reject) => {
    const s = connect(`/proc/${pid}/root/run/unitd/control.sock`);
    let text = '';
    const timer = setTimeout(() => (s.destroy(), reject(new Error(`${method} timed out`))), 120_000);
    s.on('error', (e) => (clearTimeout(timer), reject(e)));
    s.on('connect', () => s.write(JSON.stringify({ v: 1, id: nextId++, method, params }) + '\n'));
    s.on('data', (d) => {
      text += d;
      const nl = text.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      s.destroy();
      const f = JSON.parse(text.slice(0, nl));
      if (f.ok) resolve(f.result);
      else reject(new Error(`${method}: ${f.error?.message}`));
    });
  });
}

function fdCount(pid) {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return -1;
  }
}

// PID 1 hands a busy stretch's freed heap pages back at its next memory check
// (src/manager/memory-reducer.ts, every 10 s once RSS grew 1 MiB): a sample 2 s after a phase
// sees garbage that is already dead but not yet returned. So each sample waits out one check:
// "flat" is where RSS settles with PID 1 idle again, as a container's memory limit sees it.
const SETTLE_MS = 12_000;

async function sample(pid) {
  await sleep(SETTLE_MS);
  const fds = fdCount(pid); // before the probe's own connection
  const probe = await request(pid, 'testMemoryStats');
  return { rssKiB: rssKiB(pid), fds, heapTotalKiB: Math.round(probe.heapTotal / 1024), externalKiB: Math.round(probe.external / 1024), heapKiB: Math.round(probe.heapUsed / 1024), objectsKiB: Math.round(probe.dataHeapUsed / 1024), handles: probe.resources };
}

const nRestarts = async (pid) => Number((await request(pid, 'unitProperties', { units: ['loop.service'] }))[0].NRestarts);

const PHASES = {
  async restarts(pid, n) {
    const from = await nRestarts(pid);
    await request(pid, 'enqueueJob', { unit: 'loop.service', type: 'start', mode: 'replace', wait: false });
    const until = Date.now() + Math.max(600_000, n * 200);
    while ((await nRestarts(pid)) < from + n) {
      if (Date.now() > until) throw new Error(`only ${(await nRestarts(pid)) - from} of ${n} restarts`);
      await sleep(500);
    }
    await request(pid, 'enqueueJob', { unit: 'loop.service', type: 'stop', mode: 'replace', wait: false });
    await sleep(500);
    // Stopped and inactive, the unit may already be collected (unit GC, as systemd 252): then
    // there is nothing to reset ("Unit loop.service not loaded.").
    await request(pid, 'resetFailed', { unit: 'loop.service' }).catch((err) => {
      if (!/not loaded/.test(String(err?.message ?? err))) throw err;
    });
  },
  async calls(pid, n) {
    for (let i = 0; i < n; i++) {
      await request(pid, 'unitProperties', { units: ['keeper.service', 'loop.service', `ghost${i}.service`] });
      await request(pid, 'listUnits', { all: true });
    }
  },
  async reloads(pid, n) {
    for (let i = 0; i < n; i++) await request(pid, 'daemonReload');
  },
  async lines(pid, n) {
    // chatter.service prints 10,000 lines per start (oneshot, no RemainAfterExit): started n/10,000 times.
    for (let i = 0; i < n / LINES_PER_START; i++) {
      await request(pid, 'enqueueJob', { unit: 'chatter.service', type: 'start', mode: 'replace', wait: true });
    }
  },
};

/**
 * Boot unitd with the long run's three units, run each phase after its warm-up, return
 * [{ phase, n, seconds, before, after, rssGrowthKiB, pass }]. Throws when a phase cannot finish.
 */
export async function longRun({ scale = 1, log = stderrLog } = {}) {
  const { SIZES, WARM } = sizes(scale);
  const work = mkdtempSync('/var/tmp/ubench-long.');
  const services = [
    { name: 'loop', argv: ['/bin/false'], restart: 'always', restartMs: 0, enabled: false },
    { name: 'keeper', argv: ['/bin/sleep', 'infinity'] },
    { name: 'chatter', type: 'oneshot', argv: ['/usr/bin/seq', '-f', 'chatter-line-%g', '1', String(LINES_PER_START)], enabled: false },
  ];
  const sys = await launch('unitd', work, services, { env: { UNITD_TEST_MEMORY: '1', ...(process.env.LONG_RUN_ENV ? Object.fromEntries([process.env.LONG_RUN_ENV.split('=')]) : {}) } });
  const results = [];
  try {
    for (let i = 0; i < 100; i++) {
      try {
        await request(sys.pid, 'systemState');
        break;
      } catch {
        await sleep(200);
      }
    }
    const idle = await sample(sys.pid);
    log(`idle: RSS ${idle.rssKiB} KiB, ${idle.fds} fds, JS objects ${idle.objectsKiB} KiB`);
    for (const phase of Object.keys(SIZES)) {
      log(`${phase}: warm-up ${WARM[phase]}`);
      await PHASES[phase](sys.pid, WARM[phase]);
      const before = await sample(sys.pid);
      const t0 = Date.now();
      await PHASES[phase](sys.pid, SIZES[phase]);
      const after = await sample(sys.pid);
      const rssGrowthKiB = after.rssKiB - before.rssKiB;
      const pass = rssGrowthKiB <= 1024 && after.fds <= before.fds;
      results.push({ phase, n: SIZES[phase], seconds: (Date.now() - t0) / 1000, before, after, rssGrowthKiB, pass });
      log(
        `${phase}: ${SIZES[phase]} in ${((Date.now() - t0) / 1000).toFixed(0)} s; RSS ${before.rssKiB} -> ${after.rssKiB} KiB (${rssGrowthKiB >= 0 ? '+' : ''}${rssGrowthKiB}), ` +
          `fds ${before.fds} -> ${after.fds}, JS objects ${before.objectsKiB} -> ${after.objectsKiB} KiB, heap ${before.heapKiB} -> ${after.heapKiB} KiB (committed ${before.heapTotalKiB} -> ${after.heapTotalKiB}, external ${before.externalKiB} -> ${after.externalKiB})  ${pass ? 'PASS' : 'MISS'}`,
      );
    }
  } finally {
    await sys.kill();
    rmSync(work, { recursive: true, force: true });
  }
  return results;
}

async function main() {
  if (process.getuid?.() !== 0) {
    console.error('long-run: needs root (PID and mount namespaces)');
    process.exit(2);
  }
  const scaleArg = process.argv.find((a) => a.startsWith('--scale='));
  const scale = scaleArg ? Number(scaleArg.split('=')[1]) : 1;
  const results = await longRun({ scale });
  const out = { finished: new Date().toISOString(), scale, loadavg: loadavg(), node: process.version, results };
  mkdirSync(join(BENCH, 'results'), { recursive: true });
  writeFileSync(join(BENCH, 'results', 'long-run-latest.json'), JSON.stringify(out, null, 2) + '\n');
  process.stdout.write('| events | n | RSS before → after (KiB) | fds | JS objects after GC (KiB) | |\n|---|---|---|---|---|---|\n');
  for (const r of results) {
    process.stdout.write(`| ${r.phase} | ${r.n} | ${r.before.rssKiB} → ${r.after.rssKiB} | ${r.before.fds} → ${r.after.fds} | ${r.before.objectsKiB} → ${r.after.objectsKiB} | ${r.pass ? 'PASS' : 'MISS'} |\n`);
  }
  if (results.some((r) => !r.pass)) process.exitCode = 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === realpathSync(process.argv[1])) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}

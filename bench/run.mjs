#!/usr/bin/env node
// unitd against systemd, supervisord, tini and dumb-init, each as PID 1 in its own PID/mount namespace,
// on the same machine in the same run. Prints a markdown table with PASS/MISS per target; a complete
// run writes bench/results/<stamp>.json, latest.json, latest.md and latest.svg (committed), and in
// full mode regenerates the README's table; a run with --only/--peers goes to bench/results/partial/.
//
//   npm run bench                  full mode (~25 min on 2 cores, at most 35; long run included)
//   npm run bench -- --quick       fewer repetitions, the long run at 1/10th (~7 min)
//   npm run bench -- --only=boot,zombies   some scenarios only
//   npm run bench -- --peers=unitd,systemd
//
// Scenarios: boot, restart, control, shutdown, zombies, memory, notify, socket, timers, batch, long.
// See bench/README.md. The targets are data in lib/report.mjs (TARGETS).

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, openSync, closeSync, readdirSync, writeFileSync, writeSync, rmSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, loadavg, totalmem } from 'node:os';
import { BENCH, FIXTURES, PEERS, REPO, childCount, zombieCount, nsenter, launch, now, readMarks, rssKiB, sleep, unavailable, waitMarks } from './lib/peers.mjs';
import { CTL_SIZES, OTHER_VERBS, PROBE_VERBS, renderMarkdown, renderSvg, summarize } from './lib/report.mjs';
import { longRun } from './long-run.mjs';
import { updateReadme } from './render.mjs';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const optList = (name) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1].split(',');
const ALL_SCENARIOS = ['boot', 'restart', 'control', 'shutdown', 'zombies', 'memory', 'notify', 'socket', 'timers', 'batch', 'long'];
const only = optList('only') ?? ALL_SCENARIOS;
const wantedPeers = optList('peers') ?? Object.keys(PEERS);

// Repetitions. Full mode is sized to finish in ~35 min on 2 cores (bench/README.md has the estimate);
// bootReps is per size. longScale: the long run's share of its full counts (10,000 restarts ...).
const CFG = quick
  ? { bootN: [10, 50, 200, 1000], bootReps: { 10: 2, 50: 2, 200: 2, 1000: 1 }, restartGaps: 5, ctlUnits: CTL_SIZES, ctlReps: 10, stopReps: 2, orphans: [1000, 10000], orphanReps: 1, restarts: 1000, warmRestarts: 50, restartBudgetMs: 60000, reapBudgetMs: 15000, notifyM: 50000, notifyReps: 2, settleMs: 1000, firstReps: 10, acceptN: 200, acceptConc: 8, acceptReps: 2, timerN: 100, timerReps: 2, batchN: 100, batchReps: 2, longScale: 0.1 }
  : { bootN: [10, 50, 200, 1000], bootReps: { 10: 5, 50: 5, 200: 5, 1000: 3 }, restartGaps: 20, ctlUnits: CTL_SIZES, ctlReps: 30, stopReps: 5, orphans: [1000, 10000], orphanReps: 3, restarts: 1000, warmRestarts: 100, restartBudgetMs: 120000, reapBudgetMs: 30000, notifyM: 200000, notifyReps: 3, settleMs: 3000, firstReps: 20, acceptN: 1000, acceptConc: 8, acceptReps: 3, timerN: 100, timerReps: 3, batchN: 100, batchReps: 3, longScale: 1 };

const benchStart = Date.now();
const log = (...a) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)} +${((Date.now() - benchStart) / 60000).toFixed(1)}m] ${a.join(' ')}\n`);
/** The progress line before each repetition: scenario, peer, repetition. */
const progress = (scenario, peer, rep, reps, what = '') => log(`${scenario} ${peer}${what ? ` ${what}` : ''}: repetition ${rep + 1}/${reps}`);

// ---------------------------------------------------------------------------------------------
// Results: metrics[id] = { id, scenario, label, unit, better: 'lower'|'higher', peers: { peer: samples[] }, skipped: { peer: why } }
const metrics = [];
function metric(id, scenario, label, unit, better = 'lower') {
  let m = metrics.find((x) => x.id === id);
  if (!m) metrics.push((m = { id, scenario, label, unit, better, peers: {}, skipped: {}, failed: {} }));
  return m;
}
/** A run that did not produce a number (timed out, wrong answer): shown in the table, never dropped. */
let failures = 0;
let lastFailure = '';
function fail(m, peer, why) {
  m.failed[peer] = why;
  failures++;
  lastFailure = `${new Date().toISOString().replace(/[:.]/g, '-')}-${m.id}-${peer}`;
  log(`${m.id} ${peer}: FAILED: ${why}`);
}
const record = (m, peer, v) => (m.peers[peer] ??= []).push(v);
const skip = (m, peer, why) => (m.skipped[peer] = why);

const available = {};
for (const p of Object.keys(PEERS)) available[p] = wantedPeers.includes(p) ? unavailable(p) : 'not selected (--peers)';
const multiPeers = Object.keys(PEERS).filter((p) => PEERS[p].multi);

/** A fresh work dir (under /var/tmp: /tmp is private in the namespaces), removed by the callback's end. */
async function withWork(fn) {
  const work = mkdtempSync('/var/tmp/ubench.');
  const failuresBefore = failures;
  try {
    return await fn(work, join(work, 'marks'));
  } finally {
    // Keep the consoles of a failed run for a person to read.
    if (failures !== failuresBefore) {
      const keep = join(BENCH, 'results', 'failed');
      mkdirSync(keep, { recursive: true });
      for (const f of readdirSync(work).filter((x) => x.startsWith('console-'))) copyFileSync(join(work, f), join(keep, `${lastFailure}-${f}`));
    }
    rmSync(work, { recursive: true, force: true });
  }
}

/** Boot PEER with SERVICES, run fn(sys, marks), always kill the namespace. */
async function withSystem(peer, services, fn, opts) {
  return withWork(async (work, marks) => {
    const svc = typeof services === 'function' ? services(work, marks) : services;
    const single = typeof opts?.single === 'function' ? opts.single(work, marks) : opts?.single;
    const sys = await launch(peer, work, svc, { single });
    try {
      return await fn(sys, marks, work);
    } finally {
      await sys.kill();
    }
  });
}

const bash = (mode, name, marks, ...rest) => ['/bin/bash', join(FIXTURES, 'svc.sh'), mode, name, marks, ...rest];

/** Run argv on the host, bounded; returns { ms, code, stdout }. */
function timed(argv, env, timeoutMs = 20000) {
  const t = now();
  const r = spawnSync(argv[0], argv.slice(1), { timeout: timeoutMs, maxBuffer: 64 << 20, encoding: 'utf8', env: { ...process.env, SYSTEMD_COLORS: '0', SYSTEMD_PAGER: '', PAGER: 'cat', ...env } });
  return { ms: now() - t, code: r.status ?? 128, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

function runAsync(argv, timeoutMs = 20000) {
  return new Promise((resolve) => {
    const c = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, SYSTEMD_COLORS: '0', SYSTEMD_PAGER: '' } });
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    const t = setTimeout(() => c.kill('SIGKILL'), timeoutMs);
    c.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, stdout: out });
    });
  });
}

/** Wait until the manager says the boot is over (systemctl is-system-running). */
async function waitBooted(sys, timeoutMs) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const r = await runAsync(sys.ctl('is-system-running'), 20000);
    if (/^(running|degraded)/.test(r.stdout.trim())) return true;
    await sleep(50);
  }
  return false;
}

const starts = (m) => m.filter((x) => x.what === 'start');

// ---------------------------------------------------------------------------------------------
// 1. Boot (and 6. idle memory, read in the same boots after a settle time)
async function scenarioBoot() {
  for (const n of CFG.bootN) {
    const boot = metric(`boot-${n}`, 'boot', `Boot: PID 1 start → ${n} services running`, 'ms');
    const mem = metric(`rss-idle-${n}`, 'memory', `RSS of PID 1, idle with ${n} services`, 'MiB');
    const anon = metric(`rss-anon-idle-${n}`, 'memory', `Anonymous RSS of PID 1, idle with ${n} services`, 'MiB');
    const threads = metric(`threads-idle-${n}`, 'memory', `Threads of PID 1, idle with ${n} services`, 'count');
    for (const p of Object.keys(PEERS)) {
      if (!PEERS[p].multi) {
        skip(boot, p, 'runs one program only');
        skip(mem, p, 'runs one program only');
        skip(anon, p, 'runs one program only');
        skip(threads, p, 'runs one program only');
        continue;
      }
      if (available[p]) {
        skip(boot, p, available[p]);
        skip(mem, p, available[p]);
        skip(anon, p, available[p]);
        skip(threads, p, available[p]);
        continue;
      }
      for (let rep = 0; rep < CFG.bootReps[n]; rep++) {
        progress('boot', p, rep, CFG.bootReps[n], `n=${n}`);
        const services = (_w, marks) => Array.from({ length: n }, (_, i) => ({ name: `svc${i}`, argv: bash('run', `svc${i}`, marks) }));
        await withSystem(p, services, async (sys, marks) => {
          const all = await waitMarks(marks, (m) => starts(m).length >= n && m, quick ? 60000 : 120000);
          if (!all) return fail(boot, p, `only ${starts(readMarks(marks)).length}/${n} running after ${quick ? 60 : 120} s`);
          const ms = Math.max(...starts(all).map((x) => x.at)) - sys.t0;
          record(boot, p, ms);
          await sleep(CFG.settleMs);
          record(mem, p, (rssKiB(sys.pid) ?? NaN) / 1024);
          record(anon, p, (rssKiB(sys.pid, 'RssAnon') ?? NaN) / 1024);
          record(threads, p, rssKiB(sys.pid, 'Threads') ?? NaN);
          log(`boot ${p} n=${n} rep ${rep + 1}: ${ms.toFixed(0)} ms, rss ${(rssKiB(sys.pid) / 1024).toFixed(1)} MiB`);
        });
      }
    }
    // Baseline: a bare idle node process (the target for unitd's RSS is relative to it).
    const c = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e9)'], { stdio: 'ignore' });
    await sleep(CFG.settleMs);
    record(mem, 'node', (rssKiB(c.pid) ?? NaN) / 1024);
    record(anon, 'node', (rssKiB(c.pid, 'RssAnon') ?? NaN) / 1024);
    record(threads, 'node', rssKiB(c.pid, 'Threads') ?? NaN);
    c.kill('SIGKILL');
  }
}

// ---------------------------------------------------------------------------------------------
// 2. Restart latency: exit → next start of a service that exits 1 after 0.5 s, Restart=on-failure.
async function scenarioRestart() {
  for (const restartMs of [100, 0]) {
    const m = metric(`restart-${restartMs}`, 'restart', `Restart latency, RestartSec=${restartMs}ms: exit → new process runs`, 'ms');
    for (const p of Object.keys(PEERS)) {
      if (!PEERS[p].multi) {
        skip(m, p, 'no restart policy');
        continue;
      }
      if (available[p]) {
        skip(m, p, available[p]);
        continue;
      }
      if (p === 'supervisord' && restartMs !== 0) {
        skip(m, p, 'has no RestartSec');
        continue;
      }
      const k = CFG.restartGaps;
      progress('restart', p, 0, 1, `RestartSec=${restartMs}ms (${k} restarts)`);
      const services = (_w, marks) => [{ name: 'crasher', argv: bash('crasher', 'crasher', marks), restart: 'on-failure', restartMs }];
      await withSystem(p, services, async (sys, marks) => {
        const all = await waitMarks(marks, (x) => starts(x).length >= k + 1 && x, (k + 1) * 2000 + 15000, 20);
        if (!all) return fail(m, p, `only ${starts(readMarks(marks)).length} starts`);
        const s = starts(all);
        const e = all.filter((x) => x.what === 'exit');
        for (let i = 0; i < k; i++) record(m, p, s[i + 1].at - e[i].at);
        log(`restart ${p} RestartSec=${restartMs}: gaps ${m.peers[p].slice(-k).map((g) => g.toFixed(1)).join(' ')}`);
      });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// 3. The clients: each peer's own systemctl/journalctl inside its namespace (unitd's: the launchers
// in init/ that /usr/bin links to, whose sh prelude runs the native probe for probe verbs), and
// `node -e 0` in unitd's namespace as the baseline. lib/clients.py runs them interleaved inside the
// namespace and reads wall time and CPU (user+sys from wait4's rusage) of every call.
const CLIENT_ARGS = {
  'is-active': ['systemctl', 'is-active', 'x.service'],
  'is-enabled': ['systemctl', 'is-enabled', 'x.service'],
  'is-failed': ['systemctl', 'is-failed', 'x.service'],
  'is-system-running': ['systemctl', 'is-system-running'],
  status: ['systemctl', 'status', 'x.service'],
  'list-units': ['systemctl', 'list-units', '--no-pager'],
  show: ['systemctl', 'show', '-p', 'ActiveState', 'x.service'],
  journalctl: ['journalctl', '-u', 'x.service', '-n', '10', '--no-pager'],
};
const CLIENT_VERBS = [...new Set([...PROBE_VERBS, ...OTHER_VERBS])];
for (const v of CLIENT_VERBS) if (!CLIENT_ARGS[v]) throw new Error(`bench: no command line for the client verb ${v}`);
const clientPath = (peer, tool) => (peer === 'unitd' ? `${REPO}/init/${tool}` : `/usr/bin/${tool}`);

async function scenarioControl() {
  for (const n of CFG.ctlUnits) {
    const wall = {};
    const cpu = {};
    for (const v of CLIENT_VERBS) {
      const text = CLIENT_ARGS[v][0] === 'journalctl' ? `\`${CLIENT_ARGS[v].join(' ')}\`` : `\`systemctl ${v}\``;
      wall[v] = metric(`ctl-${v}-${n}`, 'control', `${text} with ${n} units loaded: wall`, 'ms');
      cpu[v] = metric(`ctl-cpu-${v}-${n}`, 'control', `${text} with ${n} units loaded: CPU (user+sys)`, 'ms');
    }
    const all = [...Object.values(wall), ...Object.values(cpu)];
    for (const p of Object.keys(PEERS)) {
      if (p === 'supervisord' || !PEERS[p].multi) {
        for (const m of all) skip(m, p, 'no systemctl');
        continue;
      }
      if (available[p]) {
        for (const m of all) skip(m, p, available[p]);
        continue;
      }
      const services = (_w, marks) => [
        { name: 'x', argv: bash('run', 'x', marks) },
        ...Array.from({ length: n - 1 }, (_, i) => ({ name: `one${i}`, type: 'oneshot', argv: ['/bin/true'] })),
      ];
      progress('control', p, 0, 1, `n=${n} (${CFG.ctlReps} interleaved calls of each command)`);
      await withSystem(p, services, async (sys) => {
        if (!(await waitBooted(sys, 180000))) return fail(wall['is-active'], p, 'boot did not finish in 180 s');
        const cmds = Object.fromEntries(CLIENT_VERBS.map((v) => [v, [clientPath(p, CLIENT_ARGS[v][0]), ...CLIENT_ARGS[v].slice(1)]]));
        if (p === 'unitd') cmds.node = [process.execPath, '-e', '0'];
        const r = timed([...nsenter(sys.pid), '/usr/bin/python3', join(BENCH, 'lib/clients.py'), String(CFG.ctlReps), JSON.stringify(cmds)], sys.clientEnv, 900000);
        let out;
        try {
          out = JSON.parse(r.stdout);
        } catch {
          return fail(wall['is-active'], p, `clients.py exit ${r.code}: ${r.stderr.trim().split('\n').pop()}`);
        }
        if (out['is-active'].stdout.trim() !== 'active') fail(wall['is-active'], p, `is-active said "${out['is-active'].stdout.trim()}"`);
        for (const v of CLIENT_VERBS) {
          for (const x of out[v].wall) record(wall[v], p, x);
          for (const x of out[v].cpu) record(cpu[v], p, x);
          // The baseline, same namespace, same round: starting node and doing nothing.
          if (out.node) {
            wall[v].peers.node = out.node.wall;
            cpu[v].peers.node = out.node.cpu;
          }
          const first = (out[v].stdout.trim() || out[v].stderr.trim()).split('\n')[0] ?? '';
          log(`control ${p} n=${n} ${v}: wall ${summarize(out[v].wall).median.toFixed(1)} ms, CPU ${summarize(out[v].cpu).median.toFixed(1)} ms, exit ${out[v].codes[0]}, "${first.slice(0, 60)}"`);
        }
        if (out.node) log(`control ${p} n=${n} node -e 0: wall ${summarize(out.node.wall).median.toFixed(1)} ms, CPU ${summarize(out.node.cpu).median.toFixed(1)} ms`);
      });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// 4. Shutdown: stop signal to PID 1 until it has exited.
async function scenarioShutdown() {
  const cases = [
    ['prompt', 'Shutdown: 20 services that stop in ~100 ms', 0],
    ['ignorer', 'Shutdown: 20 prompt + 1 ignoring SIGTERM (stop timeout 2 s)', 1],
  ];
  for (const [id, label, ignorers] of cases) {
    const m = metric(`stop-${id}`, 'shutdown', label, 'ms');
    for (const p of Object.keys(PEERS)) {
      if (available[p]) {
        skip(m, p, available[p]);
        continue;
      }
      if (!PEERS[p].multi && ignorers) {
        skip(m, p, 'no stop timeout (docker would SIGKILL after its own)');
        continue;
      }
      for (let rep = 0; rep < CFG.stopReps; rep++) {
        progress('shutdown', p, rep, CFG.stopReps, id);
        const services = (_w, marks) => [
          ...Array.from({ length: 20 }, (_, i) => ({ name: `s${i}`, argv: bash('stopper', `s${i}`, marks), stopTimeoutS: 2 })),
          ...Array.from({ length: ignorers }, (_, i) => ({ name: `ign${i}`, argv: bash('ignorer', `ign${i}`, marks), stopTimeoutS: 2 })),
        ];
        const opts = PEERS[p].multi ? undefined : { single: (_w, marks) => bash('group', '20', marks) };
        await withSystem(p, PEERS[p].multi ? services : [], async (sys, marks) => {
          const up = await waitMarks(marks, (x) => starts(x).length >= 20 + ignorers, 60000);
          if (!up) return fail(m, p, `only ${starts(readMarks(marks)).length}/${20 + ignorers} services started in 60 s`);
          await sleep(300);
          const t = now();
          sys.signal(PEERS[p].stopSignal);
          const e = await Promise.race([sys.exited, sleep(30000)]);
          if (!e) return fail(m, p, 'still running 30 s after the stop signal');
          record(m, p, e.at - t);
          log(`shutdown ${id} ${p}: ${(e.at - t).toFixed(0)} ms`);
        }, opts);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// 5. Zombie reaping: N orphans of PID 1 exit at once; time until PID 1 has no child left from them.
async function scenarioZombies() {
  for (const n of CFG.orphans) {
    const m = metric(`zombies-${n}`, 'zombies', `Reap ${n} orphans: exit → none left`, 'ms');
    const z = metric(`zombies-at100-${n}`, 'zombies', `Zombies 100 ms after ${n} orphans were told to exit`, 'count');
    for (const p of Object.keys(PEERS)) {
      if (available[p]) {
        skip(m, p, available[p]);
        continue;
      }
      for (let rep = 0; rep < CFG.orphanReps; rep++) {
        // A peer that could not reap N once (supervisord at 10,000) is not given the budget again.
        if (m.failed[p]) break;
        progress('zombies', p, rep, CFG.orphanReps, `n=${n}`);
        const argv = (work, marks) => ['/usr/bin/python3', join(FIXTURES, 'orphans.py'), String(n), marks, join(work, 'go')];
        await withWork(async (work, marks) => {
          execFileSync('mkfifo', [join(work, 'go')]);
          const services = PEERS[p].multi ? [{ name: 'orphans', argv: argv(work, marks) }] : [];
          const sys = await launch(p, work, services, { single: PEERS[p].multi ? undefined : argv(work, marks) });
          try {
            if (!(await waitMarks(marks, (x) => x.some((y) => y.what === 'ready'), 120000, 20))) return fail(m, p, 'orphan maker never got ready');
            // The cats are re-parented to PID 1 once the middle process is gone.
            let end = Date.now() + 30000;
            while (childCount(sys.pid) < n && Date.now() < end) await sleep(10);
            const before = childCount(sys.pid);
            if (before < n) return fail(m, p, `only ${before} children of PID 1`);
            const fd = openSync(join(work, 'go'), 'w');
            writeSync(fd, 'x');
            closeSync(fd);
            const told = now();
            let left = before;
            let zombiesAt100;
            end = Date.now() + CFG.reapBudgetMs;
            while (left > before - n && Date.now() < end) {
              await new Promise((r) => setImmediate(r));
              // Not yet exited is not a zombie: count only children in state Z, once, 100 ms in.
              if (zombiesAt100 === undefined && now() - told >= 100) zombiesAt100 = zombieCount(sys.pid);
              left = childCount(sys.pid);
            }
            record(z, p, zombiesAt100 ?? 0);
            const tEnd = now();
            const go = await waitMarks(marks, (x) => x.find((y) => y.what === 'go'), 5000);
            if (left > before - n) return fail(m, p, `${left - (before - n)} of ${n} left after ${CFG.reapBudgetMs / 1000} s`);
            record(m, p, tEnd - go.at);
            log(`zombies ${p} n=${n}: ${(tEnd - go.at).toFixed(1)} ms`);
          } finally {
            await sys.kill();
          }
        });
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// 6. Memory growth over 1000 restarts (idle RSS is measured in the boot scenario).
async function scenarioMemory() {
  const total = CFG.restarts;
  const m = metric('rss-growth', 'memory', `RSS growth of PID 1 over ${total} restarts`, 'MiB');
  const after = metric('rss-restarts', 'memory', `RSS of PID 1 after ${total} restarts`, 'MiB');
  for (const p of Object.keys(PEERS)) {
    if (!PEERS[p].multi) {
      skip(m, p, 'no restart policy');
      skip(after, p, 'no restart policy');
      continue;
    }
    if (available[p]) {
      skip(m, p, available[p]);
      skip(after, p, available[p]);
      continue;
    }
    progress('memory', p, 0, 1, `${total} restarts`);
    await withWork(async (work, marks) => {
      const limit = join(work, 'limit');
      writeFileSync(limit, String(CFG.warmRestarts));
      const services = [
        { name: 'loop', argv: bash('crashloop', 'loop', marks, limit), restart: 'always', restartMs: 0 },
        ...Array.from({ length: 9 }, (_, i) => ({ name: `idle${i}`, argv: bash('run', `idle${i}`, join(work, 'idle-marks')) })),
      ];
      const sys = await launch(p, work, services);
      try {
        const count = (x) => starts(x).length;
        if (!(await waitMarks(marks, (x) => count(x) >= CFG.warmRestarts, 120000, 50))) return fail(m, p, 'warm-up restarts did not happen');
        await sleep(CFG.settleMs);
        const rss0 = rssKiB(sys.pid);
        const t = now();
        writeFileSync(limit, String(CFG.warmRestarts + total));
        if (!(await waitMarks(marks, (x) => count(x) >= CFG.warmRestarts + total, CFG.restartBudgetMs, 100))) {
          const done = count(readMarks(marks)) - CFG.warmRestarts;
          const grew = (rssKiB(sys.pid) - rss0) / 1024;
          return fail(m, p, `only ${done} restarts in ${CFG.restartBudgetMs / 1000} s (RSS ${grew >= 0 ? '+' : ''}${grew.toFixed(1)} MiB by then)`);
        }
        const took = now() - t;
        await sleep(CFG.settleMs);
        const rss1 = rssKiB(sys.pid);
        record(m, p, (rss1 - rss0) / 1024);
        record(after, p, rss1 / 1024);
        log(`memory ${p}: ${total} restarts in ${(took / 1000).toFixed(1)} s, RSS ${(rss0 / 1024).toFixed(1)} → ${(rss1 / 1024).toFixed(1)} MiB`);
      } finally {
        await sys.kill();
      }
    });
  }
}

// ---------------------------------------------------------------------------------------------
// 7. Notify throughput: STATUS= messages per second, counted until the last one shows in `show`.
async function scenarioNotify() {
  const M = CFG.notifyM;
  const m = metric('notify', 'notify', `Notify: STATUS= messages/s until the last shows in \`show\` (${M} msgs)`, 'msg/s', 'higher');
  for (const p of Object.keys(PEERS)) {
    if (p === 'supervisord' || !PEERS[p].multi) {
      skip(m, p, 'no sd_notify');
      continue;
    }
    if (available[p]) {
      skip(m, p, available[p]);
      continue;
    }
    for (let rep = 0; rep < CFG.notifyReps; rep++) {
      progress('notify', p, rep, CFG.notifyReps);
      const services = (_w, marks) => [{ name: 'x', type: 'notify', argv: ['/usr/bin/python3', join(FIXTURES, 'notify.py'), String(M), marks] }];
      await withSystem(p, services, async (sys, marks) => {
        const end = Date.now() + 120000;
        let seen;
        while (Date.now() < end) {
          const r = await runAsync(sys.ctl('show', '-p', 'StatusText', '--value', 'x.service'));
          if (r.stdout.trim() === `last ${M}`) {
            seen = now();
            break;
          }
        }
        const first = readMarks(marks).find((x) => x.what === 'first');
        if (!seen || !first) return fail(m, p, 'the last STATUS= never showed in 120 s');
        const rate = M / ((seen - first.at) / 1000);
        record(m, p, rate);
        const sent = readMarks(marks).find((x) => x.what === 'sent');
        log(`notify ${p}: ${rate.toFixed(0)} msg/s shown (sender done after ${(sent.at - first.at).toFixed(0)} ms, shown after ${(seen - first.at).toFixed(0)} ms)`);
      });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// 8. Socket activation: connect → first byte from an Accept=no service started by that connection
// (the service is stopped again between samples, the socket stays), and connections/s through an
// Accept=yes socket whose instances answer one line and exit. Both are unix stream sockets, timed by
// a client inside the namespace. Trigger and start limits are off: the bench triggers on purpose.
function socketUnits() {
  const noLimit = 'StartLimitIntervalSec=0';
  const serve = `/usr/bin/python3 ${join(FIXTURES, 'sockserve.py')}`;
  return [
    { file: 'first.socket', text: `[Unit]\n${noLimit}\n[Socket]\nListenStream=/run/first.sock\nTriggerLimitIntervalSec=0\n` },
    { file: 'first.service', text: `[Unit]\n${noLimit}\n[Service]\nExecStart=${serve}\n`, enabled: false },
    { file: 'each.socket', text: `[Unit]\n${noLimit}\n[Socket]\nListenStream=/run/each.sock\nAccept=yes\nTriggerLimitIntervalSec=0\n` },
    { file: 'each@.service', text: `[Unit]\n${noLimit}\n[Service]\nStandardInput=socket\nExecStart=/bin/echo x\n`, enabled: false },
  ];
}

async function scenarioSocket() {
  const first = metric('socket-first', 'socket', 'Socket activation (Accept=no): connect → first byte from the service it starts', 'ms');
  const accept = metric('socket-accept', 'socket', `Accept=yes: connections/s, one instance each (${CFG.acceptN} connections, ${CFG.acceptConc} at a time)`, 'conn/s', 'higher');
  const client = (sys, ...a) => [...nsenter(sys.pid), '/usr/bin/python3', join(FIXTURES, 'sockclient.py'), ...a];
  for (const p of Object.keys(PEERS)) {
    if (p === 'supervisord' || !PEERS[p].multi) {
      skip(first, p, 'no socket activation');
      skip(accept, p, 'no socket activation');
      continue;
    }
    if (available[p]) {
      skip(first, p, available[p]);
      skip(accept, p, available[p]);
      continue;
    }
    progress('socket', p, 0, 1, `${CFG.firstReps} first-byte samples, ${CFG.acceptReps} accept runs`);
    await withSystem(p, socketUnits(), async (sys) => {
      if (!(await waitBooted(sys, 120000))) return fail(first, p, 'boot did not finish in 120 s');
      for (let rep = 0; rep < CFG.firstReps; rep++) {
        const stop = await runAsync(sys.ctl('stop', 'first.service'));
        if (stop.code !== 0) return fail(first, p, `systemctl stop first.service: exit ${stop.code}`);
        const r = await runAsync(client(sys, 'first', '/run/first.sock'), 40000);
        const ms = Number(r.stdout.trim());
        if (r.code !== 0 || !Number.isFinite(ms)) return fail(first, p, `client exit ${r.code}: ${r.stdout.trim()}`);
        record(first, p, ms);
      }
      log(`socket first ${p}: median ${summarize(first.peers[p]).median.toFixed(1)} ms`);
      for (let rep = 0; rep < CFG.acceptReps; rep++) {
        const r = await runAsync(client(sys, 'accept', '/run/each.sock', String(CFG.acceptN), String(CFG.acceptConc)), 300000);
        const rate = Number(r.stdout.trim());
        if (r.code !== 0 || !Number.isFinite(rate)) return fail(accept, p, `client exit ${r.code}: ${r.stdout.trim()}`);
        record(accept, p, rate);
        log(`socket accept ${p} rep ${rep + 1}: ${rate.toFixed(0)} conn/s`);
      }
    });
  }
}

// 8. Timer accuracy: N calendar timers (AccuracySec=1us) share one deadline, a whole second a few
// seconds ahead; from the deadline to each triggered service's first line. The timers are written
// after boot (so the deadline does not depend on how long the boot took), loaded with
// daemon-reload and started with one systemctl call.
async function scenarioTimers() {
  const n = CFG.timerN;
  const last = metric(`timers-${n}`, 'timers', `Timers: ${n} elapse together, deadline → all ${n} services running`, 'ms');
  const median = metric(`timers-${n}-median`, 'timers', `Timers: ${n} elapse together, deadline → median service running`, 'ms');
  // The first start shows how late the manager acts on the deadline; the last adds the start of all N.
  const first = metric(`timers-${n}-first`, 'timers', `Timers: ${n} elapse together, deadline → first service running`, 'ms');
  for (const p of Object.keys(PEERS)) {
    if (p === 'supervisord' || !PEERS[p].multi) {
      for (const m of [last, median, first]) skip(m, p, 'no timers');
      continue;
    }
    if (available[p]) {
      for (const m of [last, median, first]) skip(m, p, available[p]);
      continue;
    }
    for (let rep = 0; rep < CFG.timerReps; rep++) {
      progress('timers', p, rep, CFG.timerReps);
      const services = (_w, marks) => Array.from({ length: n }, (_, i) => ({ name: `tm${i}`, argv: bash('run', `tm${i}`, marks), enabled: false }));
      await withSystem(p, services, async (sys, marks, work) => {
        if (!(await waitBooted(sys, 60000))) return fail(last, p, 'not booted in 60 s');
        // Where the peer reads its units: unitd's SYSTEMD_UNIT_PATH (the work dir, bound at its own
        // path), systemd's /etc/systemd/system inside its overlay root.
        const dir = p === 'unitd' ? join(work, 'units') : `/proc/${sys.pid}/root/etc/systemd/system`;
        const deadlineMs = (Math.floor(Date.now() / 1000) + 6) * 1000;
        const at = new Date(deadlineMs).toISOString().replace('T', ' ').slice(0, 19);
        for (let i = 0; i < n; i++) writeFileSync(join(dir, `tm${i}.timer`), `[Timer]\nOnCalendar=${at} UTC\nAccuracySec=1us\n`);
        const reload = await runAsync(sys.ctl('daemon-reload'), 30000);
        const start = await runAsync(sys.ctl('start', ...Array.from({ length: n }, (_, i) => `tm${i}.timer`)), 30000);
        if (reload.code !== 0 || start.code !== 0) return fail(last, p, `daemon-reload → ${reload.code}, start → ${start.code}`);
        if (Date.now() >= deadlineMs) return fail(last, p, 'the timers were started after their deadline (machine too slow: raise the lead)');
        const all = await waitMarks(marks, (m) => starts(m).length >= n && m, 30000 + deadlineMs - Date.now(), 5);
        if (!all) return fail(last, p, `only ${starts(readMarks(marks)).length}/${n} services ran`);
        const lags = starts(all).map((x) => x.at - deadlineMs).sort((a, b) => a - b);
        if (lags[0] < -1) return fail(last, p, `a service ran ${(-lags[0]).toFixed(1)} ms before the deadline`);
        record(last, p, lags[lags.length - 1]);
        record(median, p, lags[Math.floor(lags.length / 2)]);
        record(first, p, lags[0]);
        log(`timers ${p} rep ${rep + 1}: first ${lags[0].toFixed(1)} ms, median ${lags[Math.floor(lags.length / 2)].toFixed(1)} ms, last ${lags[lags.length - 1].toFixed(1)} ms`);
      });
    }
  }
}

// 9. Starting many services at once: N disabled Type=simple services, after boot one
// `systemctl start --no-block` of all N; from the call to each service's first line. What the
// timers scenario's last start adds to its first, without the timers.
async function scenarioBatch() {
  const n = CFG.batchN;
  const last = metric(`batch-${n}`, 'batch', `\`systemctl start --no-block\` of ${n} services → all ${n} running`, 'ms');
  const call = metric(`batch-${n}-call`, 'batch', `\`systemctl start --no-block\` of ${n} services: the call itself`, 'ms');
  for (const p of Object.keys(PEERS)) {
    if (p === 'supervisord' || !PEERS[p].multi) {
      for (const m of [last, call]) skip(m, p, 'no systemctl');
      continue;
    }
    if (available[p]) {
      for (const m of [last, call]) skip(m, p, available[p]);
      continue;
    }
    for (let rep = 0; rep < CFG.batchReps; rep++) {
      progress('batch', p, rep, CFG.batchReps);
      const services = (_w, marks) => Array.from({ length: n }, (_, i) => ({ name: `b${i}`, argv: bash('run', `b${i}`, marks), enabled: false }));
      await withSystem(p, services, async (sys, marks) => {
        if (!(await waitBooted(sys, 60000))) return fail(last, p, 'not booted in 60 s');
        const t = now();
        const r = await runAsync(sys.ctl('start', '--no-block', ...Array.from({ length: n }, (_, i) => `b${i}.service`)), 30000);
        const returned = now();
        if (r.code !== 0) return fail(last, p, `systemctl start → ${r.code}`);
        const all = await waitMarks(marks, (m) => starts(m).length >= n && m, 30000, 5);
        if (!all) return fail(last, p, `only ${starts(readMarks(marks)).length}/${n} services ran`);
        const end = Math.max(...starts(all).map((x) => x.at));
        record(last, p, end - t);
        record(call, p, returned - t);
        log(`batch ${p} rep ${rep + 1}: call ${(returned - t).toFixed(1)} ms, last service ${(end - t).toFixed(1)} ms`);
      });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// 10. Zero growth (bench/long-run.mjs): unitd only, as it reads PID 1's JS heap through unitd's
// test-only memory probe. RSS and fd growth of each phase after its warm-up.
async function scenarioLong() {
  const scale = CFG.longScale;
  const tag = scale === 1 ? '' : ` (${quick ? 'quick: ' : ''}${scale === 0.1 ? '1/10th' : `×${scale}`} of the full counts)`;
  const note = (r) => `${r.n.toLocaleString('en-US')} ${r.phase}${tag}: RSS ${(r.before.rssKiB / 1024).toFixed(1)} → ${(r.after.rssKiB / 1024).toFixed(1)} MiB, fds ${r.before.fds} → ${r.after.fds}, ${r.seconds.toFixed(0)} s`;
  for (const p of Object.keys(PEERS).filter((x) => x !== 'unitd')) log(`long: ${p} not measured (unitd's memory probe only)`);
  if (available.unitd) return log(`long: unitd skipped (${available.unitd})`);
  progress('long', 'unitd', 0, 1, `scale ${scale}`);
  let results;
  try {
    results = await longRun({ scale, log: (...a) => log('long:', ...a) });
  } catch (e) {
    const m = metric('long-restarts-rss', 'long', 'Zero growth: RSS growth after warm-up, restarts', 'MiB');
    return fail(m, 'unitd', String(e?.message ?? e).split('\n')[0]);
  }
  for (const r of results) {
    const rss = metric(`long-${r.phase}-rss`, 'long', `Long run, RSS growth of PID 1 over ${r.n.toLocaleString('en-US')} ${r.phase} after warm-up${tag}`, 'MiB');
    const fds = metric(`long-${r.phase}-fds`, 'long', `Long run, open fds of PID 1, growth over ${r.n.toLocaleString('en-US')} ${r.phase}${tag}`, 'count');
    rss.note = note(r);
    record(rss, 'unitd', r.rssGrowthKiB / 1024);
    record(fds, 'unitd', r.after.fds - r.before.fds);
  }
}

// ---------------------------------------------------------------------------------------------
const SCENARIOS = { boot: scenarioBoot, restart: scenarioRestart, control: scenarioControl, shutdown: scenarioShutdown, zombies: scenarioZombies, memory: scenarioMemory, notify: scenarioNotify, socket: scenarioSocket, timers: scenarioTimers, batch: scenarioBatch, long: scenarioLong };

async function main() {
  if (process.getuid?.() !== 0) {
    console.error('bench: needs root (PID and mount namespaces)');
    process.exit(2);
  }
  const peersOut = spawnSync('sh', [join(BENCH, 'peers.sh'), 'ensure'], { encoding: 'utf8', timeout: 1_200_000 });
  process.stderr.write(peersOut.stderr ?? '');
  for (const p of Object.keys(PEERS)) available[p] = wantedPeers.includes(p) ? unavailable(p) : 'not selected (--peers)';
  for (const [p, why] of Object.entries(available)) if (why) log(`${p}: skipped (${why})`);
  const started = new Date();
  const loadavgStart = loadavg();
  log(`mode ${quick ? 'quick' : 'full'}; scenarios ${only.join(', ')}; load average ${loadavgStart.map((x) => x.toFixed(2)).join(' ')}`);
  const seconds = {};
  for (const s of only) {
    if (!SCENARIOS[s]) throw new Error(`unknown scenario ${s} (have ${ALL_SCENARIOS.join(', ')})`);
    log(`--- ${s}`);
    const t = Date.now();
    await SCENARIOS[s]();
    seconds[s] = Math.round((Date.now() - t) / 1000);
    log(`--- ${s} took ${seconds[s]} s`);
  }
  // A run of some scenarios or peers only is kept apart: latest.* (and the README) show complete runs.
  const partial = [only.length < ALL_SCENARIOS.length && `--only=${only.join(',')}`, wantedPeers.length < Object.keys(PEERS).length && `--peers=${wantedPeers.join(',')}`].filter(Boolean).join(' ');
  const version = (argv) => {
    const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', timeout: 5000 });
    return (r.stdout || r.stderr || '').split('\n')[0].trim() || undefined;
  };
  const result = {
    meta: {
      started: started.toISOString(),
      finished: new Date().toISOString(),
      minutes: Math.round((Date.now() - started.getTime()) / 6000) / 10,
      mode: quick ? 'quick' : 'full',
      scenarios: only,
      partial: partial || undefined,
      seconds,
      config: CFG,
      // loadavg: at the end (1, 5, 15 min); loadavgStart: before the first scenario.
      host: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memMiB: Math.round(totalmem() / 2 ** 20), loadavgStart, loadavg: loadavg() },
      versions: {
        unitd: JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version,
        node: process.version,
        systemd: version(['/lib/systemd/systemd', '--version']),
        supervisord: version(['supervisord', '--version']),
        tini: version(['tini', '--version']),
        'dumb-init': version(['dumb-init', '--version']),
      },
    },
    metrics: metrics.map((m) => ({ ...m, peers: Object.fromEntries(Object.entries(m.peers).filter(([, v]) => v).map(([p, v]) => [p, { samples: v, ...summarize(v) }])) })),
  };
  const { markdown, targets } = renderMarkdown(result);
  result.targets = targets;
  const stamp = started.toISOString().replace(/[:.]/g, '-');
  const json = JSON.stringify(result, null, 2) + '\n';
  process.stdout.write(markdown);
  if (partial) {
    const dir = join(BENCH, 'results', 'partial');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${stamp}.json`), json);
    writeFileSync(join(dir, `${stamp}.md`), markdown);
    log(`partial run (${partial}): wrote ${join(dir, `${stamp}.json`)} and .md; latest.* and the README are left alone`);
    return;
  }
  const dir = join(BENCH, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${stamp}.json`), json);
  writeFileSync(join(dir, 'latest.json'), json);
  writeFileSync(join(dir, 'latest.svg'), renderSvg(result));
  writeFileSync(join(dir, 'latest.md'), markdown);
  log(`wrote ${join(dir, `${stamp}.json`)}, latest.json, latest.svg, latest.md`);
  if (!quick) log(updateReadme(result, markdown));
  else log('quick mode: README.md left alone (`node bench/render.mjs` puts latest.json into it)');
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});

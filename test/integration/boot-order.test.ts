// A boot of 50 units with a diamond of After= orderings: every edge holds in
// the recorded start order, and units without an ordering between them start
// at the same time. Also the boot's visible state: standard targets exist even
// though the image has none, `is-system-running` says running (rc 0), the
// console reads like systemd's.

import t from 'tap';
import { boot, sleep, type System } from './harness.js';

/** Layers of a diamond: 1 root, 8, 16, 16, 8, 1 sink: each unit is After= two units of the layer before. */
const LAYERS = [1, 8, 16, 16, 8, 1];
const names: string[][] = [];
let n = 0;
for (const size of LAYERS) names.push(Array.from({ length: size }, () => `d${String(n++).padStart(2, '0')}.service`));
const edges: [string, string][] = []; // [unit, after]
for (let l = 1; l < names.length; l++) {
  const prev = names[l - 1];
  names[l].forEach((u, i) => {
    for (const p of new Set([prev[i % prev.length], prev[(i + 1) % prev.length]])) edges.push([u, p]);
  });
}

const units: Record<string, string> = {};
for (const layer of names) {
  for (const u of layer) {
    const after = edges.filter(([a]) => a === u).map(([, b]) => b);
    units[u] = `[Unit]
Description=Diamond ${u}
${after.length > 0 ? `After=${after.join(' ')}` : ''}
[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/sh -c 'echo "start $(date +%%s.%%N) ${u}" >> /run/boot.log; sleep 0.3; echo "end $(date +%%s.%%N) ${u}" >> /run/boot.log'
`;
  }
}
units['failing.service'] = `[Service]\nType=oneshot\nExecStart=/bin/false\n`;
units['systemd-logind.service'] = `[Unit]\nDescription=User Login Management\n[Service]\nExecStart=/lib/systemd/systemd-logind\n`;
const all = names.flat();

let sys: System;
t.before(async () => {
  sys = await boot({ units, enable: [...all, 'systemd-logind.service'], bootTimeoutMs: 60000 });
});
t.teardown(async () => {
  await sys?.stop();
});

t.test(`${all.length} units boot; every After= edge holds and independent units overlap`, async (t) => {
  // Generous: on a loaded machine 50 spawns may take a while; the boot must end, not be fast.
  for (let i = 0; i < 600; i++) {
    const state = (await sys.ctl('is-system-running')).stdout.trim();
    if (state !== 'initializing' && state !== 'starting') break;
    await sleep(100);
  }
  const log = (await sys.exec('cat', '/run/boot.log')).stdout.trim().split('\n');
  const start = new Map<string, number>();
  const end = new Map<string, number>();
  for (const line of log) {
    const [kind, ts, unit] = line.split(' ');
    (kind === 'start' ? start : end).set(unit, Number(ts));
  }
  t.equal(start.size, all.length, 'every unit ran');
  let violations = 0;
  for (const [u, after] of edges) {
    if (!(start.get(u)! >= end.get(after)!)) {
      violations++;
      t.fail(`${u} started before ${after} finished`);
    }
  }
  t.equal(violations, 0, `${edges.length} edges respected`);
  // Concurrency: within a layer, starts overlap the others' runs.
  let overlapping = 0;
  for (const layer of names) {
    for (const a of layer) for (const b of layer) if (a < b && start.get(a)! < end.get(b)! && start.get(b)! < end.get(a)!) overlapping++;
  }
  t.ok(overlapping > 100, `${overlapping} pairs of independent units ran at the same time`);
  const first = Math.min(...start.values());
  const last = Math.max(...end.values());
  // Layers run one after another (After=), so the boot cannot be shorter than their sum.
  t.ok(last - first >= LAYERS.length * 0.3 - 0.1, `the ${LAYERS.length} layers of 0.3 s ran in sequence (${(last - first).toFixed(2)} s)`);
  t.comment(`diamond boot: ${(last - first).toFixed(2)} s for ${all.length} units in ${LAYERS.length} layers`);
});

t.test('standard targets are synthesized and reached; the console reads like systemd', async (t) => {
  for (const target of ['sysinit.target', 'local-fs.target', 'multi-user.target']) {
    t.match(await sys.props(target, 'ActiveState', 'LoadState'), { ActiveState: 'active', LoadState: 'loaded' }, target);
  }
  t.match(sys.console(), '[  OK  ] Reached target sysinit.target - System Initialization.');
  t.match(sys.console(), '[  OK  ] Reached target multi-user.target - Multi-User System.');
  t.match(sys.console(), '[  OK  ] Finished d00.service - Diamond d00.service.');
  t.match(sys.console(), '         Starting d00.service - Diamond d00.service...');
});

t.test('units on the skip list are inert and count as started', async (t) => {
  t.match(await sys.props('systemd-logind.service', 'ActiveState', 'SubState', 'UnitdSkipped'), { ActiveState: 'active', SubState: 'exited', UnitdSkipped: true });
});

t.test('is-system-running: running (rc 0), degraded with a failed unit (rc 1)', async (t) => {
  const r = await sys.ctl('is-system-running');
  t.equal(r.stdout.trim(), 'running');
  t.equal(r.code, 0);
  await sys.ctl('start', 'failing.service');
  const d = await sys.ctl('is-system-running');
  t.equal(d.stdout.trim(), 'degraded');
  t.equal(d.code, 1);
  await sys.ctl('reset-failed');
  t.equal((await sys.ctl('is-system-running')).code, 0);
});

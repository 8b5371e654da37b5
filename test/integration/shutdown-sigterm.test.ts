// `docker stop`: SIGTERM to unitd as PID 1 with 20 services running, some slow
// to stop, one ignoring SIGTERM, one leaving an orphan behind. Everything is
// stopped in reverse dependency order within the stop budget, the stubborn one
// is killed when the budget runs out, leftovers are swept, unitd exits 0.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { boot, sleep } from './harness.js';

const LOG = '/etc/systemd/system/stop.log'; // the unit dir is the host's temp dir: the log outlives the namespace
const BUDGET_S = 3;

const units: Record<string, string> = {};
const names: string[] = [];
for (let i = 1; i <= 18; i++) {
  const name = `s${String(i).padStart(2, '0')}.service`;
  names.push(name);
  // A chain in groups of three (s02 After s01, s03 After s02, ...): stop order must be the reverse.
  const after = i % 3 !== 1 ? `After=s${String(i - 1).padStart(2, '0')}.service` : '';
  const slow = i % 4 === 0 ? `ExecStop=/bin/sleep 0.5` : '';
  units[name] = `[Unit]
Description=Service ${i}
${after}
[Service]
ExecStart=/bin/sleep 1000
${slow}
ExecStopPost=/bin/sh -c 'echo "$(date +%%s.%%N) ${name}" >> ${LOG}'
`;
}
units['stubborn.service'] = `[Unit]
Description=Ignores SIGTERM
[Service]
ExecStart=/bin/sh -c "trap '' TERM; while :; do sleep 0.1; done"
`;
units['orphaner.service'] = `[Unit]
Description=Leaves a child behind
[Service]
Type=oneshot
RemainAfterExit=yes
KillMode=none
ExecStart=/bin/sh -c 'setsid sleep 1000 >/dev/null 2>&1 < /dev/null &'
`;

t.test('SIGTERM stops 20 services in reverse order within the budget and exits 0', async (t) => {
  const sys = await boot({ units, enable: [...names, 'stubborn.service', 'orphaner.service'], env: { UNITD_STOP_BUDGET: `${BUDGET_S}s` }, bootTimeoutMs: 60000 });
  const running = (await sys.ctl('list-units', '--type=service', '--state=active', '--no-legend')).stdout.trim().split('\n').length;
  t.ok(running >= 20, `${running} services up`);
  const host = join(sys.unitDir, 'stop.log');
  const started = Date.now();
  process.kill(sys.pid, 'SIGTERM');
  while (existsSync(`/proc/${sys.pid}`) && Date.now() - started < 15000) await sleep(20);
  const took = (Date.now() - started) / 1000;
  t.comment(`shutdown of 20 services (budget ${BUDGET_S} s, one ignoring SIGTERM) took ${took.toFixed(2)} s`);
  t.notOk(existsSync(`/proc/${sys.pid}`), `PID 1 exited (${took.toFixed(2)} s)`);
  t.ok(took >= BUDGET_S - 0.2, 'the stubborn unit held the stop until the budget ran out');
  const log = readFileSync(host, 'utf8').trim().split('\n');
  const at = new Map(log.map((l) => [l.split(' ')[1], Number(l.split(' ')[0])]));
  t.equal(at.size, 18, 'every well-behaved service ran its ExecStopPost');
  for (let i = 1; i <= 18; i++) {
    if (i % 3 === 1) continue;
    const u = `s${String(i).padStart(2, '0')}.service`;
    const before = `s${String(i - 1).padStart(2, '0')}.service`;
    t.ok(at.get(before)! >= at.get(u)!, `${before} stopped after ${u}`);
  }
  const result = await sys.stop();
  t.same(result, { code: 0, signal: null }, 'unitd exited 0');
  const out = sys.console();
  t.match(out, /stop budget of 3000 ms exceeded; killed stubborn\.service/);
  t.match(out, /sent SIGTERM to \d+ leftover process/);
  t.match(out, '[  OK  ] Stopped s01.service - Service 1.');
});

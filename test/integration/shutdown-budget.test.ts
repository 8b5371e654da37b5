// The stop budget defaults to the units' TimeoutStopSec= chain: a service whose
// ExecStop= needs 10 s (more than the old fixed 9 s) with TimeoutStopSec=12 gets
// its full stop time. UNITD_STOP_BUDGET caps it, as a container engine's grace
// period requires.

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { boot, sleep, type System } from './harness.js';

const LOG = '/etc/systemd/system/stop.log'; // the unit dir is the host's temp dir: the log outlives the namespace
const units = {
  'slow.service': `[Unit]\nDescription=Slow to stop\n[Service]\nExecStart=/bin/sleep 1000\nExecStop=/bin/sh -c 'sleep 10; echo done >> ${LOG}'\nTimeoutStopSec=12\n`,
  'quick.service': `[Unit]\nDescription=Quick\nAfter=slow.service\n[Service]\nExecStart=/bin/sleep 1000\n`,
};

async function stopBySigterm(sys: System): Promise<{ seconds: number; log: string; exit: unknown }> {
  const started = Date.now();
  process.kill(sys.pid, 'SIGTERM');
  while (existsSync(`/proc/${sys.pid}`) && Date.now() - started < 30000) await sleep(50);
  const seconds = (Date.now() - started) / 1000;
  const file = join(sys.unitDir, 'stop.log');
  const log = existsSync(file) ? readFileSync(file, 'utf8') : '';
  return { seconds, log, exit: await sys.stop() };
}

t.test('no budget given: the TimeoutStopSec= chain, so a 10 s ExecStop completes', async (t) => {
  // unitd's own log (where the budget is logged) is /run/unitd/unitd.log: keep that directory on the host
  // (not under /tmp, which the namespace replaces), so it outlives the namespace.
  const runUnitd = mkdtempSync('/var/tmp/unitd-budget-');
  t.teardown(() => rmSync(runUnitd, { recursive: true, force: true }));
  const sys = await boot({ units, enable: ['slow.service', 'quick.service'], bootTimeoutMs: 30000, setup: `mkdir -p /run/unitd && mount --bind ${runUnitd} /run/unitd` });
  t.teardown(() => sys.stop());
  const { seconds, log, exit } = await stopBySigterm(sys);
  t.comment(`stopped in ${seconds.toFixed(1)} s`);
  t.equal(log, 'done\n', 'ExecStop ran to its end');
  t.same(exit, { code: 0, signal: null });
  t.notMatch(sys.console(), /stop budget .* exceeded/);
  // quick stops first (After=slow) with the default TimeoutStopSec=90s, then slow with 12 s; plus 1 s slack.
  t.match(readFileSync(join(runUnitd, 'unitd.log'), 'utf8'), '"budgetMs":103000', 'budget: 90 s + 12 s + 1 s');
});

t.test('UNITD_STOP_BUDGET=2s caps it: the slow stop is cut short', async (t) => {
  const sys = await boot({ units, enable: ['slow.service', 'quick.service'], env: { UNITD_STOP_BUDGET: '2s' }, bootTimeoutMs: 30000 });
  t.teardown(() => sys.stop());
  const { log, exit } = await stopBySigterm(sys);
  t.equal(log, '', 'ExecStop did not finish');
  t.same(exit, { code: 0, signal: null });
  t.match(sys.console(), /stop budget of 2000 ms exceeded; killed slow\.service/);
});

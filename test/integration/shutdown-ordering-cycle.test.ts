// Issue 21, finding 9: two running services ordered in a cycle (a After=b, b After=a).
// systemd 252 pulls their stops in through shutdown.target's conflicts, as jobs that do
// not matter, so the cycle breaker deletes one ("Job a.service/stop deleted to break
// ordering cycle starting with b.service/stop"): the other stops cleanly (its ExecStop
// runs) and the deleted one is left to the final kill. unitd must do the same, compared
// here with the real systemd booted in a namespace.

import t from 'tap';
import { readdirSync } from 'node:fs';
import { boot, run, sleep } from './harness.js';
import { bootOracle, oracleUnavailable } from './oracle.js';

const units: Record<string, string> = {
  'a.service': `[Unit]
After=b.service
[Service]
ExecStart=/bin/sleep infinity
ExecStop=/bin/echo stopping-a
`,
  'b.service': `[Unit]
After=a.service
[Service]
ExecStart=/bin/sleep infinity
ExecStop=/bin/echo stopping-b
`,
};

interface Shape {
  cycleFound: boolean;
  deleted: string[];
  unbreakable: boolean;
  execStops: string[];
}

function shapeOf(log: string): Shape {
  return {
    cycleFound: /[ab]\.service: Found ordering cycle on [ab]\.service\/stop/.test(log),
    deleted: [...log.matchAll(/[ab]\.service: Job ([ab]\.service)\/stop deleted to break ordering cycle starting with [ab]\.service\/stop/g)].map((m) => m[1]),
    unbreakable: /Transaction order is cyclic|Unable to break cycle/.test(log),
    execStops: [...log.matchAll(/stopping-([ab])/g)].map((m) => m[1]).sort(),
  };
}

async function unitdShutdown(): Promise<{ shape: Shape; console: string }> {
  const sys = await boot({ units });
  try {
    for (const u of ['a.service', 'b.service']) {
      const r = await sys.ctl('start', u);
      if (r.code !== 0) throw new Error(`start ${u}: ${r.stderr}`);
    }
  } catch (err) {
    await sys.stop();
    throw err;
  }
  await sys.stop(); // SIGTERM: unitd's orderly shutdown
  return { shape: shapeOf(sys.console()), console: sys.console() };
}

t.test('ordering cycle among running services: shutdown deletes one stop job, the other runs its ExecStop', async (t) => {
  const { shape, console } = await unitdShutdown();
  t.ok(shape.cycleFound, `cycle reported in systemd's words\n${console}`);
  t.equal(shape.deleted.length, 1, 'one stop job deleted to break the cycle');
  t.notOk(shape.unbreakable, 'the shutdown transaction did not fail');
  t.equal(shape.execStops.length, 1, 'the stop that was kept ran its ExecStop');
  t.notOk(shape.execStops.includes(shape.deleted[0]?.charAt(0) ?? '?'), 'the deleted one did not');
  t.notMatch(console, /shutdown transaction failed|Failed to enqueue the shutdown transaction/, 'no fallback to unit-by-unit stops');
});

const why = oracleUnavailable();
t.test('the same shape as systemd 252 on SIGRTMIN+4', { skip: why ?? false }, async (t) => {
  const oracle = await bootOracle({ units });
  let log = '';
  try {
    for (const u of ['a.service', 'b.service']) t.equal((await oracle.ctl('start', u)).code, 0, `oracle starts ${u}`);
    const machines = readdirSync(`/proc/${oracle.pid}/root/var/log/journal`);
    const dir = `/proc/${oracle.pid}/root/var/log/journal/${machines[0]}`;
    t.equal((await run(['kill', '-s', 'RTMIN+4', String(oracle.pid)])).code, 0, 'SIGRTMIN+4 sent');
    // Read its journal from outside until systemd is gone (its own tools die in the final kill).
    const end = Date.now() + 30_000;
    while (Date.now() < end) {
      const r = await run(['journalctl', '-D', dir, '--no-pager', '-o', 'short'], { timeoutMs: 5000 });
      if (r.code === 0 && r.stdout) log = r.stdout;
      if (/Shutting down\./.test(log)) break;
      try {
        process.kill(oracle.pid, 0);
      } catch {
        break;
      }
      await sleep(100);
    }
  } finally {
    await oracle.stop();
  }
  const theirs = shapeOf(log.slice(log.indexOf('Received SIGRTMIN+4')));
  t.ok(theirs.cycleFound, `systemd reported the cycle\n${log.slice(-3000)}`);
  const { shape: ours } = await unitdShutdown();
  t.same(
    { cycleFound: ours.cycleFound, deleted: ours.deleted.length, unbreakable: ours.unbreakable, execStops: ours.execStops.length },
    { cycleFound: theirs.cycleFound, deleted: theirs.deleted.length, unbreakable: theirs.unbreakable, execStops: theirs.execStops.length },
  );
});

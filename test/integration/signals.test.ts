// Signals to unitd as PID 1 (systemd(1) "Signals", semantics §17.1), sent from the host
// (as `docker stop`/`podman stop` do: the sender is outside the namespace) or from inside.
// Each group does what systemd 252 does in a container: SIGRTMIN+3/+4/+5 stop every unit
// in order and exit 0; +13..+16 skip the orderly stop; +20/+21 toggle status lines;
// +22/+23 the log level; +0/+1 isolate; SIGUSR2 dumps the state; a burst of 100
// real-time signals queued while PID 1 cannot run is handled signal by signal.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { SIGRTMIN } from '../../src/native/index.js';
import { boot, journalctl, sleep, waitJournal, type System } from './harness.js';

const LOG = '/etc/systemd/system/stop.log'; // the unit dir is the host's temp dir: the log outlives the namespace

/** b.service is ordered after a.service, so it must stop first; each notes its ExecStop. */
const chain: Record<string, string> = {
  'a.service': `[Unit]\nDescription=First\n[Service]\nExecStart=/bin/sleep 1000\nExecStop=/bin/sh -c 'echo a >> ${LOG}'\n`,
  'b.service': `[Unit]\nDescription=Second\nAfter=a.service\n[Service]\nExecStart=/bin/sleep 1000\nExecStop=/bin/sh -c 'sleep 0.2; echo b >> ${LOG}'\n`,
};

/** Waits for PID 1 to end; returns what its ExecStop= commands logged (read before stop() removes the unit dir) and how it ended. */
async function waitExit(sys: System, ms = 20000): Promise<{ stops: string[]; exit: { code: number | null; signal: NodeJS.Signals | null } }> {
  const end = Date.now() + ms;
  while (existsSync(`/proc/${sys.pid}`) && Date.now() < end) await sleep(20);
  const stops = stopLog(sys);
  return { stops, exit: await sys.stop() };
}

function stopLog(sys: System): string[] {
  const file = join(sys.unitDir, 'stop.log');
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : [];
}

const rt = (n: number) => SIGRTMIN + n;

for (const [n, kind] of [
  [3, 'halt'],
  [4, 'poweroff'],
  [5, 'reboot'],
] as const) {
  t.test(`SIGRTMIN+${n} (${kind}): every unit stopped in order, "Exiting container.", exit 0`, async (t) => {
    const sys = await boot({ units: chain, enable: ['a.service', 'b.service'], bootTimeoutMs: 30000 });
    t.teardown(() => sys.stop());
    process.kill(sys.pid, rt(n));
    const { stops, exit } = await waitExit(sys);
    t.same(exit, { code: 0, signal: null }, 'exit 0');
    t.same(stops, ['b', 'a'], 'b stopped before a, each with its ExecStop');
    const out = sys.console();
    t.match(out, 'Stopped b.service - Second.');
    t.match(out, 'Exiting container.');
    t.notMatch(out, /stop budget .* exceeded/);
  });
}

for (const n of [13, 14, 15, 16]) {
  t.test(`SIGRTMIN+${n}: immediate, no orderly stop (no ExecStop), exit 0`, async (t) => {
    const sys = await boot({ units: chain, enable: ['a.service', 'b.service'], bootTimeoutMs: 30000 });
    t.teardown(() => sys.stop());
    process.kill(sys.pid, rt(n));
    const { stops, exit } = await waitExit(sys);
    t.same(exit, { code: 0, signal: null }, 'exit 0');
    t.same(stops, [], 'no ExecStop ran');
    t.notMatch(sys.console(), 'Stopped b.service');
    t.match(sys.console(), 'Exiting container.');
  });
}

t.test('SIGRTMIN+21/+20: status lines off, then on again', async (t) => {
  const units = { ...chain, 'c.service': `[Unit]\nDescription=Third\n[Service]\nExecStart=/bin/sleep 1000\n` };
  const sys = await boot({ units, bootTimeoutMs: 30000 });
  t.teardown(() => sys.stop());
  process.kill(sys.pid, rt(21));
  await waitJournal(sys, ['-o', 'cat'], (o) => o.includes('Received SIGRTMIN+21.'));
  t.equal((await sys.ctl('start', 'a.service')).code, 0);
  process.kill(sys.pid, rt(20));
  await waitJournal(sys, ['-o', 'cat'], (o) => o.includes('Received SIGRTMIN+20.'));
  t.equal((await sys.ctl('start', 'c.service')).code, 0);
  t.ok(await sys.waitConsole((o) => o.includes('Started c.service - Third.')), 'status line for c (on)');
  t.notMatch(sys.console(), 'Started a.service - First.', 'none for a (off)');
});

t.test('SIGRTMIN+22/+23: debug log level, then the configured one; the sender is named', async (t) => {
  const units = { ...chain, 'c.service': `[Unit]\nDescription=Third\n[Service]\nExecStart=/bin/sleep 1000\n` };
  const sys = await boot({ units, env: { UNITD_LOG_LEVEL: 'warn' }, bootTimeoutMs: 30000 });
  t.teardown(() => sys.stop());
  const py = (n: number) => sys.exec('python3', '-c', `import os, signal; os.kill(1, signal.SIGRTMIN + ${n}); import time; time.sleep(1)`);
  t.equal((await py(22)).code, 0);
  const on = await waitJournal(sys, ['-o', 'cat'], (o) => o.includes('Setting log level to debug.'));
  t.match(on, /Received SIGRTMIN\+22 from PID \d+ \(python3\)\./, 'sender pid and comm');
  t.equal((await sys.ctl('start', 'a.service')).code, 0);
  // unitd's own log is /run/unitd/unitd.log (and the journal); the console never shows its JSON.
  const daemonLog = async () => (await sys.exec('cat', '/run/unitd/unitd.log')).stdout;
  let debugLines = '';
  for (let i = 0; i < 100 && !/"level":20.*"unit":"a\.service"/.test(debugLines); i++) {
    debugLines = await daemonLog();
    await sleep(50);
  }
  t.match(debugLines, /"level":20.*"unit":"a\.service"/, 'debug lines about a.service in unitd.log');
  t.notMatch(sys.console(), /"level":/, 'no JSON on the console');
  t.equal((await py(23)).code, 0);
  await waitJournal(sys, ['-o', 'cat'], (o) => o.includes('Restoring log level to original (warn).'));
  t.equal((await sys.ctl('start', 'c.service')).code, 0);
  await sleep(300);
  t.notMatch(await daemonLog(), /"level":20.*"unit":"c\.service"/, 'no debug lines about c.service');
});

t.test('SIGRTMIN+1 isolates rescue.target, SIGRTMIN+0 the default target again', async (t) => {
  // Isolating needs AllowIsolate=yes (systemd's own multi-user.target has it).
  const units = { ...chain, 'multi-user.target': '[Unit]\nDescription=Multi-User System\nAllowIsolate=yes\n' };
  const sys = await boot({ units, enable: ['a.service', 'b.service'], bootTimeoutMs: 30000 });
  t.teardown(() => sys.stop());
  process.kill(sys.pid, rt(1));
  const waitActive = async (unit: string, want: string) => {
    const end = Date.now() + 10000;
    let state = '';
    while (Date.now() < end && (state = (await sys.ctl('is-active', unit)).stdout.trim()) !== want) await sleep(100);
    return state;
  };
  t.equal(await waitActive('rescue.target', 'active'), 'active', 'rescue.target reached');
  t.equal(await waitActive('a.service', 'inactive'), 'inactive', 'a.service stopped');
  process.kill(sys.pid, rt(0));
  t.equal(await waitActive('a.service', 'active'), 'active', 'a.service back with the default target');
  t.equal(await waitActive('multi-user.target', 'active'), 'active');
  t.equal(await waitActive('rescue.target', 'inactive'), 'inactive', 'rescue.target left');
});

t.test('SIGUSR2 dumps the state; unhandled, +24, +25, SIGPWR and log targets are logged', async (t) => {
  const sys = await boot({ units: chain, enable: ['a.service'], bootTimeoutMs: 30000 });
  t.teardown(() => sys.stop());
  for (const signal of [12 /* SIGUSR2 */, rt(7), rt(24), rt(25), 30 /* SIGPWR */, rt(27), rt(28), rt(26)]) process.kill(sys.pid, signal);
  const out = await waitJournal(sys, ['-o', 'cat'], (o) => o.includes('Received SIGRTMIN+26.') && o.includes('-> Unit a.service:'));
  t.match(out, /Manager: systemd 252/);
  t.match(out, /-> Unit a\.service:\n\s*Description: First\n\s*Unit Load State: loaded\n\s*Unit Active State: active/);
  t.match(out, 'Got unhandled signal <RTMIN+7>.');
  t.match(out, 'Received SIGRTMIN+24.');
  t.match(out, 'Received SIGRTMIN+25.');
  t.match(await waitJournal(sys, ['-o', 'cat'], (o) => o.includes('Reexecuting.'), 60_000), 'Reexecuting.', '+25 re-executes');
  t.match(out, /Failed to enqueue replace job for sigpwr\.target: .*sigpwr\.target/);
  t.match(out, 'Setting log target to console.');
  t.match(out, 'Restoring log target to original console.');
  t.equal((await sys.ctl('is-system-running')).stdout.trim(), 'running', 'still running');
});

t.test('100 real-time signals queued while PID 1 cannot run are all handled', async (t) => {
  const sys = await boot({ units: chain, bootTimeoutMs: 30000 });
  t.teardown(() => sys.stop());
  // Stopped, PID 1 cannot take any of them as they come: the kernel queues them all.
  process.kill(sys.pid, 'SIGSTOP');
  for (let i = 0; i < 50; i++) {
    process.kill(sys.pid, rt(20));
    process.kill(sys.pid, rt(21));
  }
  process.kill(sys.pid, 'SIGCONT');
  const count = (o: string, line: string) => o.split('\n').filter((l) => l === line).length;
  const out = await waitJournal(sys, ['-o', 'cat'], (o) => count(o, 'Received SIGRTMIN+20.') + count(o, 'Received SIGRTMIN+21.') >= 100, 15000);
  t.equal(count(out, 'Received SIGRTMIN+20.'), 50, 'all 50 SIGRTMIN+20');
  t.equal(count(out, 'Received SIGRTMIN+21.'), 50, 'all 50 SIGRTMIN+21');
  t.equal((await journalctl(sys, '-o', 'cat')).code, 0);
  t.equal((await sys.ctl('is-system-running')).stdout.trim(), 'running', 'still running');
});

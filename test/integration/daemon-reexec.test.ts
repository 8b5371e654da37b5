// daemon-reexec with unitd as PID 1: twenty running services of every Type, a notify service
// streaming STATUS=, a chatty service, a socket unit, pending timers and a service waiting
// to be restarted. Afterwards every PID and every `show` property is what it was, the
// journal went on without a lost line, STATUS= keeps arriving, and a connection made while
// no program ran is served. The second re-exec runs a build replaced in place on disk.

import t from 'tap';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { boot, NOTIFIER, REPO, sleep, waitJournal, waitProps, type System } from './harness.js';

const TYPES: Record<string, (n: number) => string> = {
  simple: () => 'ExecStart=/bin/sleep 1000',
  exec: () => 'Type=exec\nExecStart=/bin/sleep 1000',
  forking: (n) => `Type=forking\nPIDFile=/run/fork${n}.pid\nExecStart=/bin/sh -c 'sleep 1000 & echo $! > /run/fork${n}.pid'`,
  oneshot: () => 'Type=oneshot\nRemainAfterExit=yes\nExecStart=/bin/true',
  notify: () => `Type=notify\nExecStart=/usr/bin/python3 ${NOTIFIER} send:READY=1 sleep:1000`,
  idle: () => 'Type=idle\nExecStart=/bin/sleep 1000',
};

const units: Record<string, string> = {};
const running: string[] = [];
let n = 0;
for (const [type, body] of Object.entries(TYPES)) {
  for (let i = 0; i < 3; i++, n++) {
    const name = `r-${type}-${i}.service`;
    units[name] = `[Unit]\nDescription=${type} ${i}\n[Service]\n${body(n)}\n`;
    running.push(name);
  }
}
// 18 above, and these two make twenty.
units['status.service'] = `[Unit]
Description=STATUS= streamer
[Service]
Type=notify
ExecStart=/usr/bin/python3 ${NOTIFIER} send:READY=1 status-loop:0.1
`;
units['chatty.service'] = `[Unit]
Description=One numbered line every 50 ms
[Service]
ExecStart=/bin/sh -c 'i=0; while :; do echo "line $i"; i=$((i+1)); sleep 0.05; done'
`;
running.push('status.service', 'chatty.service');
units['again.service'] = `[Service]
ExecStart=/bin/false
Restart=always
RestartSec=1h
`;
units['later.timer'] = `[Timer]
OnActiveSec=1h
RandomizedDelaySec=1h
Unit=later-job.service
`;
units['later-job.service'] = `[Service]\nExecStart=/bin/true\n`;
units['echo.socket'] = `[Socket]
ListenStream=/run/echo.sock
`;
units['echo.service'] = `[Service]
ExecStart=/usr/bin/python3 -c 'import socket; s = socket.socket(fileno=3); c, _ = s.accept(); c.sendall(b"pong " + c.recv(16)); c.close(); import time; time.sleep(1000)'
`;

const ALL = [...running, 'again.service', 'later.timer', 'echo.socket', 'echo.service', 'multi-user.target'];
/** Sampled on every read, and the streaming STATUS=: they move by themselves. */
const MOVING = new Set(['CPUUsageNSec', 'MemoryCurrent', 'TasksCurrent']);

async function showAll(sys: System): Promise<Record<string, Record<string, unknown>>> {
  const api = await sys.api();
  const props = await api.unitProperties(ALL);
  const out: Record<string, Record<string, unknown>> = {};
  ALL.forEach((u, i) => {
    const p = { ...props[i] };
    for (const k of MOVING) delete p[k];
    if (u === 'status.service') delete p.StatusText;
    out[u] = p;
  });
  return out;
}

function tick(status: unknown): number {
  const m = /^tick (\d+)$/.exec(String(status));
  return m ? Number(m[1]) : -1;
}

async function waitTick(sys: System, above: number, timeoutMs: number): Promise<number> {
  const p = await waitProps(sys, 'status.service', ['StatusText'], (q) => tick(q.StatusText) > above, timeoutMs);
  return tick(p.StatusText);
}

/** A copy of the built tree (dist, launchers, addon) that the test may replace files of. */
function copyTree(): string {
  const tree = mkdtempSync('/var/tmp/unitd-reexec-tree-');
  for (const dir of ['init', 'dist']) cpSync(join(REPO, dir), join(tree, dir), { recursive: true });
  mkdirSync(join(tree, 'build/Release'), { recursive: true });
  cpSync(join(REPO, 'build/Release/unitd_native.node'), join(tree, 'build/Release/unitd_native.node'));
  cpSync(join(REPO, 'package.json'), join(tree, 'package.json'));
  symlinkSync(join(REPO, 'node_modules'), join(tree, 'node_modules'));
  return tree;
}

/** A newer build, as a package upgrade writes it: a new file renamed over the old one. */
function upgradeInPlace(tree: string): void {
  const file = join(tree, 'dist/manager/manager.js');
  const text = readFileSync(file, 'utf8');
  if (!text.includes("'252 (unitd 0.1.0)'")) throw new Error('VERSION not found in the built manager.js');
  writeFileSync(file + '.new', text.replace("'252 (unitd 0.1.0)'", "'252 (unitd 0.1.0-next)'"));
  renameSync(file + '.new', file);
}

/** Polls unitd's own log until the `count`th program has said it resumed (bounded). */
async function resumed(sys: System, count: number): Promise<boolean> {
  const end = Date.now() + 90_000;
  while (Date.now() < end) {
    let text = '';
    try {
      text = readFileSync(`/proc/${sys.pid}/root/run/unitd/unitd.log`, 'utf8');
    } catch {
      /* being reopened */
    }
    if (text.split('Deserialized state, resumed.').length - 1 >= count) return true;
    await sleep(100);
  }
  return false;
}

function pidsOf(show: Record<string, Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(show).map(([u, p]) => [u, [p.MainPID, p.ControlPID]]));
}

t.test('daemon-reexec keeps every service, property, fd and log line', { timeout: 240_000 }, async (t) => {
  const tree = copyTree();
  t.teardown(() => rmSync(tree, { recursive: true, force: true }));
  const sys = await boot({ units, enable: [...running, 'again.service', 'later.timer', 'echo.socket'], tree, bootTimeoutMs: 60_000 });
  t.teardown(() => sys.stop());

  for (const u of running) {
    const p = await waitProps(sys, u, ['ActiveState'], (q) => q.ActiveState === 'active', 30_000);
    t.equal(p.ActiveState, 'active', `${u} is up before`);
  }
  const again = await waitProps(sys, 'again.service', ['SubState'], (q) => q.SubState === 'auto-restart', 30_000);
  t.equal(again.SubState, 'auto-restart', 'again.service waits to be restarted');
  const tickBefore = await waitTick(sys, 2, 20_000);
  t.ok(tickBefore > 2, 'STATUS= arrives before');
  const api = await sys.api();
  while ((await api.listJobs()).length > 0) await sleep(50);

  const before = await showAll(sys);
  const first = await sys.ctl('daemon-reexec');
  t.equal(first.code, 0, `daemon-reexec succeeds: ${first.stderr}`);
  t.ok(await resumed(sys, 1), 'the new program resumed');
  const after = await showAll(sys);
  t.same(pidsOf(after), pidsOf(before), 'every main and control PID is the same');
  for (const u of ALL) t.same(after[u], before[u], `every show property of ${u} is unchanged`);
  t.equal(sys.pid > 0 && readFileSync(`/proc/${sys.pid}/comm`, 'utf8').trim().length > 0, true, 'PID 1 is still there');

  const tickAfter = await waitTick(sys, tickBefore + 5, 20_000);
  t.ok(tickAfter > tickBefore + 5, `the STATUS= stream continues (tick ${tickBefore} → ${tickAfter})`);

  // The chatty service's numbered lines: none lost or doubled around the re-exec.
  // It writes a line every 50 ms; a fast run reaches this point with 20 or fewer, so wait (bounded)
  // for more than 20: lines from before and after the re-exec.
  const lineNumbers = (out: string) => out.split('\n').filter((l) => l.startsWith('line ')).map((l) => Number(l.slice(5)));
  const journal = await waitJournal(sys, ['-u', 'chatty.service', '-o', 'cat'], (out) => lineNumbers(out).length > 20, 10_000);
  const numbers = lineNumbers(journal);
  t.ok(numbers.length > 20, `chatty.service logged (${numbers.length} lines)`);
  const gaps = numbers.filter((v, i) => i > 0 && v !== numbers[i - 1] + 1);
  t.same(gaps, [], 'its journal has every line once, in order');

  // The second re-exec runs a newer build replaced in place; a client connects while no program runs.
  upgradeInPlace(tree);
  const second = await sys.ctl('daemon-reexec');
  t.equal(second.code, 0, `second daemon-reexec succeeds: ${second.stderr}`);
  const reply = sys.exec('/usr/bin/python3', '-c', 'import socket; s = socket.socket(socket.AF_UNIX); s.settimeout(60); s.connect("/run/echo.sock"); s.sendall(b"ping"); print(s.recv(64).decode())');
  t.ok(await resumed(sys, 2), 'the newer program resumed');
  t.equal((await reply).stdout.trim(), 'pong ping', 'the connection queued on the kept listening socket is served');
  const version = await waitProps(sys, 'multi-user.target', ['Id'], () => true);
  t.ok(version.Id, 'the manager answers');
  const api2 = await sys.api();
  t.equal((await api2.managerProperties()).Version, '252 (unitd 0.1.0-next)', 'the newer build on disk is what runs now');
  const last = await showAll(sys);
  t.same(pidsOf({ ...last, 'echo.service': before['echo.service'], 'echo.socket': before['echo.socket'] }), pidsOf(before), 'the PIDs survive the upgrade too');
  t.equal(last['again.service'].NRestarts, before['again.service'].NRestarts, 'the restart counter is kept');
  t.equal(last['later.timer'].NextElapseUSecMonotonic, before['later.timer'].NextElapseUSecMonotonic, "the timer's next elapse is kept (no new random delay)");
});

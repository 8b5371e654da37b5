// The control socket's bounds with unitd as real PID 1 and unprivileged
// clients ("as nobody": setpriv --reuid=65534 --regid=65534 --clear-groups):
// a client that never reads (finding 1), unknown names (finding 2), idle
// connections (finding 3), a unit file that is a symlink to /dev/zero or a
// FIFO (finding 4), replies over 1 MiB (finding 5); and what nobody may do.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';

import { boot, REPO, type System } from './harness.js';

// NODE_OPTIONS of the test runner would make nobody's node write coverage files it may not.
const NOBODY = ['env', '-u', 'NODE_OPTIONS', 'setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
const KEEPER = '[Unit]\nDescription=Keeper\n[Service]\nExecStart=/bin/sleep infinity\n';

function rssKiB(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : -1;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function nNames(sys: System): Promise<number> {
  const c = await sys.api();
  return Number((await c.managerProperties()).NNames);
}

t.test('PID 1 under hostile unprivileged clients', { timeout: 600_000 }, async (t) => {
  const units: Record<string, string> = { 'keeper.service': KEEPER };
  for (let i = 0; i < 300; i++) units[`m${i}.service`] = '[Service]\nType=oneshot\nExecStart=/bin/true\n';
  const sys = await boot({ units, enable: ['keeper.service'], bootTimeoutMs: 60_000 });
  t.teardown(() => sys.stop());
  // Unit files added after boot: a symlink to /dev/zero and one to a FIFO (finding 4).
  await sys.exec('sh', '-c', 'ln -s /dev/zero /etc/systemd/system/zero.service; mkfifo /tmp/fifo; ln -s /tmp/fifo /etc/systemd/system/fifo.service');
  await sys.ctl('daemon-reload');

  await t.test('as nobody, systemctl status works and stop is refused with systemd\'s message and exit code', async (t) => {
    const status = await sys.exec(...NOBODY, 'node', join(REPO, 'init/systemctl'), 'status', 'keeper.service');
    t.equal(status.code, 0, status.stderr);
    t.match(status.stdout, /Active: active \(running\)/);
    const stop = await sys.exec(...NOBODY, 'node', join(REPO, 'init/systemctl'), 'stop', 'keeper.service');
    // systemctl 252 adds its "See system logs" hint for every refusal but no-such-unit/masked/not-applicable.
    t.equal(stop.stderr, "Failed to stop keeper.service: Access denied\nSee system logs and 'systemctl status keeper.service' for details.\n");
    t.equal(stop.code, 4);
    t.equal((await sys.ctl('is-active', 'keeper.service')).stdout, 'active\n');
  });

  await t.test('finding 4: status of a unit file that is a symlink to /dev/zero or a FIFO answers and PID 1 stays responsive', async (t) => {
    for (const name of ['zero.service', 'fifo.service']) {
      const r = await sys.exec(...NOBODY, 'node', join(REPO, 'init/systemctl'), 'show', '-p', 'LoadState', name);
      t.equal(r.stdout, 'LoadState=error\n', `${name}: ${r.stderr}`);
    }
    t.equal((await sys.ctl('is-active', 'keeper.service')).stdout, 'active\n');
  });

  // list-units --all of 12,000 units is streamed the same way: test/control/limits.test.ts.
  await t.test('finding 5: show of 300 units answers more than a frame and works', async (t) => {
    const names = Array.from({ length: 300 }, (_, i) => `m${i}.service`);
    const show = await sys.ctl('show', '-p', 'Id', ...names);
    t.equal(show.code, 0, show.stderr.slice(0, 300));
    t.equal(show.stdout.split('\n').filter((l) => l.startsWith('Id=')).length, 300);
  });

  await t.test('finding 2: status of 3000 unknown names as nobody leaves no units behind, and reload keeps none', async (t) => {
    const before = await nNames(sys);
    const rssBefore = rssKiB(sys.pid);
    for (let round = 0; round < 2; round++) {
      const ghosts = Array.from({ length: 3000 }, (_, i) => `ghost${round}-${i}.service`);
      const r = await sys.exec(...NOBODY, 'node', join(REPO, 'init/systemctl'), 'status', ...ghosts);
      t.equal(r.code, 4, 'status of unknown units exits 4');
    }
    t.equal(await nNames(sys), before, 'no ghost unit is kept');
    t.comment(`RSS ${rssBefore} KiB before, ${rssKiB(sys.pid)} KiB after 6000 unknown names`);
    t.equal((await sys.ctl('daemon-reload')).code, 0);
    t.ok((await nNames(sys)) <= before, 'none after daemon-reload either');
    t.equal((await sys.ctl('is-active', 'keeper.service')).stdout, 'active\n');
  });

  await t.test('finding 1: pipelined requests on connections that never read do not grow PID 1', async (t) => {
    const rssBefore = rssKiB(sys.pid);
    // 8 connections as nobody, each writing 500 frames of 300 names (1 MB replies) and never reading.
    const script = `
      const net = require('node:net');
      const frame = JSON.stringify({ v: 1, id: 1, method: 'unitProperties', params: { units: Array(300).fill('keeper.service') } }) + '\\n';
      for (let c = 0; c < 8; c++) {
        const s = net.connect('/run/unitd/control.sock'); s.on('error', () => {}); s.pause();
        s.on('connect', () => { for (let i = 0; i < 500; i++) s.write(frame); });
      }
      setTimeout(() => process.exit(0), 20000);
      setInterval(() => require('node:fs').existsSync('/run/attack-1-done') && process.exit(0), 100);`;
    const attacker = sys.exec(...NOBODY, 'node', '-e', script);
    let peak = rssBefore;
    for (let i = 0; i < 30; i++) {
      await sleep(500);
      peak = Math.max(peak, rssKiB(sys.pid));
      const r = await sys.ctl('is-active', 'keeper.service');
      t.equal(r.stdout, 'active\n', `root is served meanwhile ${r.stderr}`);
      if (i >= 10) break;
    }
    // Measured with every connection still open; then the attacker goes (it would by 20 s anyway).
    await sys.exec('touch', '/run/attack-1-done');
    await attacker;
    t.comment(`RSS ${rssBefore} KiB before, peak ${peak} KiB while 8 connections x 500 pipelined 1 MB replies were not read`);
    t.ok(peak - rssBefore < 256 * 1024, `PID 1 grew by ${peak - rssBefore} KiB, not by the 4 GB the replies would take`);
    t.equal((await sys.ctl('is-active', 'keeper.service')).stdout, 'active\n');
  });

  await t.test('finding 3: nobody holding many idle connections cannot starve root', async (t) => {
    const script = `
      const net = require('node:net'); let open = 0;
      for (let c = 0; c < 3000; c++) { const s = net.connect('/run/unitd/control.sock'); s.on('error', () => {}); s.on('connect', () => open++); }
      setTimeout(() => { console.log(open); process.exit(0); }, 8000);
      setInterval(() => require('node:fs').existsSync('/run/attack-3-done') && process.exit(0), 100);`;
    const attacker = sys.exec(...NOBODY, 'node', '-e', script);
    await sleep(3000);
    const r = await sys.ctl('is-active', 'keeper.service');
    t.equal(r.stdout, 'active\n', `root is served: ${r.stderr}`);
    const fds = Number((await sys.exec('sh', '-c', 'ls /proc/1/fd | wc -l')).stdout.trim());
    t.ok(fds < 600, `PID 1 holds ${fds} fds while nobody tries 3000 connections`);
    await sys.exec('touch', '/run/attack-3-done');
    await attacker;
  });
});

// Booting Debian's own unit files (/lib/systemd/system, systemd 252) with an
// empty /etc/systemd/system, as a fresh debian image with unitd as PID 1 does:
// default.target → graphical.target resolves, machine-only units are skipped,
// no ordering cycle is reported, and SIGTERM ends it with 0.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { REPO, run, sleep } from './harness.js';

const skip = existsSync('/lib/systemd/system/graphical.target') ? false : 'no /lib/systemd/system units on this host';

t.test('a stock Debian unit set boots to graphical.target and stops cleanly', { skip }, async (t) => {
  const empty = mkdtempSync(join(tmpdir(), 'unitd-empty-'));
  t.teardown(() => rmSync(empty, { recursive: true, force: true }));
  const script = `set -e; mount --bind "$1" /etc/systemd/system; mount -t tmpfs tmpfs /run; mount -t tmpfs tmpfs /tmp; exec node "$2/init/unitd"`;
  const child = spawn('unshare', ['--pid', '--fork', '--mount', '--propagation', 'private', '--mount-proc', 'sh', '-c', script, 'sh', empty, REPO], {
    env: { PATH: process.env.PATH, UNITD_STOP_BUDGET: '4s' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let nsPid: number | undefined;
  for (let i = 0; i < 200 && nsPid === undefined; i++) {
    await sleep(50);
    try {
      const kids = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim();
      if (kids) nsPid = Number(kids.split(' ')[0]);
    } catch {
      /* not yet */
    }
  }
  t.ok(nsPid, 'unitd is PID 1 of the namespace');
  const ctl = (...args: string[]) => run(['nsenter', '-t', String(nsPid), '-m', '-p', '--', 'node', join(REPO, 'init/systemctl'), ...args], { timeoutMs: 20000 });
  let state = '';
  for (let i = 0; i < 100; i++) {
    state = (await ctl('is-system-running')).stdout.trim();
    if (state !== 'initializing' && state !== 'starting' && state !== 'offline' && state !== '') break;
    await sleep(200);
  }
  const failed = (await ctl('list-units', '--failed', '--plain', '--no-legend')).stdout.trim();
  // dbus.service needs its socket (dbus.socket), which another layer activates.
  const unexpected = failed.split('\n').filter((l) => l.trim() && !l.includes('dbus.service'));
  t.same(unexpected, [], `no unexpected failures (state ${state})`);
  t.match((await ctl('show', '-p', 'ActiveState', '--value', 'graphical.target')).stdout.trim(), 'active');
  t.match((await ctl('show', '-p', 'SubState', '--value', 'systemd-logind.service')).stdout.trim(), 'exited', 'logind is skipped');
  t.notMatch(output, 'Found ordering cycle', 'no ordering cycles');
  t.match(output, '[  OK  ] Reached target graphical.target - Graphical Interface.');
  const started = Date.now();
  process.kill(nsPid!, 'SIGTERM');
  t.equal(await exited, 0, 'exit 0');
  t.comment(`stock boot state: ${state}; shutdown took ${Date.now() - started} ms`);
});

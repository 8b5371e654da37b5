// RLIMIT_NOFILE exhaustion as PID 1 (issue 21, fault scenarios): unitd starts with a low
// open-files limit (as a container started with `--ulimit nofile=256`), and a root client opens
// twice that many control connections and journal stdout streams and holds them. Before the
// fix PID 1 accepted until its limit; a Restart=always service killed meanwhile logged
// "Failed to spawn: pipe2: Too many open files" five times and ended in its start limit,
// failed for good. Now each kind of client connection gets at most a quarter of the limit
// (src/control/fd-budget.ts): the killed service is restarted while the client still holds
// its connections, PID 1 answers root once the client lets go, and its fds are back.

import t from 'tap';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { boot, REPO, sleep, waitProps } from './harness.js';

const NOFILE = 256;
const HOLD = join(REPO, 'test/integration/fixtures/hold-connections.py');
const HOLD_SECONDS = 8;

const fdCount = (pid: number) => readdirSync(`/proc/${pid}/fd`).length;

t.test(`PID 1 with nofile ${NOFILE}: a client opens ${NOFILE * 2} control connections and streams; PID 1 keeps fds to restart a killed service`, async (t) => {
  const sys = await boot({
    units: {
      'keeper.service': `[Service]\nExecStart=/bin/sleep infinity\nRestart=always\nRestartSec=0.2\n`,
    },
    enable: ['keeper.service'],
    setup: `ulimit -n ${NOFILE}`,
  });
  try {
    t.match((await sys.exec('cat', '/proc/1/limits')).stdout, new RegExp(`Max open files\\s+${NOFILE}\\s`), `PID 1 runs with nofile ${NOFILE}`);
    const keeperPid = Number((await sys.props('keeper.service', 'MainPID')).MainPID);
    const fdsIdle = fdCount(sys.pid);
    // As root: root's control connections are not capped per uid, only in total.
    const holder = sys.exec('python3', HOLD, String(HOLD_SECONDS), `/run/unitd/control.sock:${NOFILE * 2}`, `/run/systemd/journal/stdout:${NOFILE * 2}`);
    let fdsPeak = fdsIdle;
    for (let i = 0; i < 30; i++) {
      fdsPeak = Math.max(fdsPeak, fdCount(sys.pid));
      await sleep(100);
    }
    t.equal((await sys.exec('kill', '-KILL', String(keeperPid))).code, 0, 'the keeper is killed while the client holds its connections');
    const during = await waitProps(sys, 'keeper.service', ['ActiveState', 'MainPID'], (p) => p.ActiveState === 'active' && Number(p.MainPID) > 0 && Number(p.MainPID) !== keeperPid, 5_000);
    t.match(during, { ActiveState: 'active' }, 'the keeper is restarted while the client still holds them: PID 1 kept fds for the spawn');
    const held = await holder;
    t.comment(`client: ${held.stdout.trim()}; PID 1 fds ${fdsIdle} idle, peak ${fdsPeak} of ${NOFILE}`);
    t.match(held.stdout, /^held /, 'the client ran');
    t.ok(fdsPeak < NOFILE - 32, `PID 1 never came near its limit (peak ${fdsPeak} of ${NOFILE})`);
    t.ok(fdsPeak > fdsIdle + NOFILE / 4, `the client got its share (${fdsPeak - fdsIdle} fds)`);
    t.notMatch(sys.console(), /Too many open files/, 'no spawn failed for want of fds');

    const answer = await sys.ctl('is-active', 'keeper.service');
    t.equal(answer.stdout.trim(), 'active', `root is answered once the client lets go ${answer.stderr}`);
    t.equal((await sys.ctl('is-system-running')).stdout.trim(), 'running', 'nothing is left failed');
    let fdsAfter = fdCount(sys.pid);
    for (let i = 0; i < 50 && fdsAfter > fdsIdle; i++) {
      await sleep(100);
      fdsAfter = fdCount(sys.pid);
    }
    t.ok(fdsAfter <= fdsIdle, `PID 1 fds back to ${fdsAfter} (idle ${fdsIdle})`);
    t.notMatch(sys.console(), /\n\s+at |FATAL|uncaught/i, 'no crash, no stack on the console');
  } finally {
    await sys.stop();
  }
});

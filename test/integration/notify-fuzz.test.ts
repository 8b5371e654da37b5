// Notify datagram fuzzing as PID 1 (issue 21, "the suite to keep"): a seeded sender that is
// the main process of a NotifyAccess=all service, run as nobody, sends every known key with
// good, odd and hostile values, datagrams of 64 KiB and more, passed fds, and MAINPID= at
// PID 1, at another unit's process and at a zombie. Afterwards PID 1 answers, the other
// unit still owns and supervises its process, and PID 1 holds no more fds than before.
// UNITD_FUZZ_SEED=N replays a run; UNITD_FUZZ_COUNT sets its length (default 1500).

import t from 'tap';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { boot, REPO, sleep, waitProps } from './harness.js';

const seed = Number(process.env.UNITD_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const count = Number(process.env.UNITD_FUZZ_COUNT ?? 1500);
const FUZZER = join(REPO, 'test/integration/fixtures/notify-fuzz.py');

const units: Record<string, string> = {
  'keeper.service': `[Service]
ExecStart=/bin/sleep infinity
Restart=always
`,
  'fuzzed.service': `[Service]
Type=notify
NotifyAccess=all
User=nobody
TimeoutStopSec=infinity
TimeoutAbortSec=infinity
ExecStart=/usr/bin/python3 ${FUZZER} ${seed} ${count} /run/claim /run/fuzz-done
`,
};

function fdCount(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

t.test(`notify datagram fuzz (seed ${seed}, ${count} datagrams): PID 1 survives, supervision holds, no fd leak`, async (t) => {
  t.comment(`replay with UNITD_FUZZ_SEED=${seed} UNITD_FUZZ_COUNT=${count}`);
  const sys = await boot({ units });
  try {
    t.equal((await sys.ctl('start', 'keeper.service')).code, 0);
    const keeperPid = Number((await sys.props('keeper.service', 'MainPID')).MainPID);
    t.equal((await sys.exec('sh', '-c', `echo ${keeperPid} > /run/claim`)).code, 0);
    const fdsBefore = fdCount(sys.pid);
    const started = await sys.ctl('start', '--no-block', 'fuzzed.service');
    t.equal(started.code, 0, started.stderr);
    let done = '';
    const end = Date.now() + 240_000;
    while (Date.now() < end && !/^sent \d+/.test(done)) {
      await sleep(200);
      done = (await sys.exec('cat', '/run/fuzz-done')).stdout;
    }
    t.match(done, /^sent \d+/, `the fuzzer finished (seed ${seed})`);
    t.comment(`fuzzer: ${done.trim()}`);
    const answer = await sys.ctl('is-active', 'keeper.service');
    t.equal(answer.stdout.trim(), 'active', `PID 1 answers and the keeper is up (seed ${seed})`);
    t.equal(Number((await sys.props('keeper.service', 'MainPID')).MainPID), keeperPid, `the keeper still owns its process (seed ${seed})`);
    t.not(Number((await sys.props('fuzzed.service', 'MainPID')).MainPID), 1, `MAINPID=1 never accepted (seed ${seed})`);
    const fdsAfter = fdCount(sys.pid);
    t.ok(fdsAfter <= fdsBefore + 4, `PID 1 fds ${fdsBefore} → ${fdsAfter}: passed fds are not kept (seed ${seed})`);
    // Supervision still works: the keeper is restarted when its process dies.
    t.equal((await sys.exec('kill', '-KILL', String(keeperPid))).code, 0);
    const after = await waitProps(sys, 'keeper.service', ['ActiveState', 'MainPID'], (p) => p.ActiveState === 'active' && Number(p.MainPID) !== keeperPid && Number(p.MainPID) > 0, 10_000);
    t.match(after, { ActiveState: 'active' }, `the keeper restarted (seed ${seed})`);
    t.notMatch(sys.console(), /Handling notify event failed/, `no notify handler threw (seed ${seed})`);
    const refusals = (re: RegExp) => (sys.console().match(re) ?? []).length;
    t.comment(`refused: MAINPID=1 ×${refusals(/New main PID 1 is the manager/g)}, zombie ×${refusals(/does not exist or is a zombie/g)}`);
  } finally {
    await sys.stop();
  }
});

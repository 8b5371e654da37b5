// Notify datagram fuzzing as PID 1 (issue 21, "the suite to keep"). Seeded senders, all as
// nobody, speak to the notify sockets of services with every NotifyAccess=: the main process
// of a `main`, an `exec` (plus an ExecStartPost= control process) and an `all` service, a
// `none` service's process aiming at another unit's socket, and a process outside every unit.
// They send every key with good, odd and hostile values, mutated messages, invalid UTF-8, NUL
// bytes, 64 KiB+ datagrams, up to 253 passed fds, BARRIER=1, and MAINPID= at PID 1, at another
// unit's process, at a zombie and at their own child (test/fuzz/fixtures/notify-fuzz.py).
// Afterwards PID 1 answers, the keeper still owns and supervises its process, PID 1 holds no
// more fds than before (plus the `all` service's fd store), and every line PID 1 wrote, on
// the console and in the journal, is one line.
// FUZZ_SEED=S replays a run; `npm run fuzz -- --minutes N --only notify` runs it for N minutes.

import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { boot, journalctl, REPO, sleep, waitProps } from '../integration/harness.js';
import { FUZZ_MINUTES, FUZZ_SEED } from './prng.js';
import { fdCount, waitDone } from './senders.js';

const FUZZER = join(REPO, 'test/fuzz/fixtures/notify-fuzz.py');
const COUNT = 1500; // datagrams per sender in `npm test`
const SECONDS = FUZZ_MINUTES * 60;
const STORE_MAX = 4;
const NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
const fuzz = (k: number, done: string, rest = '') => `/usr/bin/python3 ${FUZZER} ${FUZZ_SEED + k} ${COUNT} ${SECONDS} /run/claim /run/${done}${rest}`;
// Type=notify turns NotifyAccess=none into main (as systemd's service_add_extras() does): `none` is simple.
const service = (access: string, k: number, extra = '') => `[Service]
Type=${access === 'none' ? 'simple' : 'notify'}
NotifyAccess=${access}
User=nobody
TimeoutStartSec=infinity
TimeoutStopSec=infinity
TimeoutAbortSec=infinity
ExecStart=${fuzz(k, `done-${access}`, access === 'none' ? ' /run/unitd/notify/fuzz-all.service' : '')}
${extra}`;

const units: Record<string, string> = {
  'keeper.service': `[Service]
ExecStart=/bin/sleep infinity
Restart=always
RestartSec=0.1
`,
  'fuzz-main.service': service('main', 1),
  'fuzz-exec.service': service('exec', 2, `ExecStartPost=${fuzz(5, 'done-post', ' - exit')}\n`),
  'fuzz-all.service': service('all', 3, `FileDescriptorStoreMax=${STORE_MAX}\n`),
  'fuzz-none.service': service('none', 4),
};
const DONE = ['done-main', 'done-exec', 'done-post', 'done-all', 'done-none', 'done-outside'];


/** A console line is one line: no carriage return, escape or other control character inside. */
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/;


t.test(`notify datagram fuzz (seed ${FUZZ_SEED}): PID 1 survives, supervision holds, no fd leak, one-line messages`, async (t) => {
  t.comment(`replay with FUZZ_SEED=${FUZZ_SEED}`);
  const sys = await boot({ units });
  try {
    t.equal((await sys.ctl('start', 'keeper.service')).code, 0);
    const keeperPid = Number((await sys.props('keeper.service', 'MainPID')).MainPID);
    t.equal((await sys.exec('sh', '-c', `echo ${keeperPid} > /run/claim`)).code, 0);
    const fdsBefore = fdCount(sys.pid);
    const started = await sys.ctl('start', '--no-block', 'fuzz-main.service', 'fuzz-exec.service', 'fuzz-all.service', 'fuzz-none.service');
    t.equal(started.code, 0, started.stderr);
    t.equal((await sys.exec('test', '-e', '/run/unitd/notify/fuzz-none.service')).code, 1, 'NotifyAccess=none: no socket at all');
    // A process outside every unit, at the `main` service's socket.
    t.equal((await sys.exec('sh', '-c', `${NOBODY.join(' ')} ${fuzz(6, 'done-outside', ' /run/unitd/notify/fuzz-main.service exit')} >/dev/null 2>&1 &`)).code, 0);
    const sendStart = Date.now();
    const done = await waitDone(sys, DONE, SECONDS * 1000 + 300_000);
    t.comment(`sending took ${((Date.now() - sendStart) / 1000).toFixed(1)} s`);
    done.forEach((d, i) => t.match(d, /^sent \d+/, `${DONE[i]}: the sender finished (seed ${FUZZ_SEED})`));
    t.comment(`senders: ${DONE.map((f, i) => `${f.slice(5)} ${done[i]}`).join(', ')}`);

    t.equal((await sys.ctl('is-active', 'keeper.service')).stdout.trim(), 'active', `PID 1 answers and the keeper is up (seed ${FUZZ_SEED})`);
    t.equal(Number((await sys.props('keeper.service', 'MainPID')).MainPID), keeperPid, `the keeper still owns its process (seed ${FUZZ_SEED})`);
    for (const unit of ['fuzz-main.service', 'fuzz-exec.service', 'fuzz-all.service', 'fuzz-none.service']) {
      const main = Number((await sys.props(unit, 'MainPID')).MainPID);
      t.ok(main !== 1 && main !== keeperPid, `${unit}: MainPID ${main} is neither PID 1 nor the keeper's (seed ${FUZZ_SEED})`);
    }
    // While they run PID 1 also holds their notify sockets, output streams and fd stores.
    const fdsDuring = fdCount(sys.pid);

    // Supervision still works: the keeper is restarted when its process dies.
    t.equal((await sys.exec('kill', '-KILL', String(keeperPid))).code, 0);
    const after = await waitProps(sys, 'keeper.service', ['ActiveState', 'MainPID'], (p) => p.ActiveState === 'active' && Number(p.MainPID) !== keeperPid && Number(p.MainPID) > 0, 10_000);
    t.match(after, { ActiveState: 'active' }, `the keeper restarted (seed ${FUZZ_SEED})`);

    // Stopping the fuzzed services frees their fd stores: back to where PID 1 started.
    // The senders ignore SIGTERM: SIGKILL every process of theirs, then the stops finish at once.
    const fuzzed = ['fuzz-main.service', 'fuzz-exec.service', 'fuzz-all.service', 'fuzz-none.service'];
    await sys.ctl('kill', '--signal=KILL', ...fuzzed);
    t.equal((await sys.ctl('stop', ...fuzzed)).code, 0, 'the fuzzed services stop');
    let fdsEnd = fdCount(sys.pid);
    for (let i = 0; i < 50 && fdsEnd > fdsBefore; i++) {
      await sleep(100);
      fdsEnd = fdCount(sys.pid);
    }
    t.ok(fdsEnd <= fdsBefore, `PID 1 fds ${fdsBefore} before, ${fdsDuring} while fuzzed, ${fdsEnd} once the services stopped (seed ${FUZZ_SEED})`);
    t.comment(`PID 1 fds ${fdsBefore} → ${fdsDuring} → ${fdsEnd}`);

    const console = sys.console();
    t.notMatch(console, /Handling notify event failed|\n\s+at |"level":/, `no notify handler threw, no stack, no JSON (seed ${FUZZ_SEED})`);
    const badConsole = console.split('\n').filter((l) => CONTROL.test(l));
    t.same(badConsole.slice(0, 3), [], `every console line is one line (seed ${FUZZ_SEED})`);
    const journal = await journalctl(sys, '-o', 'json');
    const messages = journal.stdout.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { MESSAGE?: unknown }).MESSAGE);
    t.ok(messages.length > 0, `the journal is readable: ${journal.stderr.slice(0, 300)}`);
    const badJournal = messages.filter((m) => typeof m !== 'string' || m.includes('\n'));
    t.same(badJournal.slice(0, 3), [], `every journal message is one line of text (seed ${FUZZ_SEED})`);
    const count = (re: RegExp) => (console.match(re) ?? []).length;
    t.comment(`refused: MAINPID=1 ×${count(/New main PID 1 is the manager/g)}, zombie or gone ×${count(/does not exist or is a zombie/g)}, not ours ×${count(/does not belong to service/g)}, senders ×${count(/Got notification message from PID|Cannot find unit for notify/g)}`);
  } finally {
    await sys.stop();
  }
});

// 10 s in `npm test`, a minute in long runs (the fuzz before it takes the run's N minutes).
const FLOOD_SECONDS = FUZZ_MINUTES > 0 ? 60 : 10;
const FLOOD_BOUND_KIB = 64 * 1024; // README "Bounds": idle RSS + 64 MiB under any notify load

function rssKiB(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0);
}

t.test(`notify flood as nobody and as the service: PID 1 stays within idle RSS + 64 MiB, root is served`, async (t) => {
  const flood = (socket: string, message: string) => `/usr/bin/python3 ${FUZZER} flood ${FLOOD_SECONDS} ${socket} '${message}'`;
  const sys = await boot({
    units: {
      'keeper.service': units['keeper.service'],
      // The service itself, main process and a child of it, with accepted messages that change its status.
      'flood.service': `[Service]
NotifyAccess=all
ExecStart=/bin/sh -c '${flood('/run/unitd/notify/flood.service', 'STATUS=flooding').replace(/'/g, '')} >/run/flood-1 & ${flood('/run/unitd/notify/flood.service', 'WATCHDOG=1').replace(/'/g, '')} >/run/flood-2; wait; exec sleep infinity'
`,
      'target.service': `[Service]
Type=notify
NotifyAccess=main
ExecStart=/usr/bin/python3 ${join(REPO, 'test/integration/fixtures/notifier.py')} send:READY=1 sleep:1000
`,
    },
    enable: ['keeper.service', 'target.service'],
  });
  try {
    await sleep(2000);
    const idle = rssKiB(sys.pid);
    const fdsIdle = fdCount(sys.pid);
    const keeperPid = Number((await sys.props('keeper.service', 'MainPID')).MainPID);
    t.equal((await sys.ctl('start', 'flood.service')).code, 0);
    // Two processes as nobody outside every unit: every datagram is refused (and said so in the log).
    for (const [i, socket] of ['/run/unitd/notify/flood.service', '/run/unitd/notify/target.service'].entries()) {
      t.equal((await sys.exec('sh', '-c', `${NOBODY.join(' ')} ${flood(socket, 'READY=1\nSTOPPING=1\nSTATUS=forged')} >/run/flood-${i + 3} 2>&1 &`)).code, 0);
    }
    let peak = idle;
    let slowest = 0;
    const end = Date.now() + FLOOD_SECONDS * 1000;
    while (Date.now() < end) {
      peak = Math.max(peak, rssKiB(sys.pid));
      const asked = Date.now();
      const answer = await sys.ctl('is-active', 'keeper.service');
      slowest = Math.max(slowest, Date.now() - asked);
      t.equal(answer.stdout.trim(), 'active', 'root is answered during the flood', { diagnostic: false });
      await sleep(200);
    }
    peak = Math.max(peak, rssKiB(sys.pid));
    await sleep(1000);
    const sent = (await sys.exec('sh', '-c', 'cat /run/flood-*')).stdout.trim().split('\n').join(', ');
    t.comment(`datagrams: ${sent} (service main, service child, nobody, nobody)`);
    t.comment(`RSS idle ${idle} KiB, peak ${peak} KiB (+${((peak - idle) / 1024).toFixed(1)} MiB) in ${FLOOD_SECONDS} s of flood; slowest root is-active ${slowest} ms`);
    t.ok(peak - idle <= FLOOD_BOUND_KIB, `PID 1 grew by ${peak - idle} KiB, within 64 MiB`);
    t.same(await sys.props('target.service', 'ActiveState', 'SubState'), { ActiveState: 'active', SubState: 'running' }, 'forged STOPPING=1 from nobody is refused');
    t.equal((await sys.exec('kill', '-KILL', String(keeperPid))).code, 0);
    const after = await waitProps(sys, 'keeper.service', ['ActiveState', 'MainPID'], (p) => p.ActiveState === 'active' && Number(p.MainPID) !== keeperPid && Number(p.MainPID) > 0, 10_000);
    t.match(after, { ActiveState: 'active' }, 'the keeper is restarted after the flood');
    t.ok(fdCount(sys.pid) <= fdsIdle + 6, `PID 1 fds ${fdsIdle} idle, ${fdCount(sys.pid)} after (flood.service's socket and streams)`);
    // Refused senders are warned about at most 200 times per 5 s per service (service-notify.ts).
    const lines = sys.console().split('\n');
    const windows = Math.ceil(FLOOD_SECONDS / 5) + 2;
    for (const unit of ['flood.service', 'target.service']) {
      const refused = lines.filter((l) => l.startsWith(`${unit}: Got notification message from PID`) || l.startsWith(`${unit}: Cannot find unit for notify message`)).length;
      const suppressed = lines.filter((l) => l.includes(`${unit}: Suppressed `)).length;
      t.comment(`${unit}: ${refused} refused-sender warnings on the console, ${suppressed} "Suppressed N messages" lines`);
      t.ok(refused >= 1 && refused <= 200 * windows, `${unit}: the flood's refusals are rate-limited (${refused} lines, at most ${200 * windows})`);
    }
  } finally {
    await sys.stop();
  }
});

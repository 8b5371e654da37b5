// Journal input fuzzing as PID 1 (issue 21, "the suite to keep"): seeded senders, a service as
// nobody and a process as nobody outside every unit, send mutated stdout-stream headers and
// lines to /run/systemd/journal/stdout, syslog datagrams in RFC 3164 and 5424 forms (priorities
// out of range, huge, NULs, no newline) to /dev/log and native journal datagrams (lying binary
// lengths, mutations) to /run/systemd/journal/socket (test/fuzz/fixtures/journal-fuzz.py).
// Afterwards PID 1 answers and supervises, journalctl reads every entry, each transport still
// logs a good line, stream and syslog messages are one line each, and PID 1 holds no more fds.
// FUZZ_SEED=S replays a run; `npm run fuzz -- --minutes N --only journal` runs it for N minutes.

import t from 'tap';
import { join } from 'node:path';
import { boot, journalctl, REPO, sleep, waitJournal, waitProps } from '../integration/harness.js';
import { FUZZ_MINUTES, FUZZ_SEED } from './prng.js';
import { fdCountBesidesLogDevices, waitDone } from './senders.js';

const FUZZER = join(REPO, 'test/fuzz/fixtures/journal-fuzz.py');
const COUNT = 5000; // inputs per sender in `npm test`
const SECONDS = FUZZ_MINUTES * 60;
const NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
const fuzz = (k: number, done: string) => `/usr/bin/python3 ${FUZZER} ${FUZZ_SEED + k} ${COUNT} ${SECONDS} /run/${done}`;

const units: Record<string, string> = {
  'keeper.service': `[Service]
ExecStart=/bin/sleep infinity
Restart=always
RestartSec=0.1
`,
  'fuzz.service': `[Service]
Type=oneshot
User=nobody
ExecStart=${fuzz(1, 'done-service')}
`,
};



interface Entry {
  MESSAGE?: unknown;
  SYSLOG_IDENTIFIER?: unknown;
}

/** A MESSAGE holds a newline: text, or bytes (journalctl -o json shows non-UTF-8 as an array). */
const multiLine = (m: unknown) => (typeof m === 'string' ? m.includes('\n') : Array.isArray(m) && m.includes(10));

t.test(`journal stream, syslog and native datagram fuzz (seed ${FUZZ_SEED}): PID 1 survives, entries readable, one-line messages`, async (t) => {
  t.comment(`replay with FUZZ_SEED=${FUZZ_SEED}`);
  const sys = await boot({ units, enable: ['keeper.service'] });
  try {
    const keeperPid = Number((await sys.props('keeper.service', 'MainPID')).MainPID);
    const fdsBefore = fdCountBesidesLogDevices(sys.pid);
    t.equal((await sys.ctl('start', '--no-block', 'fuzz.service')).code, 0);
    t.equal((await sys.exec('sh', '-c', `${NOBODY.join(' ')} ${fuzz(2, 'done-outside')} >/dev/null 2>&1 &`)).code, 0);
    const began = Date.now();
    const done = await waitDone(sys, ['done-service', 'done-outside'], SECONDS * 1000 + 300_000);
    t.comment(`senders: ${done.join(', ')} in ${((Date.now() - began) / 1000).toFixed(1)} s`);
    done.forEach((d) => t.match(d, /^sent \d+/, `a sender finished (seed ${FUZZ_SEED})`));

    t.equal((await sys.ctl('is-active', 'keeper.service')).stdout.trim(), 'active', `PID 1 answers (seed ${FUZZ_SEED})`);
    for (const transport of ['stream', 'syslog', 'native']) {
      for (const k of [1, 2]) {
        const marker = `fuzz-end-${transport}-${FUZZ_SEED + k}`;
        const out = await waitJournal(sys, ['-t', 'fuzzend', '-o', 'cat'], (o) => o.includes(marker), 10_000);
        t.ok(out.includes(marker), `${transport}: a good line after the fuzz is logged (${marker})`);
      }
    }
    const json = await journalctl(sys, '-o', 'json');
    t.equal(json.code, 0, `journalctl reads the whole journal (seed ${FUZZ_SEED}) ${json.stderr.slice(0, 200)}`);
    const entries = json.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Entry);
    // Native entries may carry newlines (the binary form); a stream or syslog line never does.
    const split = entries.filter((e) => e.SYSLOG_IDENTIFIER !== 'fuzz-native' && multiLine(e.MESSAGE));
    t.same(split.slice(0, 3).map((e) => String(e.MESSAGE).slice(0, 200)), [], `stream and syslog messages are one line each (seed ${FUZZ_SEED})`);
    t.comment(`journal: ${entries.length} entries, ${entries.filter((e) => e.SYSLOG_IDENTIFIER === 'fuzz-native').length} native`);
    t.notMatch(sys.console(), /\n\s+at |"level":|uncaught|FATAL/i, `no stack, no JSON on the console (seed ${FUZZ_SEED})`);

    t.equal((await sys.exec('kill', '-KILL', String(keeperPid))).code, 0);
    const after = await waitProps(sys, 'keeper.service', ['ActiveState', 'MainPID'], (p) => p.ActiveState === 'active' && Number(p.MainPID) !== keeperPid && Number(p.MainPID) > 0, 10_000);
    t.match(after, { ActiveState: 'active' }, `the keeper is still supervised and restarted (seed ${FUZZ_SEED})`);
    let fdsAfter = fdCountBesidesLogDevices(sys.pid);
    for (let i = 0; i < 50 && fdsAfter > fdsBefore; i++) {
      await sleep(100);
      fdsAfter = fdCountBesidesLogDevices(sys.pid);
    }
    t.ok(fdsAfter <= fdsBefore, `PID 1 fds ${fdsBefore} → ${fdsAfter}: every stream closed (seed ${FUZZ_SEED})`);
  } finally {
    await sys.stop();
  }
});

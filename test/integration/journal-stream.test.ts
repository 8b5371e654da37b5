// journald's stdout stream socket inside the daemon: the real systemd-cat(1), run by a unit,
// connects to /run/systemd/journal/stdout; its lines land under that unit with its identifier,
// its pid and its priority, as `journalctl -u`, `-t` and `-p` show them.

import t from 'tap';
import { boot, journalctl as journalctlIn, waitJournal as waitJournalIn, type System } from './harness.js';

// `$!` of a backgrounded pipeline is its last command: systemd-cat, which execs cat and so keeps
// its pid while it streams. `wait` gives its exit status. Both are instant clients, run while the
// daemon is still booting the other units: each is gone long before Node gets to it.
const CAT_SCRIPT = `echo hello-from-cat | systemd-cat -t catid & p=$!; wait $p; echo "cat-one pid=$p rc=$?"
echo warn-line | systemd-cat -t catid -p warning & p=$!; wait $p; echo "cat-two pid=$p rc=$?"
exec sleep 1000
`;

// systemd-cat COMMAND: the command's stdout and stderr are the stream.
const CATCMD_SCRIPT = `systemd-cat -t cmdid --level-prefix=false sh -c 'echo "<3>as text"; printf no-newline-at-end; sleep 1'
echo "cat-three rc=$?"
exec sleep 1000
`;

const units: Record<string, string> = {
  'cat.sh': CAT_SCRIPT,
  'cat.service': `[Service]
ExecStart=/bin/sh /etc/systemd/system/cat.sh
`,
  'catcmd.sh': CATCMD_SCRIPT,
  'catcmd.service': `[Service]
ExecStart=/bin/sh /etc/systemd/system/catcmd.sh
`,
};

let sys: System;

t.before(async () => {
  sys = await boot({ units, enable: Object.keys(units).filter((name) => name.endsWith('.service')) });
});

t.teardown(async () => {
  await sys?.stop();
});

const journalctl = (...args: string[]) => journalctlIn(sys, ...args);
const waitJournal = (args: string[], predicate: (out: string) => boolean, timeoutMs = 10000) => waitJournalIn(sys, args, predicate, timeoutMs);

t.test('the socket is there for anyone', async (t) => {
  const ls = await sys.exec('sh', '-c', 'ls -l /run/systemd/journal/stdout');
  t.match(ls.stdout, /^srw.rw.rw/m, 'a socket with mode 0666');
});

t.test('systemd-cat in a unit: lines under the unit, with identifier, pid and priority', async (t) => {
  const out = await waitJournal(['-u', 'cat.service'], (o) => o.includes('cat-two pid='));
  const one = /cat-one pid=(\d+) rc=(\d+)/.exec(out);
  const two = /cat-two pid=(\d+) rc=(\d+)/.exec(out);
  t.equal(one?.[2], '0', 'systemd-cat exited 0 (it fails when it cannot connect)');
  t.equal(two?.[2], '0', 'systemd-cat -p warning exited 0');
  t.match(out, new RegExp(`catid\\[${one?.[1]}\\]: hello-from-cat`), 'journalctl -u shows catid[PID]: the line');
  // The instant client is usually reaped before Node gets to its connection: it was described
  // from /proc as it connected, by the receiver threads.
  t.match(out, new RegExp(`catid\\[${two?.[1]}\\]: warn-line`), 'an instant `echo | systemd-cat` shows under the unit too');
  const warnings = (await journalctl('-t', 'catid', '-p', 'warning', '-o', 'cat')).stdout;
  t.match(warnings, /warn-line/, '-p warning shows the warning');
  t.notMatch(warnings, /hello-from-cat/, '-p warning leaves out the info line');
  const all = (await journalctl('-t', 'catid', '-o', 'cat')).stdout;
  t.match(all, /hello-from-cat/, '-t catid shows both');
});

t.test('systemd-cat running a command: --level-prefix=false and the unterminated last line', async (t) => {
  const out = await waitJournal(['-u', 'catcmd.service', '-o', 'cat'], (o) => o.includes('cat-three rc='));
  t.match(out, /cat-three rc=0/, 'systemd-cat COMMAND exited 0');
  const lines = (await journalctl('-t', 'cmdid', '-o', 'json')).stdout
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, string>);
  t.same(
    lines.map((e) => [e.MESSAGE, e.PRIORITY]),
    [
      ['<3>as text', '6'],
      ['no-newline-at-end', '6'],
    ],
    'the prefix stays text; the last line is stored at EOF',
  );
  t.ok(lines.length > 0 && lines.every((e) => e._SYSTEMD_UNIT === 'catcmd.service'), 'attributed to the unit');
});

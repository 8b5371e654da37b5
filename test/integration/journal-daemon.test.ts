// The journal inside the daemon, through the real journalctl and systemctl run inside the
// namespace: service output and the manager's own messages under the unit in order, the
// `systemctl status` tail, Syslog*= settings, odd output (no newline, 1 MiB, binary, invalid
// UTF-8), /dev/log and the journald socket attributed by pid, and `journalctl -f`.

import t from 'tap';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { boot, orAfter, journalctl as journalctlIn, waitJournal as waitJournalIn, REPO, sleep, waitProps, type System } from './harness.js';

// Written to /etc/systemd/system next to the units (systemd would unescape \n in ExecStart=).
const ODD_SCRIPT = `import sys
o = sys.stdout.buffer
o.write(b'before\\n')
o.write(b'a' * 1048576 + b'\\n')
o.write(bytes(range(1, 10)) + bytes(range(11, 256)) + b'\\n')
o.write(b'bad \\xff\\xfe utf8 \\xc3\\n')
o.write(b'after\\n')
o.write(b'tail without newline')
`;

// Exits right after its call: the sender is described on arrival, not when the loop gets to it.
const SYSLOG_SCRIPT = `import syslog
syslog.openlog('pyident')
syslog.syslog('hello-from-python')
`;

const units: Record<string, string> = {
  'hello.service': `[Unit]
Description=Hello Journal
[Service]
ExecStart=/bin/sh -c 'echo one; echo two >&2; printf "no newline"; exit 3'
`,
  'ident.service': `[Service]
SyslogIdentifier=myident
SyslogLevel=notice
ExecStart=/bin/sh -c 'echo plain; echo "<3>an error"; exec sleep 1000'
`,
  'noprefix.service': `[Service]
SyslogLevelPrefix=no
ExecStart=/bin/sh -c 'echo "<3>kept as text"; exec sleep 1000'
`,
  'odd.service': `[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/bin/python3 /etc/systemd/system/odd.py
`,
  'odd.py': ODD_SCRIPT,
  'syslog.py': SYSLOG_SCRIPT,
  'syslog.service': `[Service]
ExecStart=/bin/sh -c 'sleep 0.5; for i in $(seq 1 20); do logger -t x hello-from-logger-$i; done; { echo hello-from-piped-logger; sleep 3; } | logger -t x; python3 /etc/systemd/system/syslog.py; exec sleep 1000'
`,
  'logger-once.service': `[Service]
Type=oneshot
ExecStart=/usr/bin/logger -t once hello-once
ExecStart=/bin/sh -c 'logger -t once hello-from-shell-child'
`,
  'forker.service': `[Service]
Type=forking
ExecStart=/bin/sh -c '(sleep 0.5; { echo hello-from-grandchild; sleep 3; } | logger -t forked; exec sleep 1000) & exit 0'
`,
  'ticker.service': `[Service]
ExecStart=/bin/sh -c 'i=0; while true; do i=$((i+1)); echo tick-$i; sleep 0.2; done'
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
const waitJournal = (args: string[], predicate: (out: string) => boolean, timeoutMs = 5000) => waitJournalIn(sys, args, predicate, timeoutMs);

t.test('service lines and manager messages are under the unit, in order', async (t) => {
  const out = await waitJournal(['-u', 'hello.service', '-o', 'cat'], (o) => o.includes("Failed with result 'exit-code'"));
  const lines = out.trim().split('\n');
  t.same(
    lines,
    [
      'Starting hello.service - Hello Journal...',
      'Started hello.service - Hello Journal.',
      'one',
      'two',
      'no newline',
      'hello.service: Main process exited, code=exited, status=3/NOTIMPLEMENTED',
      "hello.service: Failed with result 'exit-code'.",
    ],
    'systemd wording, service lines between Started and the exit, stderr in its place among stdout',
  );
  const short = (await journalctl('-u', 'hello.service')).stdout;
  t.match(short, /systemd\[1\]: Started hello\.service - Hello Journal\./, 'manager lines come from systemd[1]');
  t.match(short, /sh\[\d+\]: one/, 'service lines carry the executable name and pid');
  t.match(sys.console(), /hello\.service: one/, 'service output is on the console in the documented format');
  // _TRANSPORT= as systemd 252's journal has it (test/cli/fixtures/oracle/fail3.journal.json):
  // a service's output is stdout, PID 1's own lines are journal.
  const stdout = (await journalctl('-u', 'hello.service', '-o', 'cat', '_TRANSPORT=stdout')).stdout;
  t.match(stdout, /^one$/m, '_TRANSPORT=stdout: the service output');
  t.notMatch(stdout, /Started hello/, '... and none of the manager lines');
  const own = (await journalctl('-u', 'hello.service', '-o', 'cat', '_TRANSPORT=journal')).stdout;
  t.match(own, /Started hello\.service - Hello Journal\./, '_TRANSPORT=journal: the manager lines');
  t.notMatch(own, /^one$/m, '... and none of the service output');
});

t.test('systemctl status shows the tail from the journal', async (t) => {
  const status = await sys.ctl('status', 'hello.service');
  t.match(status.stdout, /one/);
  t.match(status.stdout, /Main process exited, code=exited, status=3\/NOTIMPLEMENTED/);
});

t.test('SyslogIdentifier=, SyslogLevel= and SyslogLevelPrefix= are honoured', async (t) => {
  const json = await waitJournal(['-u', 'ident.service', '-o', 'json'], (o) => o.includes('an error'));
  const entries = json
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, string>);
  const plain = entries.find((e) => e.MESSAGE === 'plain');
  const error = entries.find((e) => e.MESSAGE === 'an error');
  t.equal(plain?.SYSLOG_IDENTIFIER, 'myident');
  t.equal(plain?.PRIORITY, '5', 'SyslogLevel=notice');
  t.equal(error?.PRIORITY, '3', '<3> prefix sets err and is removed');
  t.match((await journalctl('-t', 'myident', '-o', 'cat')).stdout, /plain/, '-t matches the identifier');
  const kept = await waitJournal(['-u', 'noprefix.service', '-o', 'cat'], (o) => o.includes('kept as text'));
  t.match(kept, /<3>kept as text/, 'SyslogLevelPrefix=no keeps the prefix as text');
});

t.test('odd output: 1 MiB line, binary, invalid UTF-8, no trailing newline', async (t) => {
  await waitProps(sys, 'odd.service', ['SubState'], (p) => p.SubState === 'exited', 10000);
  const script = `node ${REPO}/init/journalctl --no-pager -u odd.service -o cat`;
  // Count what came back byte-exactly inside the namespace, not through a UTF-8 decode.
  const counted = await sys.exec(
    'sh',
    '-c',
    `${script} > /tmp/odd.out; echo rc=$?; grep -a -x 'a*' /tmp/odd.out | tr -d '\\n' | wc -c; grep -c -a -x before /tmp/odd.out; grep -c -a -x after /tmp/odd.out; grep -c -a -x 'tail without newline' /tmp/odd.out; grep -c -a "$(printf 'bad \\377\\376 utf8 \\303')" /tmp/odd.out`,
  );
  const [rc, as, before, after, tail, bad] = counted.stdout.trim().split('\n');
  t.equal(rc, 'rc=0', 'journalctl exits 0');
  // LineMax= (48 KiB) cuts the line into records, as journald does; together they hold it all.
  t.equal(Number(as), 1048576, "every byte of the 1 MiB line is stored");
  t.equal(before, '1', 'the line before is intact');
  t.equal(after, '1', 'the line after is intact');
  t.equal(tail, '1', 'the unterminated last line is stored');
  t.equal(bad, '1', 'invalid UTF-8 is stored byte for byte');
  const short = await journalctl('-u', 'odd.service');
  t.equal(short.code, 0);
  t.match(short.stdout, /blob data\]/, 'binary shows as blob data in short output');
  t.match(short.stdout, /python3\[\d+\]: after/);
  const status = await sys.ctl('status', 'odd.service');
  t.ok(status.code === 0 || status.code === 3, `status does not crash (code ${status.code})`);
});

t.test('logger and python syslog inside a unit land under that unit', async (t) => {
  const out = await waitJournal(['-u', 'syslog.service'], (o) => o.includes('hello-from-piped-logger') && o.includes('hello-from-python'), 10000);
  // Each `logger` exits (and its shell reaps it) right after sending: the daemon describes the
  // sender from /proc the moment its datagram arrives, so every one is attributed.
  const all = (await journalctl('-t', 'x', '-o', 'cat')).stdout.match(/hello-from-logger-\d+/g) ?? [];
  const attributed = out.match(/x\[\d+\]: hello-from-logger-\d+/g) ?? [];
  t.comment(`logger: ${all.length} of 20 messages stored, ${attributed.length} attributed to syslog.service`);
  t.equal(all.length, 20, 'every logger message is stored');
  t.equal(attributed.length, 20, 'every one-shot logger call shows under the unit');
  t.match(out, /x\[\d+\]: hello-from-piped-logger/, 'logger -t x reading a pipe');
  t.match(out, /pyident\[\d+\]: hello-from-python/, 'python syslog.syslog() from a process that exits at once');
  const transports = (await journalctl('-t', 'x', '-o', 'json', '--output-fields=_TRANSPORT')).stdout.trim().split('\n').map((l) => (JSON.parse(l) as Record<string, string>)._TRANSPORT);
  t.same([...new Set(transports)], ['syslog'], 'messages through /dev/log are _TRANSPORT=syslog');
  await waitProps(sys, 'logger-once.service', ['Result', 'ActiveState'], (p) => p.Result === 'success' && p.ActiveState === 'inactive', 10000);
  const once = (await journalctl('-u', 'logger-once.service', '-o', 'cat')).stdout;
  t.match(once, /hello-once\n[^]*hello-from-shell-child/, 'a oneshot whose ExecStart= is logger itself');
  t.ok(once.indexOf('hello-once') < once.indexOf('Deactivated successfully') || !once.includes('Deactivated successfully'), "the message is in the journal before the unit's exit");
  const forked = await waitJournal(['-u', 'forker.service'], (o) => o.includes('hello-from-grandchild'));
  t.match(forked, /forked\[\d+\]: hello-from-grandchild/, 'a double-forked daemon is found by its marker');
  const ls = await sys.exec('sh', '-c', 'ls -l /dev/log /run/systemd/journal/socket');
  t.match(ls.stdout, /^s.w..w..w/m, '/dev/log is a socket anyone may write');
});

t.test('journalctl -f -u follows new lines live', async (t) => {
  const child = spawn('nsenter', ['-t', String(sys.pid), '-m', '-p', '--', 'node', join(REPO, 'init/journalctl'), '-f', '-u', 'ticker.service', '-o', 'cat'], {
    // A clean environment: tap's NODE_OPTIONS loaders must not ride along into the namespace.
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', UNITD_JOURNAL_DIR: '/run/log/journal' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const first = async () => {
    const end = Date.now() + 10000;
    while (Date.now() < end && !/tick-\d+\n/.test(out)) await sleep(50);
    return (out.match(/tick-(\d+)/g) ?? []).map((s) => Number(s.slice(5)));
  };
  const initial = await first();
  const highest = Math.max(...initial);
  const end = Date.now() + 10000;
  while (Date.now() < end && !out.includes(`tick-${highest + 3}\n`)) await sleep(50);
  t.ok(out.includes(`tick-${highest + 3}\n`), `three new lines followed after tick-${highest}`);
  child.kill('SIGTERM');
  const exited = await orAfter(new Promise((r) => child.on('exit', r)).then(() => true), 3000, false);
  if (!exited && child.pid) process.kill(child.pid, 'SIGKILL');
  t.ok(exited, 'journalctl -f ends on SIGTERM');
});

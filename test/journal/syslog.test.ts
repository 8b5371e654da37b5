// Services that log through syslog(3), `logger` or sd_journal_print(3) show up in the journal
// under their unit, found from the sender's pid as the kernel reports it.

import t from 'tap';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JournalEntry } from '../../src/journal/entry.js';
import { parseNativeDatagram, parseSyslogDatagram } from '../../src/journal/syslog-parse.js';
import { SyslogReceiver } from '../../src/journal/syslog.js';
import { sendDatagram } from '../../src/native/index.js';

const dir = mkdtempSync(join(tmpdir(), 'unitd-journal-syslog-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const parsed = (text: string | Buffer) => {
  const { transport, ...result } = parseSyslogDatagram(Buffer.from(text));
  if (transport !== 'syslog') throw new Error(`_TRANSPORT=${transport} for a syslog datagram`);
  return { ...result, message: result.message.toString() };
};

t.test('BSD syslog formats as local senders write them', async (t) => {
  t.same(parsed('<13>Nov 21 19:38:16 x: hello'), { priority: 5, identifier: 'x', message: 'hello' }, 'logger -t x');
  t.same(parsed('<14>Nov  1 09:08:07 myapp[4242]: started ok\n'), { priority: 6, identifier: 'myapp', pid: 4242, message: 'started ok' }, 'glibc with LOG_PID');
  t.same(parsed('<11>app: failed'), { priority: 3, identifier: 'app', message: 'failed' }, 'no timestamp');
  t.same(parsed('<14>just a message\0'), { priority: 6, message: 'just a message' }, 'python SysLogHandler: no identifier, NUL end');
  t.same(parsed('no priority at all'), { priority: 6, message: 'no priority at all' });
  t.same(
    parsed('<165>1 2026-11-21T19:38:16.000Z host app 321 ID47 [ex@1 a="\\]"] hello 5424'),
    { priority: 5, identifier: 'app', pid: 321, message: 'hello 5424' },
    'RFC 5424',
  );
});

t.test('journald native protocol', async (t) => {
  const binary = Buffer.from('two\nlines');
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(binary.length));
  const datagram = Buffer.concat([Buffer.from('PRIORITY=3\nSYSLOG_IDENTIFIER=tool\nMESSAGE\n'), length, binary, Buffer.from('\nCODE_LINE=1\n')]);
  const result = parseNativeDatagram(datagram);
  t.same({ ...result, message: result.message.toString() }, { priority: 3, identifier: 'tool', pid: undefined, message: 'two\nlines', transport: 'journal' });
});

/** A receiver on test socket paths that attributes the pids in `units` and collects entries. */
function receiver(units: Map<number, string>) {
  const entries: JournalEntry[] = [];
  const waiters: Array<() => void> = [];
  const syslogPath = join(dir, `log-${units.size}-${Date.now()}`);
  const nativePath = join(dir, `native-${units.size}-${Date.now()}`);
  const rx = new SyslogReceiver({
    syslogPaths: [syslogPath],
    nativePaths: [nativePath],
    unitForSender: (sender) => units.get(sender.pid),
    sink: (entry) => {
      entries.push(entry);
      waiters.splice(0).forEach((wake) => wake());
    },
  });
  const waitFor = async (count: number, ms = 10_000) => {
    const deadline = Date.now() + ms;
    while (entries.length < count && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  };
  return { rx, entries, waitFor, syslogPath, nativePath };
}

async function run(command: string, args: string[], units: Map<number, string>, unit: string): Promise<number> {
  const proc = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (proc.pid === undefined) throw new Error(`could not start ${command}`);
  units.set(proc.pid, unit);
  const timer = setTimeout(() => proc.pid && process.kill(proc.pid, 'SIGKILL'), 20_000);
  const [code] = await once(proc, 'exit');
  clearTimeout(timer);
  return code as number;
}

t.test('logger -t x hello arrives attributed to the sender’s unit', async (t) => {
  const units = new Map<number, string>();
  const { rx, entries, waitFor, syslogPath } = receiver(units);
  t.teardown(() => rx.close());
  t.same(rx.stats().bound.length, 2, 'both sockets bound');
  t.equal(await run('logger', ['-u', syslogPath, '-t', 'x', 'hello'], units, 'web.service'), 0);
  t.equal(await run('logger', ['-u', syslogPath, '-t', 'y', '-i', '-p', 'user.err', 'with pid'], units, 'db.service'), 0);
  await waitFor(2);
  const [first, second] = entries;
  t.match(first, { unit: 'web.service', identifier: 'x', priority: 5 });
  t.equal(first?.message.toString(), 'hello');
  t.match(second, { unit: 'db.service', identifier: 'y', priority: 3 });
  t.equal(second?.message.toString(), 'with pid');
  t.equal(second?.pid, [...units.entries()].find(([, unit]) => unit === 'db.service')?.[0], 'the pid is the sender’s');
});

t.test('python3 syslog.syslog() arrives attributed by pid', async (t) => {
  const units = new Map<number, string>();
  const { rx, entries, waitFor, syslogPath } = receiver(units);
  t.teardown(() => rx.close());
  // glibc's syslog(3) always writes to /dev/log: give python a private /dev whose log is our socket.
  const python = 'import syslog; syslog.openlog("pyapp", syslog.LOG_PID); syslog.syslog(syslog.LOG_WARNING, "from python")';
  const script = 'mount -t tmpfs unitd-test-dev /dev && touch /dev/log && mount --bind "$1" /dev/log && exec python3 -c "$2"';
  const code = await run('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', syslogPath, python], units, 'py.service');
  t.equal(code, 0, 'python ran');
  await waitFor(1);
  t.match(entries[0], { unit: 'py.service', identifier: 'pyapp', priority: 4 });
  t.equal(entries[0]?.message.toString(), 'from python');
});

t.test('native protocol datagrams and unknown senders', async (t) => {
  const { rx, entries, waitFor, nativePath, syslogPath } = receiver(new Map());
  t.teardown(() => rx.close());
  sendDatagram(nativePath, 'MESSAGE=native hello\nPRIORITY=2\nSYSLOG_IDENTIFIER=me\n');
  sendDatagram(syslogPath, '<14>stray: no unit');
  await waitFor(2);
  // Two sockets: the order between them is the poller's, so look entries up by identifier.
  const native = entries.find((entry) => entry.identifier === 'me');
  t.match(native, { unit: '', priority: 2, pid: process.pid });
  t.equal(native?.message.toString(), 'native hello');
  t.match(entries.find((entry) => entry.identifier === 'stray'), { unit: '' }, 'a sender outside every unit is kept, with no unit');
});

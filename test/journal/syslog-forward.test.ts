// ForwardToSyslog=: the BSD syslog form journald forwards in, and a forwarder that never blocks
// or throws when nobody reads the socket.

import t from 'tap';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadJournalConfig } from '../../src/journal/config.js';
import { formatSyslog, SyslogForwarder } from '../../src/journal/syslog-forward.js';
import { DatagramSocket } from '../../src/native/index.js';

const entry = (message: string, priority = 5) => ({
  timestamp: new Date(2026, 11, 5, 9, 3, 7).getTime() * 1000,
  unit: '',
  identifier: 'probe',
  pid: 42,
  priority,
  message: Buffer.from(message),
});

t.test('BSD syslog: <facility user + level>, local time with a space-padded day, ident[pid]', async (t) => {
  t.equal(formatSyslog(entry('hello')).toString(), '<13>Dec  5 09:03:07 probe[42]: hello');
  t.equal(formatSyslog({ ...entry('x', 3), identifier: '' }).toString(), '<11>Dec  5 09:03:07 x');
});

t.test('the forwarder delivers to a reader, and goes on quietly without one', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'unitd-fwd-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'syslog');
  const forwarder = new SyslogForwarder({ path });
  forwarder.forward(entry('before the socket')); // ENOENT: dropped, no throw
  const got: string[] = [];
  const socket = DatagramSocket.bind(path, (data) => got.push(data.toString()));
  forwarder.forward(entry('first'));
  const end = Date.now() + 5000;
  while (got.length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  t.same(got, ['<13>Dec  5 09:03:07 probe[42]: first'], 'the socket appeared: the next entry goes through at once');
  socket.close();
  writeFileSync(path, ''); // not a socket: refused, never thrown
  forwarder.forward(entry('after'));
  t.equal(forwarder.forwarded, 1);
});

t.test('no socket file: one failed send, then a stat per entry until the file appears', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'unitd-fwd-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'syslog');
  let sends = 0;
  const send = () => {
    sends++;
    if (!existsSync(path)) throw Object.assign(new Error('sendto: ENOENT'), { code: 'ENOENT' });
  };
  const forwarder = new SyslogForwarder({ path, send });
  for (let i = 0; i < 1000; i++) forwarder.forward(entry(`flood ${i}`));
  t.equal(sends, 1, 'a flood with no syslog daemon tries the socket once');
  writeFileSync(path, '');
  forwarder.forward(entry('appeared'));
  t.equal(sends, 2, 'the first entry after the file appears is sent');
  t.equal(forwarder.forwarded, 1);
});

t.test('ForwardToSyslog= in journald.conf, on unless said otherwise', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'unitd-fwdconf-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  t.equal(loadJournalConfig({ configRoot: root, storeDir: root }).forwardToSyslog, true);
  const { mkdirSync } = await import('node:fs');
  mkdirSync(join(root, 'systemd'));
  writeFileSync(join(root, 'systemd', 'journald.conf'), '[Journal]\nForwardToSyslog=no\n');
  t.equal(loadJournalConfig({ configRoot: root, storeDir: root }).forwardToSyslog, false);
  writeFileSync(join(root, 'systemd', 'journald.conf'), '[Journal]\nForwardToSyslog=true\n');
  t.equal(loadJournalConfig({ configRoot: root, storeDir: root }).forwardToSyslog, true);
});

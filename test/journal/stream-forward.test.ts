// A stdout stream's own forward flags (its header's forward_to_syslog/kmsg/console) turn the
// forward on for its lines even when journald.conf leaves it off, as journald 252's
// stdout_stream_log() ORs them with ForwardTo*=; MaxLevel*= still apply.

import t from 'tap';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Journal } from '../../src/journal/journal.js';
import type { JournalEntry, StreamForward } from '../../src/journal/entry.js';

const root = mkdtempSync(join(tmpdir(), 'unitd-streamfwd-'));
t.teardown(() => rmSync(root, { recursive: true, force: true }));
mkdirSync(join(root, 'systemd'));
writeFileSync(join(root, 'systemd/journald.conf'), '[Journal]\nForwardToSyslog=no\nForwardToKMsg=no\nForwardToConsole=no\nForwardToWall=no\n');

const entry = (message: string, priority: number, forward?: StreamForward): JournalEntry => ({
  timestamp: Date.now() * 1000, unit: 'app.service', identifier: 'app', pid: 42, priority, message: Buffer.from(message), transport: 'stdout', ...(forward && { forward }),
});

t.test('stream flags forward to syslog and kmsg with journald.conf saying no', async (t) => {
  const kmsgPath = join(root, 'kmsg');
  writeFileSync(kmsgPath, '');
  const sent: string[] = [];
  const journal = new Journal({
    dir: join(root, 'store'), configRoot: root, console: false,
    forwardToSyslog: { path: join(root, 'syslog'), send: (_path, data) => void sent.push(data.toString()) },
    forwardLocal: { kmsgPath },
  });
  t.teardown(() => journal.close());
  journal.append(entry('plain line', 3));
  journal.append(entry('to syslog', 6, { syslog: true, kmsg: false, console: false }));
  journal.append(entry('to kmsg', 3, { syslog: false, kmsg: true, console: false }));
  journal.append(entry('too verbose for kmsg', 6, { syslog: false, kmsg: true, console: false }));
  t.equal(sent.length, 1, 'only the flagged line went to syslog');
  t.match(sent[0], /app\[42\]: to syslog$/);
  t.equal(readFileSync(kmsgPath, 'utf8'), '<11>app[42]: to kmsg', 'kmsg: the flagged line within MaxLevelKMsg= (notice)');
});

// ForwardToKMsg=/ForwardToConsole=/ForwardToWall= pieces that need no PID 1: the journald.conf
// keys and their defaults, the one line when /dev/kmsg cannot be opened, and utmp reading.
import t from 'tap';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadJournalConfig } from '../../src/journal/config.js';
import { LocalForwarder, loggedInTerminals } from '../../src/journal/local-forward.js';

const root = mkdtempSync(join(tmpdir(), 'unitd-localfwd-'));
t.teardown(() => rmSync(root, { recursive: true, force: true }));

t.test('journald.conf keys and systemd 252 defaults', async (t) => {
  mkdirSync(join(root, 'systemd'), { recursive: true });
  writeFileSync(join(root, 'systemd/journald.conf'), '[Journal]\n');
  t.match(loadJournalConfig({ configRoot: root, storeDir: root }), {
    forwardToKMsg: false, forwardToConsole: false, forwardToWall: true,
    maxLevelSyslog: 7, maxLevelKMsg: 5, maxLevelConsole: 6, maxLevelWall: 0, ttyPath: '/dev/console',
  });
  writeFileSync(join(root, 'systemd/journald.conf'), '[Journal]\nForwardToConsole=yes\nMaxLevelConsole=warning\nMaxLevelKMsg=3\nMaxLevelWall=bogus\nTTYPath=/dev/tty9\nForwardToWall=no\n');
  t.match(loadJournalConfig({ configRoot: root, storeDir: root }), {
    forwardToConsole: true, maxLevelConsole: 4, maxLevelKMsg: 3, maxLevelWall: 0, ttyPath: '/dev/tty9', forwardToWall: false,
  });
});

const config = { forwardToKMsg: true, forwardToConsole: false, forwardToWall: false, maxLevelKMsg: 7, maxLevelConsole: 6, maxLevelWall: 0, ttyPath: '/dev/console' };

t.test('no /dev/kmsg: one line, then nothing', async (t) => {
  const lines: string[] = [];
  const f = new LocalForwarder(config, { kmsgPath: join(root, 'missing/kmsg'), warn: (m) => lines.push(m) });
  f.forward({ timestamp: 1, unit: '', identifier: 'x', pid: 1, priority: 3, message: Buffer.from('m') });
  t.same(lines, [`Failed to open ${join(root, 'missing/kmsg')}, ignoring: No such file or directory`]);
  t.equal(f.forwarded.kmsg, 0);
});

t.test('a writable kmsg gets one <PRI>ident[pid]: record per entry', async (t) => {
  const path = join(root, 'kmsg');
  writeFileSync(path, '');
  const f = new LocalForwarder(config, { kmsgPath: path });
  f.forward({ timestamp: 1, unit: '', identifier: 'app', pid: 42, priority: 4, message: Buffer.from('careful') });
  f.close();
  t.equal(readFileSync(path, 'utf8'), '<12>app[42]: careful');
});

t.test('utmp: USER_PROCESS records with a user name their terminals', async (t) => {
  const record = (type: number, line: string, user: string) => {
    const b = Buffer.alloc(384);
    b.writeInt16LE(type, 0);
    b.write(line, 8, 'latin1');
    b.write(user, 44, 'latin1');
    return b;
  };
  const path = join(root, 'utmp');
  writeFileSync(path, Buffer.concat([record(2, '~', 'reboot'), record(7, 'pts/3', 'ann'), record(7, 'pts/4', ''), record(8, 'pts/5', 'bob'), record(7, '/dev/tty2', 'cy')]));
  t.same(loggedInTerminals(path), ['/dev/pts/3', '/dev/tty2']);
  t.same(loggedInTerminals(join(root, 'none')), []);
});

// syslog.socket and journald's ForwardToSyslog= as PID 1: a syslog daemon that Requires=
// syslog.socket (as Debian's rsyslog.service does) gets /run/systemd/journal/syslog at fd 3,
// unitd keeps /dev/log, and a `logger` message lands both in the journal and at the daemon,
// in BSD syslog form.

import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { boot, journalctl, REPO, sleep, waitJournal, waitProps, type System } from './harness.js';

const FIXTURE = `/usr/bin/python3 ${join(REPO, 'test/integration/fixtures/socket-activated.py')}`;
const DEBIAN_SYSLOG_SOCKET = '/lib/systemd/system/syslog.socket';
// Debian's syslog.socket (systemd package), or the same [Socket] lines where it is missing.
const syslogSocket = existsSync(DEBIAN_SYSLOG_SOCKET)
  ? readFileSync(DEBIAN_SYSLOG_SOCKET, 'utf8')
  : '[Unit]\nDefaultDependencies=no\nBefore=sockets.target\n[Socket]\nListenDatagram=/run/systemd/journal/syslog\nSocketMode=0666\nPassCredentials=yes\n';

const units: Record<string, string> = {
  'syslog.socket': syslogSocket,
  // As rsyslog.service (Alias=syslog.service): needs the socket, reads what the journal forwards.
  'syslog.service': `[Unit]\nRequires=syslog.socket\n[Service]\nExecStart=${FIXTURE} datagram /run/syslog.out\n`,
};

let sys: System;
t.before(async () => {
  sys = await boot({ units, enable: ['syslog.service'] });
});
t.teardown(async () => {
  await sys?.stop();
});

t.test('logger reaches the journal and, forwarded, the syslog daemon', async (t) => {
  const p = await waitProps(sys, 'syslog.service', ['ActiveState'], (x) => x.ActiveState === 'active', 10_000);
  t.equal(p.ActiveState, 'active', 'the syslog daemon runs with its socket');
  t.equal((await sys.props('syslog.socket', 'SubState')).SubState, 'running');
  const r = await sys.exec('logger', '-t', 'probe', 'hello from logger');
  t.equal(r.code, 0, r.stderr);
  const journal = await waitJournal(sys, ['-t', 'probe'], (out) => out.includes('hello from logger'), 10_000);
  t.match(journal, /probe\[\d+\]: hello from logger/, 'in journalctl -t probe');
  let forwarded = '';
  const end = Date.now() + 10_000;
  while (Date.now() < end && !forwarded.includes('hello from logger')) {
    forwarded = (await sys.exec('cat', '/run/syslog.out')).stdout;
    await sleep(100);
  }
  t.match(forwarded, /^<13>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d probe\[\d+\]: hello from logger$/m, 'BSD syslog at the daemon: user.notice, time, ident[pid]');
  t.equal((await sys.exec('test', '-S', '/dev/log')).code, 0, '/dev/log stays the journal\'s');
  t.notMatch((await journalctl(sys, '-u', 'syslog.service')).stdout, 'Failed', 'no failure');
});

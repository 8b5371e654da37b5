// daemon-reload (and SIGHUP) with services running: they keep running with
// their state, NeedDaemonReload= says when files changed, and the changed
// files apply to the next start.

import { writeFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { boot, sleep, waitProps } from './harness.js';

t.test('daemon-reload keeps running services and picks up changed files', async (t) => {
  const sys = await boot({
    units: {
      'web.service': `[Unit]\nDescription=Web v1\n[Service]\nExecStart=/bin/sleep 1000\n`,
      'other.service': `[Unit]\nDescription=Other\n[Service]\nExecStart=/bin/sleep 1000\n`,
    },
    enable: ['web.service', 'other.service'],
    bootTimeoutMs: 30000,
  });
  t.teardown(() => sys.stop());
  const before = await sys.props('web.service', 'MainPID', 'ActiveState', 'InvocationID', 'NeedDaemonReload');
  t.match(before, { ActiveState: 'active', NeedDaemonReload: false });
  const file = join(sys.unitDir, 'web.service');
  writeFileSync(file, `[Unit]\nDescription=Web v2\n[Service]\nExecStart=/bin/sh -c 'echo v2 > /run/web.version; exec sleep 1000'\n`);
  const later = new Date(Date.now() + 5000);
  utimesSync(file, later, later);
  t.match(await sys.props('web.service', 'NeedDaemonReload'), { NeedDaemonReload: true });
  t.equal((await sys.ctl('daemon-reload')).code, 0);
  const after = await sys.props('web.service', 'MainPID', 'ActiveState', 'InvocationID', 'NeedDaemonReload', 'Description');
  t.match(after, { MainPID: before.MainPID, ActiveState: 'active', InvocationID: before.InvocationID, NeedDaemonReload: false, Description: 'Web v2' });
  t.equal((await sys.ctl('is-active', 'other.service')).code, 0);
  t.equal((await sys.ctl('restart', 'web.service')).code, 0);
  await waitProps(sys, 'web.service', ['MainPID'], (p) => p.MainPID !== before.MainPID);
  await sleep(200);
  t.equal((await sys.exec('cat', '/run/web.version')).stdout.trim(), 'v2', 'the new ExecStart= ran');

  // SIGHUP is a daemon-reload too.
  writeFileSync(join(sys.unitDir, 'new.service'), `[Service]\nExecStart=/bin/sleep 1000\n`);
  process.kill(sys.pid, 'SIGHUP');
  await sleep(500);
  t.equal((await sys.ctl('start', 'new.service')).code, 0);
  t.equal((await sys.ctl('is-active', 'web.service', 'other.service', 'new.service')).stdout.trim(), 'active\nactive\nactive');
});

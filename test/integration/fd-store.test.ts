// The file-descriptor store as PID 1, through the real systemctl (sd_notify(3) FDSTORE=1,
// systemd.service(5) FileDescriptorStoreMax=): fds a service stores come back at fd 3+ after
// its socket units' fds, named by FDNAME=, across `systemctl restart`, a crash with
// Restart= and `systemctl daemon-reexec`; FDSTOREREMOVE=1 drops them; a stop for good closes them; the maximum is kept;
// a stored fd whose peer hangs up is dropped and closed in PID 1, unless FDPOLL=0 came with it.

import t from 'tap';
import { join } from 'node:path';
import { boot, REPO, waitJournal, waitProps, type System } from './harness.js';

const FIXTURE = `/usr/bin/python3 ${join(REPO, 'test/integration/fixtures/fd-store.py')}`;
const REPORT = '/run/fd-store.report';

const units: Record<string, string> = {
  'keeper.socket': '[Socket]\nListenStream=/run/keeper.sock\n',
  // More than StartLimitBurst=5 starts within 10 s happen here, all on purpose.
  'keeper.service':
    `[Unit]\nStartLimitIntervalSec=0\n[Service]\nType=notify\nNotifyAccess=all\nFileDescriptorStoreMax=2\nRestart=always\nRestartSec=100ms\n` +
    `ExecStart=${FIXTURE} serve ${REPORT}\nExecReload=${FIXTURE} remove state\n`,
  'full.service': `[Service]\nType=oneshot\nRemainAfterExit=yes\nNotifyAccess=all\nFileDescriptorStoreMax=1\nExecStart=${FIXTURE} offer 3\n`,
  'none.service': `[Service]\nType=oneshot\nRemainAfterExit=yes\nNotifyAccess=all\nExecStart=${FIXTURE} offer 1\n`,
  'polled.service': `[Service]\nNotifyAccess=all\nFileDescriptorStoreMax=1\nExecStart=${FIXTURE} hold /run/polled.report\n`,
  'unpolled.service': `[Service]\nNotifyAccess=all\nFileDescriptorStoreMax=1\nExecStart=${FIXTURE} hold /run/unpolled.report FDPOLL=0\n`,
};

let sys: System;
t.before(async () => {
  sys = await boot({ units, enable: ['keeper.socket'] });
});
t.teardown(async () => {
  await sys?.stop();
});

/** The report's lines once it has `count` of them. */
async function reports(count: number): Promise<string[]> {
  const end = Date.now() + 10_000;
  let lines: string[] = [];
  while (Date.now() < end) {
    lines = (await sys.exec('cat', REPORT)).stdout.trim().split('\n').filter(Boolean);
    if (lines.length >= count) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return lines;
}

const storeSize = async (unit: string, n: number) =>
  (await waitProps(sys, unit, ['NFileDescriptorStore'], (p) => p.NFileDescriptorStore === n, 10_000)).NFileDescriptorStore;

t.test('a stored fd comes back after the socket fds on restart and after a crash', async (t) => {
  await waitProps(sys, 'keeper.socket', ['SubState'], (p) => p.SubState === 'listening');
  t.equal((await sys.ctl('start', 'keeper.service')).code, 0);
  t.same(await reports(1), ['gen=1 fds=1 names=keeper.socket'], 'first start: only the socket fd');
  t.equal(await storeSize('keeper.service', 1), 1, 'NFileDescriptorStore=1 after FDSTORE=1');
  t.match(await sys.props('keeper.service', 'FileDescriptorStoreMax'), { FileDescriptorStoreMax: 2 });

  t.equal((await sys.ctl('restart', 'keeper.service')).code, 0);
  t.same((await reports(2))[1], 'gen=2 fds=2 names=keeper.socket:state', 'restart: the socket fd, then the stored memfd, same contents');

  const main = (await sys.props('keeper.service', 'MainPID')).MainPID as number;
  t.equal((await sys.exec('kill', '-9', String(main))).code, 0);
  t.same((await reports(3))[2], 'gen=3 fds=2 names=keeper.socket:state', 'a crash and Restart=always keep the store');
  t.equal(await storeSize('keeper.service', 1), 1, 'still one fd stored');
});

t.test('the store survives daemon-reexec', { timeout: 120_000 }, async (t) => {
  const reexec = await sys.ctl('daemon-reexec');
  t.equal(reexec.code, 0, `daemon-reexec succeeds: ${reexec.stderr}`);
  t.equal(await storeSize('keeper.service', 1), 1, 'the new program still holds the stored fd');
  t.equal((await sys.ctl('restart', 'keeper.service')).code, 0);
  t.same((await reports(4))[3], 'gen=4 fds=2 names=keeper.socket:state', 'restarted after the re-exec: the stored memfd comes back, its counter kept');
});

t.test('FDSTOREREMOVE=1 with FDNAME= drops the named fds', async (t) => {
  const reload = await sys.ctl('reload', 'keeper.service');
  t.equal(reload.code, 0, `reload succeeds: ${reload.stderr}`);
  t.equal(await storeSize('keeper.service', 0), 0);
  t.equal((await sys.ctl('restart', 'keeper.service')).code, 0);
  t.same((await reports(5))[4], 'gen=1 fds=1 names=keeper.socket', 'nothing came back: the service starts over');
});

t.test('stopping the service for good closes the store', async (t) => {
  t.equal(await storeSize('keeper.service', 1), 1, 'stored again by the last start');
  t.equal((await sys.ctl('stop', 'keeper.service')).code, 0);
  t.equal(await storeSize('keeper.service', 0), 0);
  t.equal((await sys.ctl('start', 'keeper.service')).code, 0);
  t.same((await reports(6))[5], 'gen=1 fds=1 names=keeper.socket');
  t.equal((await sys.ctl('stop', 'keeper.service')).code, 0);
});

t.test('FileDescriptorStoreMax= bounds the store; 0 (the default) keeps nothing', async (t) => {
  t.equal((await sys.ctl('start', 'full.service')).code, 0);
  t.equal(await storeSize('full.service', 1), 1, 'one of three kept');
  const full = await waitJournal(sys, ['-u', 'full.service'], (out) => out.includes('Cannot store more fds'));
  t.match(full, 'full.service: Cannot store more fds than FileDescriptorStoreMax=1, closing remaining.');
  t.equal((await sys.ctl('start', 'none.service')).code, 0);
  const none = await waitJournal(sys, ['-u', 'none.service'], (out) => out.includes('Cannot store more fds'));
  t.match(none, 'none.service: Cannot store more fds than FileDescriptorStoreMax=0, closing remaining.');
  t.equal((await sys.props('none.service', 'NFileDescriptorStore')).NFileDescriptorStore, 0);
});

/** Whether PID 1 still holds the pipe the service reported (`pipe:[INODE]` among /proc/1/fd's links). */
async function pid1Holds(reportFile: string): Promise<boolean> {
  const pipe = (await sys.exec('cat', reportFile)).stdout.trim();
  const links = (await sys.exec('sh', '-c', 'for f in /proc/1/fd/*; do readlink "$f"; done')).stdout.split('\n');
  return pipe !== '' && links.includes(pipe);
}

t.test('a stored pipe whose writer closes is dropped and closed (FDPOLL), FDPOLL=0 keeps it', async (t) => {
  for (const unit of ['polled.service', 'unpolled.service']) {
    t.equal((await sys.ctl('start', unit)).code, 0);
    t.equal(await storeSize(unit, 1), 1, `${unit}: the read end is stored`);
  }
  t.ok(await pid1Holds('/run/polled.report'), 'PID 1 holds the stored read end');
  for (const unit of ['polled.service', 'unpolled.service']) t.equal((await sys.ctl('kill', '-s', 'USR1', unit)).code, 0);
  t.equal(await storeSize('polled.service', 0), 0, 'EPOLLHUP removed it from the store');
  t.notOk(await pid1Holds('/run/polled.report'), 'and PID 1 closed it');
  t.equal(await storeSize('unpolled.service', 1), 1, 'FDPOLL=0: still stored after the hang-up');
  t.ok(await pid1Holds('/run/unpolled.report'), 'FDPOLL=0: PID 1 still holds it');
  for (const unit of ['polled.service', 'unpolled.service']) await sys.ctl('stop', unit);
});

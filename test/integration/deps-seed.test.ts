// The user's own view of start/stop ordering (seeds/001): phpadmin and mariadb,
// each scenario through `systemctl` against unitd as PID 1, following systemd
// where the seed's simplified model differs (README "Compatibility notes").

import t from 'tap';
import { boot, sleep, waitProps, type System } from './harness.js';

const simple = (name: string, unit = '', service = '') => `[Unit]
Description=${name}
${unit}
[Service]
ExecStart=/bin/sh -c 'echo ${name} >> /run/order; exec sleep 1000'
ExecStopPost=/bin/sh -c 'echo ${name} >> /run/stops'
${service}
`;

/** A database that takes a moment to be ready, so ordering shows. */
const slowDb = (name: string, unit = '') => `[Unit]
Description=${name}
${unit}
[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/sh -c 'sleep 0.3; echo ${name} >> /run/order'
ExecStopPost=/bin/sh -c 'echo ${name} >> /run/stops'
`;

const failing = (name: string) => `[Unit]
Description=${name}
[Service]
Type=oneshot
ExecStart=/bin/sh -c 'sleep 0.2; exit 1'
`;

const units: Record<string, string> = {
  'mariadb.service': slowDb('mariadb'),
  'phpadmin.service': simple('phpadmin', 'Requires=mariadb.service\nAfter=mariadb.service'),
  'mariadb-bad.service': failing('mariadb-bad'),
  'phpadmin-req-bad.service': simple('phpadmin-req-bad', 'Requires=mariadb-bad.service\nAfter=mariadb-bad.service'),
  'phpadmin-bind-bad.service': simple('phpadmin-bind-bad', 'BindsTo=mariadb-bad.service\nAfter=mariadb-bad.service'),
  'phpadmin-req-missing.service': simple('phpadmin-req-missing', 'Requires=mariadb-missing.service\nAfter=mariadb-missing.service'),
  'phpadmin-wants-bad.service': simple('phpadmin-wants-bad', 'Wants=mariadb-bad.service\nAfter=mariadb-bad.service'),
  'phpadmin-wants-missing.service': simple('phpadmin-wants-missing', 'Wants=mariadb-missing.service\nAfter=mariadb-missing.service'),
  'mariadb2.service': simple('mariadb2'),
  'phpadmin-requisite.service': simple('phpadmin-requisite', 'Requisite=mariadb2.service\nAfter=mariadb2.service'),
  'phpadmin5.service': simple('phpadmin5', 'Conflicts=phpadmin6.service'),
  'phpadmin6.service': simple('phpadmin6'),
  'db.service': simple('db'),
  'app.service': simple('app', 'Requires=db.service\nAfter=db.service'),
  'bound.service': simple('bound', 'BindsTo=db.service\nAfter=db.service'),
  'part.service': simple('part', 'PartOf=db.service\nAfter=db.service'),
  'db2.service': simple('db2'),
  'app2.service': simple('app2', 'Requires=db2.service\nAfter=db2.service'),
  'bound2.service': simple('bound2', 'BindsTo=db2.service\nAfter=db2.service'),
  'rel-a.service': simple('rel-a', 'PropagatesReloadTo=rel-b.service', "ExecReload=/bin/sh -c 'echo rel-a >> /run/reloads'"),
  'rel-b.service': simple('rel-b', '', "ExecReload=/bin/sh -c 'echo rel-b >> /run/reloads'"),
  'crash.service': `[Unit]\nOnFailure=handler.service\n[Service]\nType=oneshot\nExecStart=/bin/false\n`,
  'handler.service': `[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/sh -c 'echo handled >> /run/handled'\n`,
  'cond.service': `[Unit]\nDescription=Condition Demo\nConditionPathExists=/nonexistent/file\n[Service]\nExecStart=/bin/sleep 1000\n`,
  'assert.service': `[Unit]\nDescription=Assert Demo\nAssertPathExists=/nonexistent/file\n[Service]\nExecStart=/bin/sleep 1000\n`,
  'after-cond.service': simple('after-cond', 'Requires=cond.service\nAfter=cond.service'),
  'slowjob.service': `[Service]\nType=oneshot\nExecStart=/bin/sleep 30\n`,
};

let sys: System;
t.before(async () => {
  sys = await boot({ units, bootTimeoutMs: 30000 });
});
t.teardown(async () => {
  await sys?.stop();
});

const lines = async (file: string) => (await sys.exec('cat', file)).stdout.trim().split('\n').filter(Boolean);
const state = async (unit: string) => (await sys.ctl('is-active', unit)).stdout.trim();

t.test('Requires+After: starting phpadmin starts mariadb first', async (t) => {
  const r = await sys.ctl('start', 'phpadmin.service');
  t.equal(r.code, 0, r.stderr);
  t.equal(await state('mariadb.service'), 'active');
  t.equal(await state('phpadmin.service'), 'active');
  const order = await lines('/run/order');
  t.ok(order.indexOf('mariadb') >= 0 && order.indexOf('mariadb') < order.indexOf('phpadmin'), `order: ${order.join(' ')}`);
});

t.test('Requires+After (and BindsTo+After): phpadmin fails with "dependency" when mariadb fails', async (t) => {
  for (const unit of ['phpadmin-req-bad.service', 'phpadmin-bind-bad.service']) {
    const r = await sys.ctl('start', unit);
    t.equal(r.code, 1);
    t.match(r.stderr, `A dependency job for ${unit} failed. See 'journalctl -xe' for details.`);
    t.equal(await state(unit), 'inactive');
  }
  t.ok(await sys.waitConsole((c) => c.includes('[DEPEND] Dependency failed for phpadmin-req-bad.service - phpadmin-req-bad.')));
  t.match(sys.console(), '[FAILED] Failed to start mariadb-bad.service - mariadb-bad.');
  await sys.ctl('reset-failed');
});

t.test('Requires on a missing unit refuses the start', async (t) => {
  const r = await sys.ctl('start', 'phpadmin-req-missing.service');
  t.equal(r.code, 5);
  t.match(r.stderr, 'Failed to start phpadmin-req-missing.service: Unit mariadb-missing.service not found.');
});

t.test('Wants: phpadmin starts anyway when mariadb fails or is missing', async (t) => {
  const r = await sys.ctl('start', 'phpadmin-wants-bad.service');
  t.equal(r.code, 0, r.stderr);
  t.equal(await state('phpadmin-wants-bad.service'), 'active');
  t.equal(await state('mariadb-bad.service'), 'failed', 'the wanted unit was started (and failed)');
  const m = await sys.ctl('start', 'phpadmin-wants-missing.service');
  t.equal(m.code, 0, m.stderr);
  t.equal(await state('phpadmin-wants-missing.service'), 'active');
  await sys.ctl('reset-failed');
});

t.test('Requisite: fails at once when mariadb is inactive, and does not start it', async (t) => {
  const r = await sys.ctl('start', 'phpadmin-requisite.service');
  t.equal(r.code, 1);
  t.match(r.stderr, "A dependency job for phpadmin-requisite.service failed. See 'journalctl -xe' for details.");
  t.equal(await state('mariadb2.service'), 'inactive');
  t.equal((await sys.ctl('start', 'mariadb2.service')).code, 0);
  t.equal((await sys.ctl('start', 'phpadmin-requisite.service')).code, 0);
  t.equal(await state('phpadmin-requisite.service'), 'active');
});

t.test('Conflicts: starting one side stops the other, both ways', async (t) => {
  await sys.ctl('start', 'phpadmin6.service');
  t.equal((await sys.ctl('start', 'phpadmin5.service')).code, 0);
  t.equal(await state('phpadmin6.service'), 'inactive');
  t.equal((await sys.ctl('start', 'phpadmin6.service')).code, 0);
  t.equal(await state('phpadmin5.service'), 'inactive');
  t.equal(await state('phpadmin6.service'), 'active');
});

t.test('stopping mariadb stops its Requires/BindsTo/PartOf dependents, dependents first', async (t) => {
  for (const u of ['app', 'bound', 'part']) t.equal((await sys.ctl('start', `${u}.service`)).code, 0);
  t.equal(await state('db.service'), 'active');
  await sys.exec('rm', '-f', '/run/stops');
  t.equal((await sys.ctl('stop', 'db.service')).code, 0);
  for (const u of ['app', 'bound', 'part', 'db']) t.equal(await state(`${u}.service`), 'inactive', u);
  const stops = await lines('/run/stops');
  t.equal(stops[stops.length - 1], 'db', `db stops last: ${stops.join(' ')}`);
  t.same([...stops].sort(), ['app', 'bound', 'db', 'part']);
});

t.test('mariadb dying on its own stops BindsTo dependents, not Requires ones (systemd, not the seed)', async (t) => {
  t.equal((await sys.ctl('start', 'app2.service', 'bound2.service')).code, 0);
  t.equal((await sys.ctl('kill', 'db2.service')).code, 0);
  await waitProps(sys, 'bound2.service', ['ActiveState'], (p) => p.ActiveState === 'inactive', 5000);
  t.equal(await state('bound2.service'), 'inactive');
  t.equal(await state('app2.service'), 'active');
  await sys.ctl('stop', 'app2.service');
});

t.test('restarting mariadb restarts PartOf dependents', async (t) => {
  await sys.ctl('start', 'part.service');
  const before = (await sys.props('part.service', 'MainPID')).MainPID;
  t.equal((await sys.ctl('restart', 'db.service')).code, 0);
  const after = await waitProps(sys, 'part.service', ['MainPID', 'ActiveState'], (p) => p.ActiveState === 'active' && p.MainPID !== before);
  t.not(after.MainPID, before);
  t.equal(after.ActiveState, 'active');
});

t.test('PropagatesReloadTo: reloading one side reloads the other', async (t) => {
  await sys.ctl('start', 'rel-a.service', 'rel-b.service');
  t.equal((await sys.ctl('reload', 'rel-a.service')).code, 0);
  await sleep(300);
  t.same((await lines('/run/reloads')).sort(), ['rel-a', 'rel-b']);
});

t.test('OnFailure= starts the handler when the unit fails', async (t) => {
  t.equal((await sys.ctl('start', 'crash.service')).code, 1);
  const p = await waitProps(sys, 'handler.service', ['ActiveState'], (p) => p.ActiveState === 'active');
  t.equal(p.ActiveState, 'active');
  t.same(await lines('/run/handled'), ['handled']);
  await sys.ctl('reset-failed');
});

t.test('a failed condition skips the unit (rc 0, inactive, ConditionResult=no) and dependents still start', async (t) => {
  const r = await sys.ctl('start', 'cond.service');
  t.equal(r.code, 0, r.stderr);
  t.match(await sys.props('cond.service', 'ActiveState', 'ConditionResult'), { ActiveState: 'inactive', ConditionResult: false });
  t.ok(await sys.waitConsole((c) => c.includes('cond.service - Condition Demo was skipped because of an unmet condition check (ConditionPathExists=/nonexistent/file).')));
  t.equal((await sys.ctl('start', 'after-cond.service')).code, 0);
  t.equal(await state('after-cond.service'), 'active');
});

t.test('a failed assert fails the job with "assert"', async (t) => {
  const r = await sys.ctl('start', 'assert.service');
  t.equal(r.code, 1);
  t.match(r.stderr, 'Assertion failed on job for assert.service.');
  t.match(await sys.props('assert.service', 'ActiveState', 'AssertResult'), { ActiveState: 'inactive', AssertResult: false });
});

t.test('list-jobs shows a running job; cancel ends it', async (t) => {
  t.equal((await sys.ctl('start', '--no-block', 'slowjob.service')).code, 0);
  const jobs = await sys.ctl('list-jobs');
  t.match(jobs.stdout, /slowjob\.service\s+start\s+running/);
  t.match(jobs.stdout, /1 jobs listed\./);
  t.equal((await sys.ctl('cancel')).code, 0);
  t.match((await sys.ctl('list-jobs')).stdout, 'No jobs running.');
  await sys.ctl('stop', 'slowjob.service');
});

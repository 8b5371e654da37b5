// What a service process gets (environment, credentials, directories, limits,
// stdio), Requires=/Wants= pulled in by start, daemon-reload, and the daemon
// stopping everything on SIGTERM.

import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { boot, waitProps, type System } from './harness.js';

const units: Record<string, string> = {
  'env.service': `[Service]
Type=oneshot
RemainAfterExit=yes
Environment=GREETING=hello "SPACED=a b"
EnvironmentFile=-/etc/systemd/system/env.conf
EnvironmentFile=-/nonexistent.env
PassEnvironment=LANG
UnsetEnvironment=DROPME
ExecStart=/bin/sh -c 'env | sort > /run/env.out'
`,
  'env.conf': 'FROM_FILE=yes\nDROPME=1\n',
  'creds.service': `[Service]
User=nobody
Group=nogroup
RuntimeDirectory=credtest
RuntimeDirectoryMode=0700
UMask=0077
WorkingDirectory=/tmp
LimitNOFILE=4096:8192
StandardOutput=file:/run/creds.out
ExecStart=/bin/sh -c 'id -u; id -g; umask; pwd; ulimit -Sn; ulimit -Hn; echo "$RUNTIME_DIRECTORY"; echo $USER $HOME; exec sleep 1000'
`,
  'prefix.service': `[Service]
Type=oneshot
User=nobody
Environment=WORD=expanded
ExecStart=+/bin/sh -c 'id -u > /run/prefix.plus'
ExecStart=-/bin/false
ExecStart=:/bin/sh -c 'echo "$1" > /run/prefix.colon' sh $WORD
ExecStart=@/bin/sh mysh -c 'echo $0 > /run/prefix.at'
ExecStart=/bin/echo $WORD
`,
  'app.service': `[Unit]
Requires=db.service
Wants=cache.service
After=db.service cache.service
[Service]
ExecStartPre=/bin/sh -c 'test -e /run/db.ready'
ExecStart=/bin/sleep 1000
`,
  'db.service': `[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/sh -c 'sleep 0.3; touch /run/db.ready'
`,
  'cache.service': `[Service]
ExecStart=/bin/sleep 1000
`,
  'needsmissing.service': `[Unit]
Requires=missing.service
[Service]
ExecStart=/bin/sleep 1000
`,
  'reloadme.service': `[Unit]
Description=Before reload
[Service]
ExecStart=/bin/sleep 1000
`,
  'sandbox.service': `[Service]
PrivateTmp=yes
ProtectSystem=strict
ExecStart=/bin/sleep 1000
`,
  'cond.service': `[Service]
ExecCondition=/bin/sh -c 'exit 1'
ExecStart=/bin/sleep 1000
`,
  'prefail.service': `[Service]
ExecStartPre=/bin/false
ExecStart=/bin/sleep 1000
ExecStop=/bin/touch /run/prefail.stop
ExecStopPost=/bin/touch /run/prefail.stoppost
`,
};

let sys: System;
t.before(async () => {
  sys = await boot({ units, enable: ['cache.service'] });
});
t.teardown(async () => {
  await sys?.stop();
});

t.test('environment: clean block, Environment=, EnvironmentFile=, PassEnvironment=, UnsetEnvironment=', async (t) => {
  t.equal((await sys.ctl('start', 'env.service')).code, 0);
  const env = (await sys.exec('cat', '/run/env.out')).stdout;
  t.match(env, /^GREETING=hello$/m);
  t.match(env, /^SPACED=a b$/m);
  t.match(env, /^FROM_FILE=yes$/m);
  t.match(env, /^LANG=C.UTF-8$/m);
  t.match(env, /^PATH=\/usr\/local\/sbin:\/usr\/local\/bin:\/usr\/sbin:\/usr\/bin:\/sbin:\/bin$/m);
  t.match(env, /^INVOCATION_ID=[0-9a-f]{32}$/m);
  t.notMatch(env, /^DROPME=/m);
  t.notMatch(env, /^SYSTEMD_UNIT_PATH=/m, 'the daemon environment does not leak');
  const id = (await sys.props('env.service', 'InvocationID')).InvocationID as string;
  t.match(env, new RegExp(`^INVOCATION_ID=${id}$`, 'm'));
});

t.test('credentials, directories, umask, limits, working directory, file: output', async (t) => {
  t.equal((await sys.ctl('start', 'creds.service')).code, 0);
  const ls = await sys.exec('stat', '-c', '%a %U', '/run/credtest');
  t.equal(ls.stdout.trim(), '700 nobody', 'RuntimeDirectory= created, owned by User=, RuntimeDirectoryMode=');
  await waitProps(sys, 'creds.service', ['ActiveState'], () => true, 100);
  let out = '';
  for (let i = 0; i < 50 && out.split('\n').length < 9; i++) {
    out = (await sys.exec('cat', '/run/creds.out')).stdout;
    await new Promise((r) => setTimeout(r, 50));
  }
  const nobody = (await sys.exec('id', '-u', 'nobody')).stdout.trim();
  t.same(out.trim().split('\n'), [nobody, (await sys.exec('getent', 'group', 'nogroup')).stdout.split(':')[2], '0077', '/tmp', '4096', '8192', '/run/credtest', 'nobody /nonexistent']);
  t.equal((await sys.ctl('stop', 'creds.service')).code, 0);
  t.equal((await sys.exec('sh', '-c', 'test -d /run/credtest && echo kept || echo removed')).stdout.trim(), 'removed');
});

t.test('command prefixes: + ignores User=, - ignores failure, : no expansion, @ sets argv[0]', async (t) => {
  const r = await sys.ctl('start', 'prefix.service');
  t.equal(r.code, 0, r.stderr);
  t.equal((await sys.exec('cat', '/run/prefix.plus')).stdout.trim(), '0');
  t.equal((await sys.exec('cat', '/run/prefix.colon')).stdout.trim(), '$WORD', 'no expansion with ":"');
  t.equal((await sys.exec('cat', '/run/prefix.at')).stdout.trim(), 'mysh');
  const log = (await (await sys.api()).unitLog('prefix.service', 50)).map((l) => l.message);
  t.ok(log.includes('expanded'), 'echo $WORD printed the expanded value into the journal');
});

t.test('start pulls in Requires=/Wants= and waits for those it is After=', async (t) => {
  const r = await sys.ctl('start', 'app.service');
  t.equal(r.code, 0, r.stderr);
  t.match(await sys.props('db.service', 'ActiveState', 'SubState'), { ActiveState: 'active', SubState: 'exited' });
  t.match(await sys.props('cache.service', 'ActiveState'), { ActiveState: 'active' });
  const missing = await sys.ctl('start', 'needsmissing.service');
  t.not(missing.code, 0);
  t.match(missing.stderr, /missing.service/);
});

t.test('enabled units start at boot', async (t) => {
  t.match(sys.console(), /Started cache.service/);
});

t.test('daemon-reload picks up a changed unit file', async (t) => {
  t.equal((await sys.ctl('start', 'reloadme.service')).code, 0);
  writeFileSync(join(sys.unitDir, 'reloadme.service'), '[Unit]\nDescription=After reload\n[Service]\nExecStart=/bin/sleep 1001\n');
  t.equal((await sys.ctl('daemon-reload')).code, 0);
  t.match(await sys.props('reloadme.service', 'Description', 'ActiveState'), { Description: 'After reload', ActiveState: 'active' });
  t.equal((await sys.ctl('restart', 'reloadme.service')).code, 0);
  const main = (await sys.props('reloadme.service', 'MainPID')).MainPID;
  t.match((await sys.exec('cat', `/proc/${main}/cmdline`)).stdout, /1001/);
});

t.test('sandboxing settings are not applied, logged once, and never fail the unit', async (t) => {
  t.equal((await sys.ctl('start', 'sandbox.service')).code, 0);
  t.match(await sys.props('sandbox.service', 'ActiveState'), { ActiveState: 'active' });
  const log = (await (await sys.api()).unitLog('sandbox.service', 50)).map((l) => l.message).join('\n');
  t.match(log, /not applied in a container: .*PrivateTmp/);
});

t.test('ExecCondition= exiting 1 skips the unit: start succeeds, unit inactive', async (t) => {
  const r = await sys.ctl('start', 'cond.service');
  t.equal(r.code, 0);
  t.match(await sys.props('cond.service', 'ActiveState', 'SubState'), { ActiveState: 'inactive', SubState: 'dead' });
});

t.test('a failing ExecStartPre= skips ExecStop= but runs ExecStopPost=', async (t) => {
  const r = await sys.ctl('start', 'prefail.service');
  t.equal(r.code, 1);
  t.match(await sys.props('prefail.service', 'ActiveState', 'Result'), { ActiveState: 'failed', Result: 'exit-code' });
  t.equal((await sys.exec('sh', '-c', 'ls /run/prefail.* | sort')).stdout.trim(), '/run/prefail.stoppost');
});

t.test('SIGTERM to PID 1 stops every service and exits 0', async (t) => {
  const result = await sys.stop();
  t.equal(result.code, 0);
  t.match(sys.console(), /Stopped cache.service/);
  t.match(sys.console(), /Stopped app.service/);
});

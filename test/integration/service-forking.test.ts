// Type=forking: PIDFile= written late, never written, GuessMainPID=.

import t from 'tap';
import { boot, NOTIFIER, type System } from './harness.js';

const py = `/usr/bin/python3 ${NOTIFIER}`;
const units: Record<string, string> = {
  'slowpid.service': `[Service]
Type=forking
PIDFile=/run/slowpid.pid
ExecStart=/bin/sh -c '${py} sleep:0.6 pidfile:/run/slowpid.pid sleep:1000 &'
`,
  'nopid.service': `[Service]
Type=forking
PIDFile=/run/nothere.pid
ExecStart=/bin/true
`,
  'neverpid.service': `[Service]
Type=forking
PIDFile=/run/never.pid
TimeoutStartSec=1
ExecStart=/bin/sh -c 'sleep 1000 &'
`,
  'guess.service': `[Service]
Type=forking
ExecStart=/bin/sh -c 'sleep 1000 &'
`,
  'parentfails.service': `[Service]
Type=forking
ExecStart=/bin/sh -c 'exit 4'
`,
};

let sys: System;
t.before(async () => {
  sys = await boot({ units });
});
t.teardown(async () => {
  await sys?.stop();
});

t.test('a PID file that appears 0.6 s after the parent exits is waited for', async (t) => {
  const began = Date.now();
  const r = await sys.ctl('start', 'slowpid.service');
  const took = Date.now() - began;
  t.equal(r.code, 0, r.stderr);
  t.ok(took >= 500, `start waited for the PID file (${took} ms)`);
  const p = await sys.props('slowpid.service', 'ActiveState', 'SubState', 'MainPID', 'PIDFile');
  t.match(p, { ActiveState: 'active', SubState: 'running', PIDFile: '/run/slowpid.pid' });
  const written = (await sys.exec('cat', '/run/slowpid.pid')).stdout.trim();
  t.equal(String(p.MainPID), written, 'MainPID is the pid from the file');
  t.equal((await sys.ctl('stop', 'slowpid.service')).code, 0);
  t.equal((await sys.exec('sh', '-c', 'test -e /run/slowpid.pid && echo present || echo gone')).stdout.trim(), 'gone');
});

t.test('no PID file and nothing left running: Result=protocol', async (t) => {
  const r = await sys.ctl('start', 'nopid.service');
  t.equal(r.code, 1);
  t.match(await sys.props('nopid.service', 'ActiveState', 'Result'), { ActiveState: 'failed', Result: 'protocol' });
  t.match(sys.console(), /nopid.service: Can't open PID file \/run\/nothere.pid \(yet\?\) after start: No such file or directory/);
});

t.test('a PID file that never comes: start timeout, leftovers killed', async (t) => {
  const r = await sys.ctl('start', 'neverpid.service');
  t.equal(r.code, 1);
  t.match(r.stderr, /timeout/);
  t.match(await sys.props('neverpid.service', 'ActiveState', 'Result'), { ActiveState: 'failed', Result: 'timeout' });
  const left = await sys.exec('sh', '-c', 'grep -l UNITD_UNIT=neverpid.service /proc/[0-9]*/environ 2>/dev/null | wc -l');
  t.equal(left.stdout.trim(), '0', 'no process of the unit is left');
});

t.test('GuessMainPID= picks the only process left', async (t) => {
  t.equal((await sys.ctl('start', 'guess.service')).code, 0);
  const p = await sys.props('guess.service', 'ActiveState', 'MainPID');
  t.equal(p.ActiveState, 'active');
  const comm = await sys.exec('cat', `/proc/${p.MainPID}/comm`);
  t.equal(comm.stdout.trim(), 'sleep');
  t.equal((await sys.ctl('stop', 'guess.service')).code, 0);
});

t.test('the forking parent failing fails the start', async (t) => {
  const r = await sys.ctl('start', 'parentfails.service');
  t.equal(r.code, 1);
  t.match(r.stderr, /control process exited with error code/);
  t.match(await sys.props('parentfails.service', 'ActiveState', 'Result'), { ActiveState: 'failed', Result: 'exit-code' });
});

// Stopping and killing: double-forked daemons are found without cgroups,
// KillMode=, SIGKILL after TimeoutStopSec=, `systemctl kill`, stop-time variables.

import t from 'tap';
import { boot, NOTIFIER, waitProps, sleep, type System } from './harness.js';
import { freeTcpPorts } from '../ports.js';

const py = `/usr/bin/python3 ${NOTIFIER}`;
const [port, forkPort] = await freeTcpPorts(2);

const units: Record<string, string> = {
  'daemon.service': `[Unit]
Description=Double-forking daemon
[Service]
ExecStart=/bin/sh -c '${py} daemon:${port}; exec sleep 1000'
`,
  'forkdaemon.service': `[Service]
Type=forking
ExecStart=${py} daemon:${forkPort}
`,
  'process.service': `[Service]
KillMode=process
ExecStart=/bin/sh -c 'sleep 1001 & exec sleep 1000'
`,
  'mixed.service': `[Service]
KillMode=mixed
ExecStart=/bin/sh -c 'trap "" TERM; sleep 1002 & while :; do sleep 0.1; done'
TimeoutStopSec=5
`,
  'stubborn.service': `[Service]
ExecStart=/bin/sh -c 'trap "" TERM; while :; do sleep 0.1; done'
TimeoutStopSec=1
`,
  'victim.service': `[Service]
ExecStart=/bin/sleep 1000
`,
  'env.service': `[Service]
ExecStart=/bin/sleep 1000
ExecStop=/bin/sh -c 'echo "MAINPID=$MAINPID SR=$SERVICE_RESULT EC=$EXIT_CODE ES=$EXIT_STATUS" > /run/env.stop'
ExecStopPost=/bin/sh -c 'echo "SR=$SERVICE_RESULT EC=$EXIT_CODE ES=$EXIT_STATUS" > /run/env.stoppost'
`,
  'fail3.service': `[Service]
ExecStart=/bin/sh -c 'exit 3'
ExecStopPost=/bin/sh -c 'echo "SR=$SERVICE_RESULT EC=$EXIT_CODE ES=$EXIT_STATUS" > /run/fail3.stoppost'
`,
};

let sys: System;
t.before(async () => {
  sys = await boot({ units });
});
t.teardown(async () => {
  await sys?.stop();
});

const unitProcs = async (unit: string) =>
  Number((await sys.exec('sh', '-c', `grep -l UNITD_UNIT=${unit} /proc/[0-9]*/environ 2>/dev/null | wc -l`)).stdout.trim());

const listening = async (p: number) =>
  (await sys.exec('/usr/bin/python3', '-c', `import socket; s=socket.socket(); s.connect(('127.0.0.1', ${p})); print('open')`)).stdout.trim() === 'open';

async function waitListening(p: number): Promise<boolean> {
  for (let i = 0; i < 50; i++) {
    if (await listening(p)) return true;
    await sleep(100);
  }
  return false;
}

t.test('a double-forked grandchild holding a port is stopped with its service', async (t) => {
  t.equal((await sys.ctl('start', 'daemon.service')).code, 0);
  t.ok(await waitListening(port), 'the grandchild listens');
  const status = await sys.ctl('status', 'daemon.service');
  t.match(status.stdout, /python3/, 'status lists the reparented grandchild');
  t.ok((await unitProcs('daemon.service')) >= 2);
  t.equal((await sys.ctl('stop', 'daemon.service')).code, 0);
  t.equal(await unitProcs('daemon.service'), 0, 'no process of the unit is alive after stop');
  t.notOk(await listening(port), 'the port is free');
});

t.test('Type=forking daemon: GuessMainPID finds the grandchild, stop kills it', async (t) => {
  t.equal((await sys.ctl('start', 'forkdaemon.service')).code, 0);
  t.ok(await waitListening(forkPort));
  const p = await sys.props('forkdaemon.service', 'MainPID', 'ActiveState');
  t.equal(p.ActiveState, 'active');
  t.ok((p.MainPID as number) > 1);
  t.equal((await sys.ctl('stop', 'forkdaemon.service')).code, 0);
  t.equal(await unitProcs('forkdaemon.service'), 0);
  t.notOk(await listening(forkPort));
});

t.test('KillMode=process stops only the main process', async (t) => {
  t.equal((await sys.ctl('start', 'process.service')).code, 0);
  t.equal((await sys.ctl('stop', 'process.service')).code, 0);
  t.equal(await unitProcs('process.service'), 1, 'the extra process survives, as in systemd');
  await sys.exec('sh', '-c', 'for f in /proc/[0-9]*/environ; do grep -q UNITD_UNIT=process.service $f 2>/dev/null && kill -9 $(basename $(dirname $f)); done');
});

t.test('KillMode=mixed: SIGTERM to the main process, SIGKILL to the rest once it is gone', async (t) => {
  t.equal((await sys.ctl('start', 'mixed.service')).code, 0);
  await sys.ctl('kill', '-s', 'SIGKILL', '--kill-whom=main', 'mixed.service');
  const down = await waitProps(sys, 'mixed.service', ['ActiveState'], (p) => p.ActiveState === 'failed' || p.ActiveState === 'inactive', 10000);
  t.ok(down.ActiveState === 'failed' || down.ActiveState === 'inactive', 'the unit went down once its main process was gone');
  t.equal(await unitProcs('mixed.service'), 0, 'leftovers got SIGKILL');
  t.match(await sys.props('mixed.service', 'Result', 'ExecMainCode', 'ExecMainStatus'), { Result: 'signal', ExecMainCode: 2, ExecMainStatus: 9 });
});

t.test('a process ignoring SIGTERM gets SIGKILL after TimeoutStopSec=, Result=timeout', async (t) => {
  t.equal((await sys.ctl('start', 'stubborn.service')).code, 0);
  const began = Date.now();
  const r = await sys.ctl('stop', 'stubborn.service');
  const took = Date.now() - began;
  t.equal(r.code, 0);
  t.ok(took >= 900, `stop waited for TimeoutStopSec= (${took} ms)`);
  t.match(await sys.props('stubborn.service', 'ActiveState', 'Result', 'ExecMainCode', 'ExecMainStatus'), {
    ActiveState: 'failed',
    Result: 'timeout',
    ExecMainCode: 2,
    ExecMainStatus: 9,
  });
  t.match(sys.console(), /stubborn.service: State 'stop-sigterm' timed out\. Killing\./);
});

t.test('systemctl kill sends the signal; the exit then counts like any other', async (t) => {
  t.equal((await sys.ctl('start', 'victim.service')).code, 0);
  const k = await sys.ctl('kill', '-s', 'SIGKILL', 'victim.service');
  t.equal(k.code, 0, k.stderr);
  const p = await waitProps(sys, 'victim.service', ['ActiveState', 'Result', 'ExecMainStatus'], (p) => p.ActiveState === 'failed', 3000);
  t.match(p, { ActiveState: 'failed', Result: 'signal', ExecMainStatus: 9 });
});

t.test('ExecStop= and ExecStopPost= see MAINPID, SERVICE_RESULT, EXIT_CODE, EXIT_STATUS', async (t) => {
  t.equal((await sys.ctl('start', 'env.service')).code, 0);
  const main = (await sys.props('env.service', 'MainPID')).MainPID;
  t.equal((await sys.ctl('stop', 'env.service')).code, 0);
  t.equal((await sys.exec('cat', '/run/env.stop')).stdout.trim(), `MAINPID=${main} SR=success EC= ES=`);
  t.equal((await sys.exec('cat', '/run/env.stoppost')).stdout.trim(), 'SR=success EC=killed ES=TERM');
  t.equal((await sys.ctl('start', 'fail3.service')).code, 0);
  await waitProps(sys, 'fail3.service', ['ActiveState'], (p) => p.ActiveState === 'failed', 3000);
  t.equal((await sys.exec('cat', '/run/fail3.stoppost')).stdout.trim(), 'SR=exit-code EC=exited ES=3');
});

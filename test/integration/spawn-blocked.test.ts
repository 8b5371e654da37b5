// A service's child that blocks before exec (StandardInput=file: on a FIFO with no writer,
// which systemd's child waits in open() for) must not hold PID 1: systemctl is answered,
// other services start and their exits are reaped; once a writer comes the service runs.

import t from 'tap';
import { boot, waitProps } from './harness.js';

t.test('a child blocked before exec holds neither PID 1 nor other units', async (t) => {
  const sys = await boot({
    setup: 'mkfifo /run/input.fifo',
    units: {
      'blocked.service': `[Service]
Type=exec
StandardInput=file:/run/input.fifo
StandardOutput=journal
ExecStart=/bin/sh -c 'read line; echo "got $line" > /run/got; exec sleep 1000'
`,
      'other.service': '[Service]\nExecStart=/bin/sleep 1000\n',
      'once.service': '[Service]\nType=oneshot\nExecStart=/bin/sh -c "echo done > /run/once"\n',
    },
  });
  t.teardown(() => sys.stop());

  t.equal((await sys.ctl('start', '--no-block', 'blocked.service')).code, 0);
  t.equal((await sys.ctl('is-active', 'other.service')).stdout.trim(), 'inactive', 'PID 1 answers while the child waits for a writer');
  t.equal((await sys.ctl('start', 'other.service')).code, 0, 'another service starts');
  t.equal((await sys.ctl('is-active', 'other.service')).stdout.trim(), 'active');
  // A oneshot's start job completes only once its process has been reaped.
  const once = await sys.ctl('start', 'once.service');
  t.equal(once.code, 0, `a oneshot runs to its end meanwhile ${once.stderr}`);
  t.equal((await sys.exec('cat', '/run/once')).stdout.trim(), 'done');
  t.same(await sys.props('blocked.service', 'ActiveState', 'SubState'), { ActiveState: 'activating', SubState: 'start' }, 'Type=exec: not started before execve');

  // A writer: the child's open() returns, it execs and reads the line.
  t.equal((await sys.exec('sh', '-c', 'echo hello > /run/input.fifo')).code, 0);
  const state = await waitProps(sys, 'blocked.service', ['ActiveState', 'SubState'], (p) => p.ActiveState === 'active', 20_000);
  t.same(state, { ActiveState: 'active', SubState: 'running' });
  const got = await waitProps(sys, 'blocked.service', ['MainPID'], () => true);
  t.ok(Number(got.MainPID) > 0, 'its main pid is known');
  let line = '';
  for (let i = 0; i < 100 && line === ''; i++) {
    line = (await sys.exec('cat', '/run/got')).stdout.trim();
    if (line === '') await new Promise((r) => setTimeout(r, 50));
  }
  t.equal(line, 'got hello', 'the service read what the writer sent');
  t.equal((await sys.ctl('stop', 'blocked.service')).code, 0);
});

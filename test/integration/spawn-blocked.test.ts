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

// systemd's forked child is in the unit's cgroup from fork() on: a stop or kill signals it at
// once, though it has not exec'd yet (systemd 252: inactive, Result=success, as a SIGTERM is a
// clean exit). Notify fds a sender passed while the unit waited for that pid are closed however
// the spawn ends: PID 1 holds no more fds after the sequence than before it.
t.test('a stop or kill reaches a child blocked before exec; held notify fds are closed', async (t) => {
  const blocked = (fifo: string, type = 'exec') => `[Service]\nType=${type}\nStandardInput=file:${fifo}\nExecStart=/bin/sleep 1000\n`;
  const sys = await boot({
    setup: 'mkfifo /run/stop.fifo /run/kill.fifo /run/notify.fifo',
    units: { 'stopme.service': blocked('/run/stop.fifo'), 'killme.service': blocked('/run/kill.fifo'), 'held.service': blocked('/run/notify.fifo', 'notify') },
  });
  t.teardown(() => sys.stop());
  const fds = async () => (await sys.exec('ls', '/proc/1/fd')).stdout.split('\n').filter((l) => l !== '').length;
  const known = (unit: string) => waitProps(sys, unit, ['MainPID', 'SubState'], (p) => Number(p.MainPID) > 0, 10_000);

  for (const unit of ['stopme.service', 'killme.service']) {
    t.equal((await sys.ctl('start', '--no-block', unit)).code, 0);
    t.same(await known(unit), { MainPID: (await sys.props(unit, 'MainPID')).MainPID, SubState: 'start' }, `${unit}: its child's pid is known before exec`);
  }
  const stop = await sys.ctl('stop', 'stopme.service');
  t.equal(stop.code, 0, `the stop ends at once: the blocked child dies by SIGTERM ${stop.stderr}`);
  t.same(await sys.props('stopme.service', 'ActiveState', 'Result'), { ActiveState: 'inactive', Result: 'success' });
  t.equal((await sys.ctl('kill', 'killme.service')).code, 0);
  const killed = await waitProps(sys, 'killme.service', ['ActiveState', 'Result'], (p) => p.ActiveState === 'inactive', 10_000);
  t.same(killed, { ActiveState: 'inactive', Result: 'success' }, 'systemctl kill reaches it too (SIGTERM: a clean exit)');

  // Type=notify (NotifyAccess=main): a message with fds from another process while the main
  // pid is not handed over yet is held, then refused, and its fds closed.
  const before = await fds();
  t.equal((await sys.ctl('start', '--no-block', 'held.service')).code, 0);
  await known('held.service');
  const socketPath = String((await sys.props('held.service', 'NotifySocket')).NotifySocket);
  t.not(socketPath, '', 'the notify socket is bound');
  const send = `import os, socket
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.connect(${JSON.stringify(socketPath)})
for i in range(3):
    r, w = os.pipe()
    socket.send_fds(s, [b'FDSTORE=1\\nFDNAME=x'], [r, w])
    print(os.fstat(r).st_ino)`;
  const sent = await sys.exec('python3', '-c', send);
  t.equal(sent.code, 0, sent.stderr);
  const pipes = sent.stdout.trim().split('\n').map((ino) => `pipe:[${ino}]`);
  t.equal((await sys.ctl('stop', 'held.service')).code, 0);
  t.equal((await sys.props('held.service', 'NFileDescriptorStore')).NFileDescriptorStore, 0, 'nothing was stored from a refused sender');
  let after = await fds();
  for (let i = 0; i < 100 && after > before; i++) {
    await new Promise((r) => setTimeout(r, 50));
    after = await fds();
  }
  const links = (await sys.exec('sh', '-c', 'for f in /proc/1/fd/*; do readlink "$f"; done')).stdout.split('\n');
  t.same(pipes.filter((p) => links.includes(p)), [], 'PID 1 holds none of the pipes passed');
  t.ok(after <= before, `PID 1's fds: ${before} before, ${after} after`);
});

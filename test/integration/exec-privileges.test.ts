// Capabilities, secure bits and scheduling applied by unitd as PID 1, read by the service
// itself from /proc/self/status, chrt and ionice (systemd.exec(5) "Security", "Scheduling").
import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { boot, waitJournal, waitProps } from './harness.js';
import { bootOracle, oracleUnavailable } from './oracle.js';

const PYTHON = '/usr/bin/python3';
// Binds a privileged port (80 on loopback; the namespace shares the host's network), then shows its capabilities.
const BIND = `${PYTHON} -c "import socket; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', 80)); print('bound port 80'); print(open('/proc/self/status').read())"`;
/** This process's bounding set: unitd (started from here) has the same, a container's may lack some. */
const ownBoundingSet = (): bigint => BigInt(`0x${/^CapBnd:\s+(\w+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '0'}`);
const hex = (mask: bigint): string => mask.toString(16).padStart(16, '0');
const capLine = (out: string, field: string): string | undefined => new RegExp(`^${field}:\\s+(\\w+)`, 'm').exec(out)?.[1];

t.test('CapabilityBoundingSet=, AmbientCapabilities= with User=nobody, SecureBits=, CPU and I/O scheduling reach the service', { timeout: 120_000, skip: existsSync(PYTHON) ? false : `no ${PYTHON} to bind a port with` }, async (t) => {
  const sys = await boot({
    units: {
      'bounded.service': '[Service]\nCapabilityBoundingSet=CAP_NET_BIND_SERVICE CAP_KILL\nExecStart=/bin/grep ^Cap /proc/self/status\n',
      'inverted.service': '[Service]\nCapabilityBoundingSet=~CAP_SYS_ADMIN\nCapabilityBoundingSet=~CAP_NET_RAW\nExecStart=/bin/grep ^CapBnd /proc/self/status\n',
      'web.service': `[Service]\nUser=nobody\nAmbientCapabilities=CAP_NET_BIND_SERVICE\nExecStart=${BIND}\n`,
      'plain-web.service': `[Service]\nUser=nobody\nExecStart=${BIND}\n`,
      'noroot.service': '[Service]\nSecureBits=noroot noroot-locked\nExecStart=/bin/grep ^CapEff /proc/self/status\n',
      'full.service': '[Service]\nCapabilityBoundingSet=\nExecStart=+/bin/grep ^CapBnd /proc/self/status\n',
      'sched.service': '[Service]\nCPUSchedulingPolicy=rr\nCPUSchedulingPriority=10\nCPUSchedulingResetOnFork=yes\nIOSchedulingClass=idle\nExecStart=/bin/sh -c \'chrt -p $$$$; ionice -p $$$$\'\n',
      'batch.service': '[Service]\nCPUSchedulingPolicy=batch\nIOSchedulingClass=best-effort\nIOSchedulingPriority=6\nNice=5\nExecStart=/bin/sh -c \'chrt -p $$$$; ionice -p $$$$; grep ^prio /proc/$$$$/sched\'\n',
    },
  });
  t.teardown(() => sys.stop());
  for (let i = 0; i < 100 && (await sys.ctl('is-system-running')).stdout === 'offline\n'; i++) await new Promise((r) => setTimeout(r, 100));
  const journal = (unit: string, marker: string): Promise<string> => waitJournal(sys, ['-u', unit, '-o', 'cat'], (o) => o.includes(marker), 20_000);

  await sys.ctl('start', 'bounded.service', 'inverted.service', 'noroot.service', 'full.service');
  const bounded = await journal('bounded.service', 'CapAmb');
  const kept = hex((1n << 10n) | (1n << 5n));
  t.equal(capLine(bounded, 'CapBnd'), kept, 'bounding set: exactly the two named');
  t.equal(capLine(bounded, 'CapEff'), kept, 'root keeps only those');
  const ownBounding = ownBoundingSet();
  t.equal(capLine(await journal('inverted.service', 'CapBnd'), 'CapBnd'), hex(ownBounding & ~(1n << 21n) & ~(1n << 13n)), '~ lines remove from the full set');
  t.equal(capLine(await journal('noroot.service', 'CapEff'), 'CapEff'), hex(0n), 'SecureBits=noroot: root gains nothing at execve');
  t.equal(capLine(await journal('full.service', 'CapBnd'), 'CapBnd'), hex(ownBounding), 'a + command keeps the whole bounding set');

  await sys.ctl('start', 'web.service');
  const web = await journal('web.service', 'CapAmb');
  t.match(web, /bound port 80/, 'nobody with CAP_NET_BIND_SERVICE binds port 80');
  t.match(web, /^Uid:\s+65534\s+65534\s+65534\s+65534$/m);
  for (const field of ['CapInh', 'CapPrm', 'CapEff', 'CapAmb']) t.equal(capLine(web, field), hex(1n << 10n), field);
  await sys.ctl('start', 'plain-web.service');
  t.match(await waitProps(sys, 'plain-web.service', ['ActiveState'], (p) => p.ActiveState === 'failed'), { ActiveState: 'failed' });
  t.match(await journal('plain-web.service', 'PermissionError'), /PermissionError/, 'without it nobody cannot');

  t.match(await sys.props('web.service', 'AmbientCapabilities', 'SecureBits'), { AmbientCapabilities: ['cap_net_bind_service'], SecureBits: '0' });
  t.match(await sys.props('bounded.service', 'CapabilityBoundingSet'), { CapabilityBoundingSet: ['cap_kill', 'cap_net_bind_service'] });
  t.match(await sys.props('noroot.service', 'SecureBits'), { SecureBits: '3' });

  await sys.ctl('start', 'sched.service', 'batch.service');
  const sched = await journal('sched.service', 'idle');
  t.match(sched, /scheduling policy: SCHED_RR\|SCHED_RESET_ON_FORK/);
  t.match(sched, /scheduling priority: 10/);
  t.match(sched, /^idle$/m);
  const batch = await journal('batch.service', 'prio');
  t.match(batch, /scheduling policy: SCHED_BATCH/);
  t.match(batch, /best-effort: prio 6/);
  t.match(batch, /^prio\s+:\s+125$/m, 'Nice=5 as well (kernel prio 120 + 5)');
  t.match(await sys.props('sched.service', 'CPUSchedulingPolicy', 'CPUSchedulingPriority', 'CPUSchedulingResetOnFork', 'IOSchedulingClass', 'IOSchedulingPriority'), {
    CPUSchedulingPolicy: '2', CPUSchedulingPriority: '10', CPUSchedulingResetOnFork: true, IOSchedulingClass: '3', IOSchedulingPriority: '4',
  });
});

t.test('the same units under systemd 252: equal capability sets, scheduling and `show` properties', { timeout: 120_000, skip: oracleUnavailable() ?? false }, async (t) => {
  const units = {
    'amb.service': '[Service]\nCapabilityBoundingSet=CAP_KILL CAP_NET_BIND_SERVICE\nAmbientCapabilities=CAP_NET_BIND_SERVICE\nUser=nobody\nSecureBits=noroot noroot-locked\nCPUSchedulingPolicy=rr\nCPUSchedulingPriority=10\nCPUSchedulingResetOnFork=yes\nIOSchedulingClass=idle\nExecStart=/bin/sh -c "grep ^Cap /proc/self/status; chrt -p $$$$; ionice -p $$$$; echo done"\n',
    'inv.service': '[Service]\nCapabilityBoundingSet=~CAP_SYS_ADMIN\nIOSchedulingPriority=6\nExecStart=/bin/sh -c "grep ^Cap /proc/self/status; ionice -p $$$$; echo done"\n',
    'fifo.service': '[Service]\nCPUSchedulingPolicy=fifo\nExecStart=/bin/sh -c "chrt -p $$$$; echo done"\n',
    'plain.service': '[Service]\nExecStart=/bin/sh -c "grep ^Cap /proc/self/status; chrt -p $$$$; ionice -p $$$$; echo done"\n',
  };
  const names = Object.keys(units);
  const properties = 'CapabilityBoundingSet,AmbientCapabilities,SecureBits,CPUSchedulingPolicy,CPUSchedulingPriority,CPUSchedulingResetOnFork,IOSchedulingClass,IOSchedulingPriority';
  // The process's own lines, pids masked; systemd's and unitd's own messages differ in wording elsewhere.
  const processLines = (out: string): string[] => out.split('\n').filter((l) => /^(Cap\w+:|pid \d+'s|idle$|best-effort|realtime|done$)/.test(l)).map((l) => l.replace(/^pid \d+/, 'pid N'));
  const sortedLines = (out: string): string[] => out.trim().split('\n').sort();

  const oracle = await bootOracle({ units });
  const expected: Record<string, { show: string[]; output: string[] }> = {};
  try {
    for (const name of names) {
      await oracle.ctl('start', name);
      let output: string[] = [];
      for (let i = 0; i < 100 && !output.includes('done'); i++) {
        await new Promise((r) => setTimeout(r, 100));
        output = processLines((await oracle.exec('journalctl', '-o', 'cat', '-u', name, '--no-pager')).stdout);
      }
      expected[name] = { show: sortedLines((await oracle.ctl('show', '-p', properties, name)).stdout), output };
    }
  } finally {
    await oracle.stop();
  }

  const sys = await boot({ units });
  t.teardown(() => sys.stop());
  for (let i = 0; i < 100 && (await sys.ctl('is-system-running')).stdout === 'offline\n'; i++) await new Promise((r) => setTimeout(r, 100));
  for (const name of names) {
    await sys.ctl('start', name);
    const output = processLines(await waitJournal(sys, ['-u', name, '-o', 'cat'], (o) => o.includes('done'), 20_000));
    t.same(output, expected[name]?.output, `${name}: what the process sees`);
    t.same(sortedLines((await sys.ctl('show', '-p', properties, name)).stdout), expected[name]?.show, `${name}: show`);
  }
});

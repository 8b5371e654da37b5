// systemctl's fast path for health probes (src/native/probe.c, init/probe.sh): for is-active,
// is-failed and is-system-running it must answer exactly as Node's systemctl does (stdout and
// exit code), and hand everything it does not fully understand to Node (exit 254, nothing
// printed), against unitd as a real PID 1. is-enabled, and every state and exit code of the
// four verbs: probe-diff.test.ts.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { boot, REPO, run, type RunResult, type System } from './harness.js';

const PROBE = join(REPO, 'build/Release/unitd-probe');
const DECLINED = 254;

if (!existsSync(PROBE)) {
  t.fail(`${PROBE} is missing: npm install (node-gyp) builds it`);
} else {
  let sys: System;
  t.before(async () => {
    sys = await boot({
      units: {
        'active.service': '[Service]\nExecStart=/bin/sleep infinity\n',
        'failed.service': '[Service]\nType=oneshot\nExecStart=/bin/false\n',
        'inactive.service': '[Service]\nExecStart=/bin/sleep infinity\n',
        'worker@.service': '[Service]\nExecStart=/bin/sleep infinity\n',
        'mark.target': '[Unit]\nDescription=Mark\n',
      },
      enable: ['active.service', 'failed.service', 'worker@a.service', 'mark.target'],
    });
    for (let i = 0; i < 200; i++) {
      const r = await sys.ctl('is-failed', 'failed.service');
      if (r.stdout.trim() === 'failed') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
  t.teardown(() => sys?.stop());

  const same = (probe: RunResult, node: RunResult): { stdout: string; code: number }[] => [
    { stdout: probe.stdout, code: probe.code },
    { stdout: node.stdout, code: node.code },
  ];

  const answered: string[][] = [
    ['is-active', 'active.service'],
    ['is-active', 'active'],
    ['is-active', 'ghost.service'],
    ['is-active', 'active.service', 'failed.service', 'inactive.service', 'mark.target'],
    ['is-active', 'inactive', 'ghost'],
    ['is-active', '-q', 'active.service'],
    ['is-active', '--quiet', 'inactive.service'],
    ['is-active', 'worker@a.service', 'worker@b'],
    ['is-failed', 'failed.service'],
    ['is-failed', 'active.service', 'ghost.service'],
    ['is-failed', '--quiet', 'failed'],
    ['is-system-running'],
    ['is-system-running', '--quiet'],
  ];
  for (const args of answered) {
    t.test(`answers like Node: systemctl ${args.join(' ')}`, async (t) => {
      const probe = await sys.exec(PROBE, ...args);
      t.not(probe.code, DECLINED, 'answered, not declined');
      t.equal(probe.stderr, '');
      const node = await sys.ctl(...args);
      const [p, n] = same(probe, node);
      t.same(p, n, 'same stdout and exit code');
    });
  }

  const declined: string[][] = [
    ['is-active'],
    ['is-active', 'act*'],
    ['is-active', 'a\\x2db.service'],
    ['is-active', 'worker@.service'],
    ['is-active', '--user', 'active.service'],
    ['is-active', '-H', 'host', 'active.service'],
    ['is-active', '/dev/sda'],
    ['is-system-running', 'extra'],
    ['is-system-running', '--wait'],
    ['status', 'active.service'],
    ['is-active', ...Array.from({ length: 40 }, (_, i) => `u${i}.service`)],
  ];
  for (const args of declined) {
    t.test(`hands to Node: systemctl ${args.slice(0, 4).join(' ')}${args.length > 4 ? ' ...' : ''}`, async (t) => {
      const probe = await sys.exec(PROBE, ...args);
      t.equal(probe.code, DECLINED);
      t.equal(probe.stdout, '', 'printed nothing');
    });
  }

  t.test('no daemon: declined, so Node prints systemd\'s answer', async (t) => {
    const probe = await run([PROBE, 'is-system-running'], { env: { UNITD_RUNTIME_DIR: '/nonexistent-unitd' } });
    t.equal(probe.code, DECLINED);
    t.equal(probe.stdout, '');
  });

  t.test('the systemctl launcher takes the fast path and falls back to Node, same answers', async (t) => {
    const launcher = join(REPO, 'init/systemctl');
    const script = [
      `${launcher} is-active active.service ghost; echo rc=$?`,
      `${launcher} is-active 'act*'; echo rc=$?`,
      `${launcher} is-system-running; echo rc=$?`,
      `${launcher} is-active; echo rc=$?`,
    ].join('; ');
    const fast = await sys.exec('sh', '-c', script);
    const slow = await sys.exec('env', 'UNITD_PROBE=0', 'sh', '-c', script);
    t.equal(fast.stdout, slow.stdout, 'same output with and without the fast path');
    t.match(fast.stdout, /^active\ninactive\nrc=0\nactive\nrc=0\n/, fast.stdout + fast.stderr);
    t.equal(fast.stderr, slow.stderr, 'same messages (Node gives them)');
  });
}

// The fast probe (src/native/probe.c, run by init/systemctl) against the full client as the
// reference (UNITD_PROBE=0): for every unit state a probe verb can meet and every exit code
// it can give, `systemctl VERB ...` through the launcher prints the same stdout and stderr and
// exits the same with the fast path on as with it off, against unitd as a real PID 1 and with
// no daemon at all. The expected answers are spelled out too, so a state the fixture stops
// producing fails here instead of silently leaving a branch untested.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { boot, REPO, run, type RunResult, type System } from './harness.js';

const PROBE = join(REPO, 'build/Release/unitd-probe');
const LAUNCHER = join(REPO, 'init/systemctl');
const DECLINED = 254;

/** The client's search path for is-enabled: config, runtime, generator and transient directories. */
const UNIT_PATH = '/etc/systemd/system:/run/systemd/system:/run/systemd/generator:/run/systemd/transient';
const svc = (install = ''): string => `[Service]\nExecStart=/bin/sleep infinity\n${install ? `[Install]\n${install}\n` : ''}`;
const WANTED = 'WantedBy=multi-user.target';

/** Files the namespace's PID 1 makes before unitd starts: links and runtime units. */
const SETUP = [
  'cd /etc/systemd/system',
  'ln -s /dev/null masked.service',
  'ln -s active.service nick.service',
  'ln -s loop.service loop.service',
  'mkdir -p /run/systemd/system/multi-user.target.wants /run/systemd/generator /run/systemd/transient /tmp/ext',
  'ln -s /etc/systemd/system/rt.service /run/systemd/system/multi-user.target.wants/rt.service',
  'ln -s /dev/null /run/systemd/system/maskedrt.service',
  `printf '[Service]\\nExecStart=/bin/true\\n[Install]\\n${WANTED}\\n' > /tmp/ext/linked.service`,
  'cp /tmp/ext/linked.service /tmp/ext/linkedrt.service',
  'ln -s /tmp/ext/linked.service linked.service',
  'ln -s /tmp/ext/linkedrt.service /run/systemd/system/linkedrt.service',
  `printf '[Service]\\nExecStart=/bin/true\\n' > /run/systemd/transient/tr.service`,
].join(' && ');

interface Case {
  args: string[];
  /** What the full client answers (stdout, exit code): keeps the fixture honest. */
  expect: { stdout: string; code: number };
  /** The fast path answers itself (else it must decline and leave the answer to Node). */
  answered: boolean;
  /** is-enabled's search path (SYSTEMD_UNIT_PATH) for this case; default: the harness's. */
  unitPath?: string;
}

const lines = (...l: string[]): string => l.map((s) => s + '\n').join('');
const CASES: Case[] = [
  // is-active: 0 when any unit is active or reloading, else 3
  { args: ['is-active', 'active.service'], expect: { stdout: lines('active'), code: 0 }, answered: true },
  { args: ['is-active', 'inactive'], expect: { stdout: lines('inactive'), code: 3 }, answered: true },
  { args: ['is-active', 'failed.service'], expect: { stdout: lines('failed'), code: 3 }, answered: true },
  { args: ['is-active', 'activating.service'], expect: { stdout: lines('activating'), code: 3 }, answered: true },
  { args: ['is-active', 'reloading.service'], expect: { stdout: lines('reloading'), code: 0 }, answered: true },
  { args: ['is-active', 'ghost.service'], expect: { stdout: lines('inactive'), code: 3 }, answered: true },
  { args: ['is-active', 'masked.service'], expect: { stdout: lines('inactive'), code: 3 }, answered: true },
  { args: ['is-active', 'ghost', 'failed', 'active'], expect: { stdout: lines('inactive', 'failed', 'active'), code: 0 }, answered: true },
  { args: ['is-active', '-q', 'reloading', 'ghost'], expect: { stdout: '', code: 0 }, answered: true },
  { args: ['is-active', '--quiet', 'masked'], expect: { stdout: '', code: 3 }, answered: true },
  // is-failed: 0 when any unit is failed, else 1
  { args: ['is-failed', 'failed.service'], expect: { stdout: lines('failed'), code: 0 }, answered: true },
  { args: ['is-failed', 'active'], expect: { stdout: lines('active'), code: 1 }, answered: true },
  { args: ['is-failed', 'activating', 'reloading', 'inactive'], expect: { stdout: lines('activating', 'reloading', 'inactive'), code: 1 }, answered: true },
  { args: ['is-failed', 'ghost', 'masked'], expect: { stdout: lines('inactive', 'inactive'), code: 1 }, answered: true },
  { args: ['is-failed', '-q', 'active', 'failed'], expect: { stdout: '', code: 0 }, answered: true },
  // is-enabled: 0 for enabled, enabled-runtime, static, alias, indirect, generated; 1 otherwise
  { args: ['is-enabled', 'active.service'], expect: { stdout: lines('enabled'), code: 0 }, answered: true },
  { args: ['is-enabled', 'rt'], expect: { stdout: lines('enabled-runtime'), code: 0 }, answered: true, unitPath: UNIT_PATH },
  { args: ['is-enabled', 'linked'], expect: { stdout: lines('linked'), code: 1 }, answered: true, unitPath: UNIT_PATH },
  { args: ['is-enabled', 'linkedrt'], expect: { stdout: lines('linked-runtime'), code: 1 }, answered: true, unitPath: UNIT_PATH },
  { args: ['is-enabled', 'nick.service'], expect: { stdout: lines('alias'), code: 0 }, answered: true },
  { args: ['is-enabled', 'masked'], expect: { stdout: lines('masked'), code: 1 }, answered: true },
  { args: ['is-enabled', 'maskedrt'], expect: { stdout: lines('masked-runtime'), code: 1 }, answered: true, unitPath: UNIT_PATH },
  { args: ['is-enabled', 'inactive.service'], expect: { stdout: lines('static'), code: 0 }, answered: true },
  { args: ['is-enabled', 'indirect'], expect: { stdout: lines('indirect'), code: 0 }, answered: true },
  { args: ['is-enabled', 'activating'], expect: { stdout: lines('disabled'), code: 1 }, answered: true },
  { args: ['is-enabled', 'gen'], expect: { stdout: lines('generated'), code: 0 }, answered: true, unitPath: UNIT_PATH },
  { args: ['is-enabled', 'tr'], expect: { stdout: lines('transient'), code: 1 }, answered: true, unitPath: UNIT_PATH },
  { args: ['is-enabled', 'ghost.service'], expect: { stdout: '', code: 1 }, answered: true },
  { args: ['is-enabled', 'activating', 'masked', 'nick'], expect: { stdout: lines('disabled', 'masked', 'alias'), code: 0 }, answered: true },
  { args: ['is-enabled', 'masked', 'ghost', 'active'], expect: { stdout: lines('masked'), code: 1 }, answered: true },
  { args: ['is-enabled', '-q', 'activating', 'gen'], expect: { stdout: '', code: 0 }, answered: true, unitPath: UNIT_PATH },
  { args: ['is-enabled', '--quiet', 'ghost'], expect: { stdout: '', code: 1 }, answered: true },
  // errors other than "no such file" are Node's to word
  { args: ['is-enabled', 'loop.service'], expect: { stdout: '', code: 1 }, answered: false },
  { args: ['is-enabled'], expect: { stdout: '', code: 1 }, answered: false },
  // is-system-running: 0 only for "running" (this system has a failed unit: degraded)
  { args: ['is-system-running'], expect: { stdout: lines('degraded'), code: 1 }, answered: true },
  { args: ['is-system-running', '-q'], expect: { stdout: '', code: 1 }, answered: true },
];

type Answer = { stdout: string; stderr: string; code: number };
const answer = (r: RunResult): Answer => ({ stdout: r.stdout, stderr: r.stderr, code: r.code });

if (!existsSync(PROBE)) {
  t.fail(`${PROBE} is missing: npm install (node-gyp) builds it`);
} else {
  let sys: System;
  t.before(async () => {
    sys = await boot({
      units: {
        'active.service': svc(WANTED),
        'inactive.service': svc(),
        'failed.service': `[Service]\nType=oneshot\nExecStart=/bin/false\n[Install]\n${WANTED}\n`,
        'activating.service': `[Service]\nType=oneshot\nExecStart=/bin/sleep infinity\n[Install]\n${WANTED}\n`,
        'reloading.service': '[Service]\nExecStart=/bin/sleep infinity\nExecReload=/bin/sleep infinity\n',
        'indirect.service': '[Service]\nExecStart=/bin/true\n[Install]\nAlso=active.service\n',
        'rt.service': svc(WANTED),
      },
      enable: ['active.service', 'failed.service', 'reloading.service'],
      setup: SETUP,
    });
    for (let i = 0; i < 200; i++) {
      const r = await sys.ctl('is-active', 'failed.service', 'reloading.service');
      if (r.stdout === 'failed\nactive\n') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // unitd empties the generator directories as it runs the generators at boot: made after.
    await sys.exec('sh', '-c', `printf '[Service]\\nExecStart=/bin/true\\n' > /run/systemd/generator/gen.service`);
    await sys.ctl('start', '--no-block', 'activating.service');
    await sys.ctl('reload', '--no-block', 'reloading.service');
    for (let i = 0; i < 200; i++) {
      const r = await sys.ctl('is-active', 'activating.service', 'reloading.service');
      if (r.stdout === 'activating\nreloading\n') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
  t.teardown(() => sys?.stop());

  const viaLauncher = (c: Case, probe: boolean): Promise<RunResult> =>
    sys.exec('env', `UNITD_PROBE=${probe ? 1 : 0}`, ...(c.unitPath ? [`SYSTEMD_UNIT_PATH=${c.unitPath}`] : []), LAUNCHER, ...c.args);

  for (const c of CASES) {
    t.test(`systemctl ${c.args.join(' ')}: the fast path answers as the full client`, async (t) => {
      const direct = await sys.exec('env', ...(c.unitPath ? [`SYSTEMD_UNIT_PATH=${c.unitPath}`] : []), PROBE, ...c.args);
      if (c.answered) t.not(direct.code, DECLINED, `the probe answers itself (${direct.stderr})`);
      else t.same(answer(direct), { stdout: '', stderr: '', code: DECLINED }, 'the probe declines having printed nothing');
      const node = await viaLauncher(c, false);
      t.same({ stdout: node.stdout, code: node.code }, c.expect, `the full client's answer (${node.stderr})`);
      const fast = await viaLauncher(c, true);
      t.same(answer(fast), answer(node), 'same stdout, stderr and exit code with the fast path as without');
    });
  }

  t.test('is-system-running once nothing has failed: running, 0', async (t) => {
    await sys.ctl('reset-failed');
    const node = await sys.exec('env', 'UNITD_PROBE=0', LAUNCHER, 'is-system-running');
    t.same({ stdout: node.stdout, code: node.code }, { stdout: 'running\n', code: 0 }, node.stderr);
    const fast = await sys.exec(LAUNCHER, 'is-system-running');
    t.same(answer(fast), answer(node));
  });

  t.test('no daemon: every probe verb answers as the full client does offline', async (t) => {
    const env = { PATH: process.env.PATH, LANG: 'C.UTF-8', UNITD_RUNTIME_DIR: '/nonexistent-unitd', XDG_RUNTIME_DIR: '/nonexistent-xdg' };
    for (const args of [['is-active', 'x.service'], ['is-failed', 'x'], ['is-enabled', 'x.service'], ['is-system-running'], ['is-system-running', '-q']]) {
      const direct = await run([PROBE, ...args], { env });
      t.same(answer(direct), { stdout: '', stderr: '', code: DECLINED }, `${args.join(' ')}: the probe defers to Node`);
      const fast = await run([LAUNCHER, ...args], { env: { ...env, UNITD_PROBE: '1' } });
      const node = await run([LAUNCHER, ...args], { env: { ...env, UNITD_PROBE: '0' } });
      t.same(answer(fast), answer(node), `${args.join(' ')}: same answer`);
    }
  });
}

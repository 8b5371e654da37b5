// The same units under real systemd 252 and under unitd, driven by the same
// systemctl commands: the states `show` reports must match step by step.
//
// Each scenario drives its own unit(s); all units live in one corpus, so the
// oracle and unitd are each booted once and run every scenario in sequence.
// A scenario's record is the `show -p PROPS UNIT` line after every step plus
// the exit codes of the commands; one `t.same` per scenario.

import t from 'tap';

import { boot } from './harness.js';
import { bootOracle, oracleUnavailable } from './oracle.js';

const UNITS: Record<string, string> = {
  'web.service': '[Unit]\nDescription=Web\n[Service]\nExecStart=/bin/sleep 10000\n',
  'fail3.service': "[Service]\nExecStart=/bin/sh -c 'exit 3'\n",
  'once.service': '[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/true\n',
  'retry.service':
    "[Unit]\nStartLimitBurst=3\nStartLimitIntervalSec=60\n[Service]\nExecStart=/bin/sh -c 'sleep 0.2; exit 1'\nRestart=on-failure\nRestartSec=300ms\n",
  'exit0.service': "[Service]\nExecStart=/bin/sh -c 'sleep 0.2; exit 0'\n",
  'oneshot.service': '[Service]\nType=oneshot\nExecStart=/bin/true\n',
  'oneshot-fail.service': "[Service]\nType=oneshot\nExecStart=/bin/sh -c 'exit 2'\n",
  'kill9.service': '[Service]\nExecStart=/bin/sleep 10000\n',
  'killterm.service': '[Service]\nExecStart=/bin/sleep 10000\n',
  'always.service':
    "[Unit]\nStartLimitBurst=100\nStartLimitIntervalSec=60\n[Service]\nExecStart=/bin/sh -c 'sleep 0.2; exit 0'\nRestart=always\nRestartSec=200ms\n",
  'rno.service': "[Service]\nExecStart=/bin/sh -c 'sleep 0.2; exit 1'\nRestart=no\n",
  'ses.service': "[Service]\nExecStart=/bin/sh -c 'sleep 0.2; exit 3'\nSuccessExitStatus=3\n",
  'rpes.service':
    "[Service]\nExecStart=/bin/sh -c 'sleep 0.2; exit 4'\nRestart=on-failure\nRestartSec=200ms\nRestartPreventExitStatus=4\n",
  'prefalse.service': '[Service]\nExecStartPre=/bin/false\nExecStart=/bin/sleep 10000\n',
  'preignore.service': '[Service]\nExecStartPre=-/bin/false\nExecStart=/bin/sleep 10000\n',
  'cond.service': '[Service]\nExecCondition=/bin/false\nExecStart=/bin/sleep 10000\n',
  'fork.service':
    "[Service]\nType=forking\nPIDFile=/run/fork.pid\nExecStart=/bin/sh -c 'sleep 10000 & echo $! > /run/fork.pid'\n",
  'notify.service':
    "[Service]\nType=notify\nNotifyAccess=all\nExecStart=/bin/sh -c 'systemd-notify --ready; exec sleep 10000'\n",
  'notify-early.service': "[Service]\nType=notify\nExecStart=/bin/sh -c 'sleep 0.2; exit 0'\n",
  'rst.service': '[Service]\nExecStart=/bin/sleep 10000\n',
  'rf.service': "[Service]\nExecStart=/bin/sh -c 'exit 1'\n",
  'stubborn.service': "[Service]\nExecStart=/bin/sh -c \"trap '' TERM; sleep 1000\"\nTimeoutStopSec=1\n",
  'already.service': '[Service]\nExecStart=/bin/sleep 10000\n',
  'gone.service': '[Service]\nType=oneshot\nExecStart=/bin/true\n',
  'collect.service': "[Unit]\nCollectMode=inactive-or-failed\n[Service]\nExecStart=/bin/sh -c 'exit 3'\n",
  'leftover.service': "[Service]\nKillMode=process\nExecStart=/bin/sh -c 'sleep 10000 & exec sleep 10001'\n",
};
const PROPS = 'ActiveState,SubState,Result,NRestarts,ExecMainStatus';

interface Driver {
  ctl(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function show(d: Driver, unit: string): Promise<string> {
  return `${unit}: ${(await d.ctl('show', '-p', PROPS, unit)).stdout.trim().split('\n').join(' ')}`;
}

/** Poll until the unit's ActiveState is one of `states` (or the time is up). */
async function waitFor(d: Driver, unit: string, states: string | string[], timeoutMs: number): Promise<void> {
  const want = Array.isArray(states) ? states : [states];
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (want.includes((await d.ctl('show', '-P', 'ActiveState', unit)).stdout.trim())) return;
    await sleep(100);
  }
}

/** `systemctl ARGS`, recorded as "ARGS rc=N". */
async function rc(d: Driver, ...args: string[]): Promise<string> {
  return `${args.join(' ')} rc=${(await d.ctl(...args)).code}`;
}

interface Scenario {
  name: string;
  run(d: Driver): Promise<string[]>;
  /** A known, not yet fixed difference: the assertion becomes a tap todo. */
  known?: string;
}

/** Start a simple service, wait for its end state, show it. */
const startAndSettle =
  (unit: string, states: string[], timeoutMs = 5000) =>
  async (d: Driver): Promise<string[]> => {
    const seen = [await rc(d, 'start', unit)];
    await waitFor(d, unit, states, timeoutMs);
    seen.push(await show(d, unit));
    return seen;
  };

const killTerm =
  (unit: string) =>
  async (d: Driver): Promise<string[]> => {
    const seen = [await rc(d, 'start', unit)];
    seen.push(await rc(d, 'kill', '-s', 'TERM', unit));
    await waitFor(d, unit, ['failed', 'inactive'], 5000);
    seen.push(await show(d, unit));
    return seen;
  };

const restartAlways =
  (unit: string) =>
  async (d: Driver): Promise<string[]> => {
    const seen = [await rc(d, 'start', unit)];
    await sleep(1000);
    seen.push(await rc(d, 'stop', unit));
    const line = await show(d, unit);
    // Timing decides how many restarts happened and whether the stop caught the
    // service running (killed: 15) or between runs (exited: 0): normalise both.
    seen.push(
      line
        .replace(/NRestarts=(\d+)/, (_m, n: string) => `NRestarts>0=${Number(n) > 0}`)
        .replace(/ExecMainStatus=(\d+)/, (_m, n: string) => `ExecMainStatus∈{0,15}=${n === '0' || n === '15'}`),
    );
    return seen;
  };

const startShowStop =
  (unit: string) =>
  async (d: Driver): Promise<string[]> => [
    await rc(d, 'start', unit),
    await show(d, unit),
    await rc(d, 'stop', unit),
    await show(d, unit),
  ];

const resetFailed =
  (unit: string) =>
  async (d: Driver): Promise<string[]> => {
    const seen = await startAndSettle(unit, ['failed'])(d);
    seen.push(await rc(d, 'reset-failed', unit));
    seen.push(await show(d, unit));
    return seen;
  };

/**
 * systemd 252 garbage-collects a unit that is inactive (not failed) and that no
 * loaded unit references: `show` then loads it afresh, with ExecMainStatus=0,
 * NRestarts=0, Result=success; unitd's GC (manager/unit-gc.ts) does the same. The
 * "held" copies below are referenced by hold.target (enabled, so active), which
 * keeps them loaded, so their own end states are compared too.
 */
const HELD = ['killterm', 'always', 'ses', 'preignore', 'cond', 'fork', 'notify', 'rf'];
for (const base of HELD) UNITS[`${base}-held.service`] = UNITS[`${base}.service`];
UNITS['hold.target'] = `[Unit]\nDescription=Keeps the held units loaded\nAfter=${HELD.map((b) => `${b}-held.service`).join(' ')}\n`;

const SCENARIOS: Scenario[] = [
  {
    name: 'simple running (enabled at boot), then stop',
    run: async (d) => [
      await show(d, 'web.service'),
      await rc(d, 'stop', 'web.service'),
      await show(d, 'web.service'),
      await rc(d, 'is-active', 'web.service'),
    ],
  },
  { name: 'simple service exits 3: failed exit-code', run: startAndSettle('fail3.service', ['failed']) },
  {
    name: 'oneshot RemainAfterExit=yes',
    run: async (d) => [await rc(d, 'start', 'once.service'), await show(d, 'once.service')],
  },
  {
    name: 'Restart=on-failure exhausting StartLimitBurst=3',
    run: startAndSettle('retry.service', ['failed'], 10_000),
  },
  { name: 'simple service exits 0: inactive dead success', run: startAndSettle('exit0.service', ['inactive']) },
  {
    name: 'oneshot without RemainAfterExit',
    run: async (d) => [await rc(d, 'start', 'oneshot.service'), await show(d, 'oneshot.service')],
  },
  {
    name: 'oneshot exiting 2',
    run: async (d) => {
      const seen = [await rc(d, 'start', 'oneshot-fail.service')];
      await waitFor(d, 'oneshot-fail.service', ['failed'], 5000);
      seen.push(await show(d, 'oneshot-fail.service'));
      return seen;
    },
  },
  {
    name: 'kill -s KILL: failed signal 9',
    run: async (d) => {
      const seen = [await rc(d, 'start', 'kill9.service'), await show(d, 'kill9.service')];
      seen.push(await rc(d, 'kill', '-s', 'KILL', 'kill9.service'));
      await waitFor(d, 'kill9.service', ['failed', 'inactive'], 5000);
      seen.push(await show(d, 'kill9.service'));
      return seen;
    },
  },
  {
    name: 'kill -s TERM of a simple service: SIGTERM counts as clean',
    run: killTerm('killterm.service'),
  },
  {
    name: 'Restart=always with exit 0: restarts, then stop (NRestarts normalised to >0)',
    run: restartAlways('always.service'),
  },
  { name: 'Restart=no, exit 1', run: startAndSettle('rno.service', ['failed', 'inactive']) },
  {
    name: 'SuccessExitStatus=3 with exit 3',
    run: startAndSettle('ses.service', ['failed', 'inactive']),
  },
  {
    name: 'RestartPreventExitStatus=4 with exit 4: no restart',
    run: async (d) => {
      const seen = await startAndSettle('rpes.service', ['failed', 'inactive'])(d);
      await sleep(500); // a restart, if any, would have happened by now
      seen.push(await show(d, 'rpes.service'));
      return seen;
    },
  },
  {
    name: 'ExecStartPre=/bin/false: failed',
    run: async (d) => [await rc(d, 'start', 'prefalse.service'), await show(d, 'prefalse.service')],
  },
  { name: 'ExecStartPre=-/bin/false: ignored, service runs', run: startShowStop('preignore.service') },
  {
    name: 'ExecCondition=/bin/false: skipped',
    run: async (d) => [await rc(d, 'start', 'cond.service'), await show(d, 'cond.service')],
  },
  { name: 'Type=forking with a PIDFile', run: startShowStop('fork.service') },
  { name: 'Type=notify sending READY=1 (systemd-notify, NotifyAccess=all)', run: startShowStop('notify.service') },
  {
    name: 'Type=notify exiting before READY=1: protocol',
    run: async (d) => {
      const seen = [await rc(d, 'start', 'notify-early.service')];
      await waitFor(d, 'notify-early.service', ['failed', 'inactive'], 5000);
      seen.push(await show(d, 'notify-early.service'));
      return seen;
    },
  },
  {
    name: 'restart of a running simple service: NRestarts stays 0',
    run: async (d) => [
      await rc(d, 'start', 'rst.service'),
      await rc(d, 'restart', 'rst.service'),
      await show(d, 'rst.service'),
      await rc(d, 'stop', 'rst.service'),
    ],
  },
  { name: 'reset-failed after a failure', run: resetFailed('rf.service') },
  {
    name: 'TimeoutStopSec=1 with SIGTERM ignored',
    run: async (d) => {
      const seen = [await rc(d, 'start', 'stubborn.service')];
      await sleep(300); // let the shell set its trap
      seen.push(await rc(d, 'stop', 'stubborn.service'));
      await waitFor(d, 'stubborn.service', ['failed', 'inactive'], 5000);
      seen.push(await show(d, 'stubborn.service'));
      return seen;
    },
  },
  { name: 'held: kill -s TERM of a simple service', run: killTerm('killterm-held.service') },
  { name: 'held: Restart=always with exit 0, then stop', run: restartAlways('always-held.service') },
  { name: 'held: SuccessExitStatus=3 with exit 3', run: startAndSettle('ses-held.service', ['failed', 'inactive']) },
  { name: 'held: ExecStartPre=-/bin/false, start then stop', run: startShowStop('preignore-held.service') },
  {
    name: 'held: ExecCondition=/bin/false',
    run: async (d) => [await rc(d, 'start', 'cond-held.service'), await show(d, 'cond-held.service')],
  },
  { name: 'held: Type=forking, start then stop', run: startShowStop('fork-held.service') },
  { name: 'held: Type=notify READY=1, start then stop', run: startShowStop('notify-held.service') },
  { name: 'held: reset-failed after a failure', run: resetFailed('rf-held.service') },
  {
    name: 'kill and reset-failed of a collected unit: not loaded',
    run: async (d) => [
      await rc(d, 'start', 'gone.service'),
      await rc(d, 'reset-failed', 'gone.service'),
      await rc(d, 'kill', 'gone.service'),
      await show(d, 'gone.service'),
    ],
  },
  { name: 'CollectMode=inactive-or-failed: a failed unit is collected too', run: startAndSettle('collect.service', ['failed', 'inactive']) },
  {
    name: 'KillMode=process leaves a process behind: the stopped unit stays loaded with its exit status',
    run: async (d) => [await rc(d, 'start', 'leftover.service'), await rc(d, 'stop', 'leftover.service'), await show(d, 'leftover.service')],
  },
  {
    name: 'start of an already active unit: no-op',
    run: async (d) => [
      await rc(d, 'start', 'already.service'),
      await rc(d, 'start', 'already.service'),
      await show(d, 'already.service'),
      await rc(d, 'stop', 'already.service'),
    ],
  },
];

async function runAll(d: Driver): Promise<string[][]> {
  const out: string[][] = [];
  for (const s of SCENARIOS) {
    try {
      out.push(await s.run(d));
    } catch (err) {
      out.push([`scenario threw: ${String(err)}`]);
    }
  }
  return out;
}

const why = oracleUnavailable();
if (why !== undefined) {
  // One skipped subtest naming the reason (tap counts it as a skip, not a pass).
  t.skip(`the systemd oracle cannot run here (${why})`, () => undefined);
} else {
  t.test('unitd reports the same states as systemd 252 for the same commands', async (t) => {
    t.setTimeout(600_000);
    const oracle = await bootOracle({ units: UNITS, enable: ['web.service', 'hold.target'] });
    let expected: string[][];
    try {
      expected = await runAll(oracle);
    } finally {
      await oracle.stop();
    }

    const sys = await boot({ units: UNITS, enable: ['web.service', 'hold.target'] });
    t.teardown(() => sys.stop());
    const actual = await runAll(sys);

    let matched = 0;
    SCENARIOS.forEach((s, i) => {
      t.comment(`${s.name}:\n  systemd: ${expected[i].join('\n           ')}\n  unitd:   ${actual[i].join('\n           ')}`);
      if (JSON.stringify(actual[i]) === JSON.stringify(expected[i])) matched++;
      t.same(actual[i], expected[i], s.name, s.known !== undefined ? { todo: s.known } : {});
    });
    t.comment(`${matched} of ${SCENARIOS.length} scenarios match`);
  });
}

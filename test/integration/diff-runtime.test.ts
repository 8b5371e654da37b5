// The same units under real systemd 252 and under unitd, driven by the same
// systemctl commands: the states `show` reports must match step by step.

import t from 'tap';

import { boot } from './harness.js';
import { bootOracle, oracleUnavailable } from './oracle.js';

const UNITS: Record<string, string> = {
  'web.service': '[Unit]\nDescription=Web\n[Service]\nExecStart=/bin/sleep 10000\n',
  'fail3.service': "[Service]\nExecStart=/bin/sh -c 'exit 3'\n",
  'once.service': '[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/true\n',
  'retry.service':
    "[Unit]\nStartLimitBurst=3\nStartLimitIntervalSec=60\n[Service]\nExecStart=/bin/sh -c 'sleep 0.2; exit 1'\nRestart=on-failure\nRestartSec=300ms\n",
};
const PROPS = 'ActiveState,SubState,Result,NRestarts,ExecMainStatus';

interface Driver {
  ctl(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function show(d: Driver, unit: string): Promise<string> {
  return `${unit}: ${(await d.ctl('show', '-p', PROPS, unit)).stdout.trim().split('\n').join(' ')}`;
}

/** Poll until `show` of the unit stops changing in a way that matters: the state we wait for. */
async function waitFor(d: Driver, unit: string, activeState: string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if ((await d.ctl('show', '-P', 'ActiveState', unit)).stdout.trim() === activeState) return;
    await sleep(100);
  }
}

/** The scenario: every step's `show` line, plus the exit codes of the commands. */
async function scenario(d: Driver): Promise<string[]> {
  const seen: string[] = [];
  seen.push(await show(d, 'web.service'));
  seen.push(`start fail3 rc=${(await d.ctl('start', 'fail3.service')).code}`);
  await waitFor(d, 'fail3.service', 'failed', 5000);
  seen.push(await show(d, 'fail3.service'));
  seen.push(`start once rc=${(await d.ctl('start', 'once.service')).code}`);
  seen.push(await show(d, 'once.service'));
  seen.push(`start retry rc=${(await d.ctl('start', 'retry.service')).code}`);
  await waitFor(d, 'retry.service', 'failed', 10_000);
  seen.push(await show(d, 'retry.service'));
  seen.push(`stop web rc=${(await d.ctl('stop', 'web.service')).code}`);
  seen.push(await show(d, 'web.service'));
  seen.push(`is-active web rc=${(await d.ctl('is-active', 'web.service')).code}`);
  return seen;
}

const why = oracleUnavailable();
if (why !== undefined) {
  t.comment(`skipping: the systemd oracle cannot run here (${why})`);
  t.pass('skipped with reason');
} else {
  t.test('unitd reports the same states as systemd 252 for the same commands', async (t) => {
    const oracle = await bootOracle({ units: UNITS, enable: ['web.service'] });
    let expected: string[];
    try {
      expected = await scenario(oracle);
    } finally {
      await oracle.stop();
    }
    t.comment(expected.join('\n'));

    const sys = await boot({ units: UNITS, enable: ['web.service'] });
    t.teardown(() => sys.stop());
    const actual = await scenario(sys);
    t.same(actual, expected);
  });
}

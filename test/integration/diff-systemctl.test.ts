// systemctl indistinguishable from systemd 252's: the corpus of
// diff-systemctl-cases.ts is booted once under the real systemd (as PID 1 in
// namespaces) and once under unitd, the same steps run on both, and each
// step's stdout, stderr and exit code must match after normalisation
// (diff-normalise.ts). Known differences are tap todos with their reason.
//
// Set DIFF_SYSTEMCTL_DUMP=DIR to write both sides' raw outputs there, step by step.

import { appendFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';

import { CORPUS, ENABLED, STEPS, type Step } from './diff-systemctl-cases.js';
import { normaliseNumbers, normaliseOutput } from './diff-normalise.js';
import { boot } from './harness.js';
import { bootOracle, oracleUnavailable } from './oracle.js';

interface Result {
  stdout: string;
  stderr: string;
  code: number;
}
interface Driver {
  ctl(...args: string[]): Promise<Result>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function settle(d: Driver, unit: string, state: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if ((await d.ctl('show', '-P', 'ActiveState', unit)).stdout.trim() === state) return;
    await sleep(100);
  }
}

async function runSteps(d: Driver, side: string): Promise<Result[]> {
  const results: Result[] = [];
  const dump = process.env.DIFF_SYSTEMCTL_DUMP;
  if (dump) mkdirSync(dump, { recursive: true });
  for (const [i, step] of STEPS.entries()) {
    const r = await d.ctl(...step.args);
    results.push(r);
    if (dump) appendFileSync(join(dump, `${side}.txt`), `=== ${label(step, i)}\n--- rc=${r.code}\n${r.stdout}--- stderr\n${r.stderr}`);
    if (step.settle) await settle(d, ...step.settle);
  }
  return results;
}

function normalise(step: Step, r: Result): Result {
  let stdout = normaliseOutput(r.stdout);
  if (step.numbers) stdout = normaliseNumbers(stdout);
  if (step.grep) stdout = stdout.split('\n').filter((l) => step.grep?.test(l)).join('\n');
  return { stdout, stderr: normaliseOutput(r.stderr), code: r.code };
}

function label(step: Step, i: number): string {
  return `#${i + 1} systemctl ${step.args.map((a) => (/[\s*]/.test(a) || a === '' ? `'${a}'` : a)).join(' ')}`;
}

const why = oracleUnavailable();
if (why !== undefined) {
  // One skipped subtest naming the reason (tap counts it as a skip, not a pass).
  t.skip(`the systemd oracle cannot run here (${why})`, () => undefined);
} else {
  // Two managers and some 200 steps on each side, on a shared machine: more than tap's default.
  t.setTimeout(900_000);
  const dump = process.env.DIFF_SYSTEMCTL_DUMP;
  if (dump) for (const side of ['systemd', 'unitd']) rmSync(join(dump, `${side}.txt`), { force: true });
  t.test('systemctl answers like systemd 252 for the same units and commands', async (t) => {
    const oracle = await bootOracle({ units: CORPUS, enable: ENABLED });
    let expected: Result[];
    try {
      expected = await runSteps(oracle, 'systemd');
    } finally {
      await oracle.stop();
    }
    const sys = await boot({ units: CORPUS, enable: ENABLED });
    let actual: Result[];
    try {
      actual = await runSteps(sys, 'unitd');
    } finally {
      await sys.stop();
    }

    let matched = 0;
    const differing: string[] = [];
    STEPS.forEach((step, i) => {
      if (step.setup) return;
      const want = normalise(step, expected[i]);
      const got = normalise(step, actual[i]);
      const same = want.stdout === got.stdout && want.stderr === got.stderr && want.code === got.code;
      if (same) matched++;
      else differing.push(`${label(step, i)}${step.known ? ` (known: ${step.known})` : ''}`);
      t.same(got, want, label(step, i), step.known ? { todo: step.known } : {});
    });
    const compared = STEPS.filter((s) => !s.setup).length;
    t.comment(`${matched} of ${compared} cases match systemd 252`);
    if (differing.length > 0) t.comment(`differing:\n${differing.join('\n')}`);
  });
}

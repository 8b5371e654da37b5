#!/usr/bin/env node
// Long fuzz runs: `npm run fuzz -- --minutes N [--seed S]` runs the control-protocol
// fuzzer (test/control/fuzz.test.ts) against a real unitd PID 1 for N minutes.
// A failure prints its seed; `--seed S` reruns it.
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const value = (flag) => {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
};
const minutes = Number(value('--minutes') ?? 10);
if (!(minutes > 0)) {
  console.error('usage: npm run fuzz -- --minutes N [--seed S]');
  process.exit(2);
}
const env = { ...process.env, FUZZ_MINUTES: String(minutes) };
if (value('--seed') !== undefined) env.FUZZ_SEED = value('--seed');
const r = spawnSync('npx', ['tap', '--jobs', '1', '-t', String(minutes * 60 + 300), 'test/control/fuzz.test.ts'], { stdio: 'inherit', env });
process.exit(r.status ?? 1);

#!/usr/bin/env node
// Long fuzz runs: `npm run fuzz -- --minutes N [--seed S] [--only NAME,...]` runs each fuzzer for
// N minutes, one after the other: the control protocol against a real unitd PID 1
// (test/control/fuzz.test.ts) and calendar expressions and time spans against the installed
// systemd-analyze (test/fuzz/calendar-timespan.test.ts), mutated unit files through verify and the
// loader (test/fuzz/unit-files.test.ts), sd_notify datagrams and a notify flood against a real
// unitd PID 1 (test/fuzz/notify.test.ts), journal stream headers, syslog and native journal
// datagrams (test/fuzz/journal.test.ts); and a `docker run -m 256m` container with a memory
// eater and a crash loop (test/docker/oom.test.ts, not seeded). A failure prints its seed;
// `--seed S` reruns it.
import { spawnSync } from 'node:child_process';

const FUZZERS = {
  control: 'test/control/fuzz.test.ts',
  calendar: 'test/fuzz/calendar-timespan.test.ts',
  units: 'test/fuzz/unit-files.test.ts',
  notify: 'test/fuzz/notify.test.ts',
  journal: 'test/fuzz/journal.test.ts',
  oom: 'test/docker/oom.test.ts',
};

const args = process.argv.slice(2);
const value = (flag) => {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
};
const minutes = Number(value('--minutes') ?? 10);
const only = (value('--only') ?? Object.keys(FUZZERS).join(',')).split(',');
if (!(minutes > 0) || only.some((name) => !(name in FUZZERS))) {
  console.error(`usage: npm run fuzz -- --minutes N [--seed S] [--only ${Object.keys(FUZZERS).join(',')}]`);
  process.exit(2);
}
const env = { ...process.env, FUZZ_MINUTES: String(minutes) };
if (value('--seed') !== undefined) env.FUZZ_SEED = value('--seed');
let status = 0;
for (const name of only) {
  const r = spawnSync('npx', ['tap', '--jobs', '1', '-t', String(minutes * 60 + 300), FUZZERS[name]], { stdio: 'inherit', env });
  if (r.status !== 0) status = r.status ?? 1;
}
process.exit(status);

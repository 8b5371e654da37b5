// Differential: init/systemd-analyze against the installed systemd 252's
// systemd-analyze for `calendar`, `timestamp`, `timespan` and command-line
// errors, in three time zones (UTC, Europe/Berlin, America/New_York) and at
// base times around DST changes and a leap day. Many expressions go into one
// call (both tools accept several), so the whole file costs a few dozen runs.
// stdout, stderr and the exit code must be identical; "From now:" lines depend
// on the moment each tool ran, so they are compared on a second try if the
// first differs only there.

import t, { type Test } from 'tap';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const HERE = import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname);
const REAL = '/usr/bin/systemd-analyze';
const OURS = path.resolve(HERE, '../../init/systemd-analyze');
const BUILT = path.resolve(HERE, '../../dist/cli/analyze.js');
const FIXTURES = path.resolve(HERE, '../fixtures');

const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York'];
const BASES = [
  '2026-03-07 12:00:00 UTC', // before the US spring-forward (03-08) and the EU one (03-29)
  '2026-10-24 23:59:59 UTC', // the EU fall-back night follows
  '2026-11-01 05:30:00 UTC', // inside the US fall-back hour
  '2028-02-28 23:00:00 UTC', // a leap day follows
];

function lines(file: string): string[] {
  // Leading and trailing blanks are part of some expressions: no trimming.
  return fs.readFileSync(path.join(FIXTURES, file), 'utf8').replace(/\n$/, '').split('\n');
}

interface Outcome {
  stdout: string;
  stderr: string;
  status: number | null;
}

function run(bin: string, tz: string, args: string[]): Outcome {
  const r = spawnSync(bin, args, { env: { ...process.env, TZ: tz }, encoding: 'utf8', timeout: 60_000 });
  // getopt's messages name the program by the path it was run as.
  return { stdout: r.stdout, stderr: r.stderr.split(bin).join('systemd-analyze'), status: r.status };
}

const withoutFromNow = (s: string): string =>
  s
    .split('\n')
    .filter((l) => !l.trimStart().startsWith('From now:'))
    .join('\n');

function compare(t: Test, tz: string, args: string[], what: string): void {
  let real = run(REAL, tz, args);
  let ours = run(OURS, tz, args);
  t.equal(ours.status, real.status, `${what}: exit code`);
  t.equal(ours.stderr, real.stderr, `${what}: stderr`);
  t.equal(withoutFromNow(ours.stdout), withoutFromNow(real.stdout), `${what}: stdout`);
  if (ours.stdout !== real.stdout) {
    // A relative time can tick over between the two runs: try once more.
    real = run(REAL, tz, args);
    ours = run(OURS, tz, args);
  }
  t.equal(ours.stdout, real.stdout, `${what}: "From now:" lines`);
}

const skip = !fs.existsSync(REAL) ? 'systemd-analyze is not installed' : !fs.existsSync(BUILT) ? 'run "npm run build" first' : false;

t.test('calendar: normalized forms, next elapses and errors match systemd 252', { skip, timeout: 600_000 }, async (t) => {
  const expressions = lines('calendar-expressions.txt');
  t.ok(expressions.length >= 270, `${expressions.length} expressions`);
  for (const tz of ZONES) {
    for (const base of BASES) {
      compare(t, tz, ['calendar', '--iterations=4', `--base-time=${base}`, ...expressions], `TZ=${tz} base ${base}`);
    }
  }
});

t.test('timestamp: normalized forms, UTC lines, epoch seconds and errors match', { skip, timeout: 300_000 }, async (t) => {
  const timestamps = lines('timestamp-expressions.txt');
  for (const tz of ZONES) compare(t, tz, ['timestamp', '--', ...timestamps], `TZ=${tz} timestamps`);
});

t.test('timespan: valid spans in one call; each invalid one (252 stops there) with its hints', { skip, timeout: 300_000 }, async (t) => {
  const valid = lines('timespan-valid.txt');
  t.equal(run(REAL, 'UTC', ['timespan', '--', ...valid]).status, 0, 'systemd accepts every span of the valid list');
  compare(t, 'UTC', ['timespan', '--', ...valid], `${valid.length} valid spans`);
  for (const s of lines('timespan-invalid.txt')) compare(t, 'UTC', ['timespan', '--', '5', s, '6'], `invalid ${JSON.stringify(s)}`);
});

t.test('command line: options, bad values and verbs fail as systemd-analyze does', { skip, timeout: 300_000 }, async (t) => {
  const cases: string[][] = [
    ['calendar'],
    ['timestamp'],
    ['timespan'],
    ['calendar', '--iterations=x', 'daily'],
    ['calendar', '--iterations', '3', '--base-time', '2026-01-01', 'daily'],
    ['calendar', '--iter=2', '--base-time=2026-01-01 UTC', 'weekly'],
    ['calendar', '--iterations=0', 'daily'],
    ['calendar', '--base-time=foo', 'daily'],
    ['calendar', '--base-time=@1767225600', 'daily', '*-*-* 10:00 Europe/Berlin'],
    ['calendar', '--base-time=9999-12-30 23:00:00 UTC', 'daily'],
    ['calendar', 'daily', '--iterations=2', '--base-time=2026-01-01 UTC'],
    ['--foo'],
    ['-x', 'calendar', 'daily'],
    ['timestamp', '-1h'],
    ['frobnicate'],
    ['calendar', '--', '--base-time=x'],
  ];
  for (const args of cases) compare(t, 'Europe/Berlin', args, args.join(' '));
});

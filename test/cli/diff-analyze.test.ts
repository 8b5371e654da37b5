// Differential: init/systemd-analyze against the installed systemd 252's
// systemd-analyze for `calendar` and command-line errors, in three time zones (UTC,
// Europe/Berlin, America/New_York) and at base times around DST changes and a leap
// day. Many expressions go into one call (both tools accept several), so the whole
// file costs a few dozen runs. stdout, stderr and the exit code must be identical;
// "From now:" lines depend on the moment each tool ran, so they are compared again
// when the first try differs only there. systemd's own test_next() cases, timestamp
// and timespan are in diff-analyze-more.test.ts.

import t from 'tap';
import { BASES, ZONES, compare, lines, skip } from './analyze-differential.js';

t.setTimeout(900_000);

t.test('calendar: normalized forms, next elapses and errors match systemd 252', { skip, timeout: 600_000 }, async (t) => {
  const expressions = lines('calendar-expressions.txt');
  t.ok(expressions.length >= 300, `${expressions.length} expressions`);
  for (const tz of ZONES) {
    for (const base of BASES) {
      // "--": some expressions start with a dash.
      compare(t, tz, ['calendar', '--iterations=4', `--base-time=${base}`, '--', ...expressions], `TZ=${tz} base ${base}`);
    }
  }
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

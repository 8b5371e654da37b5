// Differential, continued from diff-analyze.test.ts: systemd's own next-elapse cases
// (test-calendarspec.c's test_next()) at their own base times and zones, `timestamp`
// and `timespan` (valid spans in one call, each invalid one alone since 252 stops there).

import t from 'tap';
import { REAL, ZONES, compare, lines, run, skip } from './analyze-differential.js';

// About 150 runs of each tool on a loaded machine: more than the default file budget.
t.setTimeout(900_000);

// systemd's own next-elapse cases (test-calendarspec.c's test_next()): each expression
// in the TZ and at the base time the C test uses ("" is glibc's UTC), plus leap-second
// zones seen from inside and outside.
t.test('calendar: systemd test_next() cases at their own base times and zones', { skip, timeout: 300_000 }, async (t) => {
  const cases = lines('calendar-next-cases.txt').map((l) => l.split('\t'));
  t.ok(cases.length >= 30, `${cases.length} cases`);
  for (const [tz, base, expression] of cases) {
    compare(t, tz, ['calendar', '--iterations=3', `--base-time=${base}`, '--', expression], `TZ=${JSON.stringify(tz)} base ${base} ${expression}`);
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


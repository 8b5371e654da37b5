import t from 'tap';
import {
  parseCalendarSpec,
  formatCalendarSpec,
  nextCalendarElapse,
  CalendarSpecError,
} from '../../src/units/values/calendar.js';

// Rows observed from systemd-analyze 252 (shared/systemd-semantics.md 13.5): base Thu 2026-01-01 00:00:00 UTC.
const BASE = Date.UTC(2026, 0, 1) * 1000;

function elapses(expr: string, base: number, n: number): string[] {
  const spec = parseCalendarSpec(expr);
  const out: string[] = [];
  let at = base;
  for (let i = 0; i < n; i++) {
    const next = nextCalendarElapse(spec, at);
    if (next === undefined) {
      out.push('never');
      break;
    }
    out.push(new Date(next / 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ''));
    at = next;
  }
  return out;
}

function inZone<T>(tz: string, fn: () => T): T {
  const saved = process.env.TZ;
  process.env.TZ = tz;
  try {
    return fn();
  } finally {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  }
}

const ROWS: readonly [string, string, string, string][] = [
  ['minutely', '*-*-* *:*:00', '2026-01-01 00:01:00', '2026-01-01 00:02:00'],
  ['hourly', '*-*-* *:00:00', '2026-01-01 01:00:00', '2026-01-01 02:00:00'],
  ['daily', '*-*-* 00:00:00', '2026-01-02 00:00:00', '2026-01-03 00:00:00'],
  ['weekly', 'Mon *-*-* 00:00:00', '2026-01-05 00:00:00', '2026-01-12 00:00:00'],
  ['monthly', '*-*-01 00:00:00', '2026-02-01 00:00:00', '2026-03-01 00:00:00'],
  ['yearly', '*-01-01 00:00:00', '2027-01-01 00:00:00', '2028-01-01 00:00:00'],
  ['quarterly', '*-01,04,07,10-01 00:00:00', '2026-04-01 00:00:00', '2026-07-01 00:00:00'],
  ['semiannually', '*-01,07-01 00:00:00', '2026-07-01 00:00:00', '2027-01-01 00:00:00'],
  ['*-*-* *:*:*', '*-*-* *:*:*', '2026-01-01 00:00:01', '2026-01-01 00:00:02'],
  ['*:0/15', '*-*-* *:00/15:00', '2026-01-01 00:15:00', '2026-01-01 00:30:00'],
  ['Mon..Fri *-*-* 9..17:00', 'Mon..Fri *-*-* 09..17:00:00', '2026-01-01 09:00:00', '2026-01-01 10:00:00'],
  ['Mon-Fri 08:00', 'Mon..Fri *-*-* 08:00:00', '2026-01-01 08:00:00', '2026-01-02 08:00:00'],
  ['Sat,Thu,Mon..Wed,Sat..Sun', 'Mon..Thu,Sat,Sun *-*-* 00:00:00', '2026-01-03 00:00:00', '2026-01-04 00:00:00'],
  ['Mon..Sun 12:00', '*-*-* 12:00:00', '2026-01-01 12:00:00', '2026-01-02 12:00:00'],
  ['Wed, 17:48', 'Wed *-*-* 17:48:00', '2026-01-07 17:48:00', '2026-01-14 17:48:00'],
  ['12,14,13,12:20,10,30', '*-*-* 12,13,14:10,20,30:00', '2026-01-01 12:10:00', '2026-01-01 12:20:00'],
  ['mon,fri *-1/2-1,3 *:30:45', 'Mon,Fri *-01/2-01,03 *:30:45', '2026-05-01 00:30:45', '2026-05-01 01:30:45'],
  ['*:10..25/10', '*-*-* *:10..20/10:00', '2026-01-01 00:10:00', '2026-01-01 00:20:00'],
  ['*-*~01', '*-*~01 00:00:00', '2026-01-31 00:00:00', '2026-02-28 00:00:00'],
  ['Mon *-05~07/1', 'Mon *-05~07/1 00:00:00', '2026-05-25 00:00:00', '2027-05-31 00:00:00'],
  ['*-02-29', '*-02-29 00:00:00', '2028-02-29 00:00:00', '2032-02-29 00:00:00'],
  ['*-*-31', '*-*-31 00:00:00', '2026-01-31 00:00:00', '2026-03-31 00:00:00'],
  ['*-04-31', '*-04-31 00:00:00', 'never', ''],
  ['26-12-25', '2026-12-25 00:00:00', '2026-12-25 00:00:00', 'never'],
  ['*-*-* 05:40:23.4200004/3.1700005', '*-*-* 05:40:23.420000/3.170001', '2026-01-01 05:40:23', '2026-01-01 05:40:26'],
  ['daily UTC', '*-*-* 00:00:00 UTC', '2026-01-02 00:00:00', '2026-01-03 00:00:00'],
  ['*-*-* 09:00 Europe/Berlin', '*-*-* 09:00:00 Europe/Berlin', '2026-01-01 08:00:00', '2026-01-02 08:00:00'],
  ['weekly Pacific/Auckland', 'Mon *-*-* 00:00:00 Pacific/Auckland', '2026-01-04 11:00:00', '2026-01-11 11:00:00'],
  ['@1767225600', '2026-01-01 00:00:00 UTC', 'never', ''],
];

t.test('normalized forms and next elapses match systemd-analyze 252 (TZ=UTC)', async (t) => {
  inZone('UTC', () => {
    for (const [expr, normalized, first, second] of ROWS) {
      t.equal(formatCalendarSpec(parseCalendarSpec(expr)), normalized, `normalized ${expr}`);
      const got = elapses(expr, BASE, 2);
      t.same(got, [first, second].filter((x) => x !== ''), `elapses ${expr}`);
    }
  });
});

t.test('invalid expressions are rejected with systemd-analyze wording', async (t) => {
  const cases: [string, string][] = [
    ['*-*-~01', 'Invalid argument'],
    ['*:55/5', 'Invalid argument'],
    ['*:0/0', 'Numerical result out of range'],
    ['*-*-* 24:00', 'Invalid argument'],
    ['2200-01-01', 'Invalid argument'],
    ['Fri..Mon', 'Invalid argument'],
    ['Mon..', 'Invalid argument'],
    ['5', 'Invalid argument'],
    [' daily', 'Invalid argument'],
    ['*-*-* 10:00 Foo/Bar', 'Invalid argument'],
  ];
  for (const [expr, reason] of cases) {
    t.throws(
      () => parseCalendarSpec(expr),
      new CalendarSpecError(expr, reason),
      `${expr} rejected`,
    );
    try {
      parseCalendarSpec(expr);
    } catch (e) {
      t.equal((e as Error).message, `Failed to parse calendar specification '${expr}': ${reason}`);
    }
  }
});

t.test('DST: a 02:30 that does not exist is skipped, an ambiguous one fires once (Europe/Berlin)', async (t) => {
  inZone('Europe/Berlin', () => {
    t.same(elapses('*-*-* 02:30', Date.UTC(2026, 2, 28) * 1000, 3), [
      '2026-03-28 01:30:00',
      '2026-03-30 00:30:00',
      '2026-03-31 00:30:00',
    ]);
    t.same(elapses('*-*-* 02:30', Date.UTC(2026, 9, 24) * 1000, 3), [
      '2026-10-24 00:30:00',
      '2026-10-25 00:30:00',
      '2026-10-26 01:30:00',
    ]);
  });
});

import t from 'tap';
import { parseTimestamp } from '../../src/units/values/timestamp-parse.js';
import { formatRelative } from '../../src/cli/format/time.js';
import { formatTimestamp } from '../../src/units/values/timestamp.js';

// Forms whose result depends on "now" (systemd-analyze cannot be compared with them):
// checked here against a fixed now, Sat 2026-12-05 04:31:25.5 UTC.
const NOW = Date.UTC(2026, 11, 5, 4, 31, 25, 500) * 1000;
const MIN = 60_000_000;

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

t.test('relative timestamps count from now', async (t) => {
  inZone('UTC', () => {
    t.same(parseTimestamp('now', NOW), { ok: true, value: NOW });
    t.same(parseTimestamp('+5min', NOW), { ok: true, value: NOW + 5 * MIN });
    t.same(parseTimestamp('-1h', NOW), { ok: true, value: NOW - 60 * MIN });
    t.same(parseTimestamp('3h ago', NOW), { ok: true, value: NOW - 180 * MIN });
    t.same(parseTimestamp('2 days left', NOW), { ok: true, value: NOW + 2 * 1440 * MIN });
    t.same(parseTimestamp('-5', NOW), { ok: true, value: NOW - 5_000_000 });
    t.same(parseTimestamp('+5min ago', NOW), { ok: false, error: 'Invalid argument' });
    t.same(parseTimestamp('now UTC', NOW), { ok: false, error: 'Invalid argument' }, 'now takes no zone (252)');
  });
});

t.test('today, yesterday, tomorrow and time-only forms use the local date', async (t) => {
  inZone('Europe/Berlin', () => {
    const at = (text: string) => {
      const r = parseTimestamp(text, NOW);
      return r.ok ? formatTimestamp(r.value) : r.error;
    };
    t.equal(at('today'), 'Sat 2026-12-05 00:00:00 CET');
    t.equal(at('yesterday'), 'Fri 2026-12-04 00:00:00 CET');
    t.equal(at('tomorrow'), 'Sun 2026-12-06 00:00:00 CET');
    t.equal(at('today UTC'), 'Sat 2026-12-05 01:00:00 CET');
    t.equal(at('10:00'), 'Sat 2026-12-05 10:00:00 CET');
    t.equal(at('Sat 10:00'), 'Sat 2026-12-05 10:00:00 CET', 'the weekday must be today');
    t.equal(at('Fri 10:00'), 'Invalid argument');
    t.equal(at('Jan 05 10:00:00'), 'Mon 2026-01-05 10:00:00 CET', 'journal short format takes the current year');
    t.equal(at('2026-01-01 Europe/Berlin'), 'Invalid argument', 'an IANA zone word is refused as 252 does');
  });
});

t.test('relative times print as systemd 252 does, zero second parts included', async (t) => {
  const DAY = 86_400_000_000;
  t.equal(formatRelative(NOW - 2_629_800_000_000, NOW), '1 month 0 days ago');
  t.equal(formatRelative(NOW - 31_557_600_000_000, NOW), '1 year 0 months ago');
  t.equal(formatRelative(NOW + 14 * DAY, NOW), '2 weeks 0 days left');
  t.equal(formatRelative(NOW - 26 * 3600_000_000, NOW), '1 day 2h ago');
  t.equal(formatRelative(NOW, NOW), 'now');
});

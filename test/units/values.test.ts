import t from 'tap';
import { execFileSync } from 'node:child_process';
import { parseBoolean } from '../../src/units/values/boolean.js';
import { parseTimespanRaw, formatTimespan, USEC_INFINITY } from '../../src/units/values/timespan.js';
import { formatTimestamp } from '../../src/units/values/timestamp.js';
import { signalFromString, signalToString, parseSignal } from '../../src/units/values/signal.js';
import {
  formatExitStatus,
  exitStatusFromString,
  addToExitStatusSet,
  emptyExitStatusSet,
  parseActionExitStatus,
} from '../../src/units/values/exit-status.js';

t.test('booleans accept systemd words case-insensitively and name the bad value', async (t) => {
  for (const w of ['1', 'yes', 'Y', 'TRUE', 't', 'on']) t.same(parseBoolean(w), { ok: true, value: true }, w);
  for (const w of ['0', 'no', 'N', 'false', 'F', 'OFF']) t.same(parseBoolean(w), { ok: true, value: false }, w);
  t.same(parseBoolean('maybe'), { ok: false, error: 'Failed to parse boolean value, ignoring: maybe' });
});

const TIMESPANS = [
  '1min 30s', '90', '1h30m', '2 days', 'abc', '1.5s', '1min 500ms', '0', 'infinity', '1us', '1001us', '1.5', '1y', '1M',
  '1w 2d', '3 hours 20 min', '5x', '1.123456789s', '61min', '1y 1M 1w 1d 1h 1m 1s 1ms 1us', '100ms', '  5  s', '5s5s',
  '-1', '1e3', '.5s', '5.', '1 µs', '1 μs', '1.0000001s', '2.5y', '1H', '1S', '1.5.5s', '10msec', '1s1', '1 1', '+5s',
  '3.sec', '1month', '2weeks', '0.5min', '59.999999s', '', 'infinity x', ' infinity ', '1 hr', '7 seconds 3 msec',
];

function systemdTimespan(input: string): { usec?: string; human?: string } {
  try {
    const out = execFileSync('systemd-analyze', ['timespan', input], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return {
      usec: /μs: (\d+)/.exec(out)?.[1],
      human: /Human: (.*)/.exec(out)?.[1],
    };
  } catch {
    return {};
  }
}

t.test('time spans parse and print exactly like systemd-analyze timespan', async (t) => {
  for (const input of TIMESPANS) {
    const ours = parseTimespanRaw(input);
    const theirs = systemdTimespan(input);
    if (theirs.usec === undefined) {
      t.equal(ours.ok, false, `${JSON.stringify(input)} is refused`);
      continue;
    }
    t.ok(ours.ok, `${JSON.stringify(input)} parses`);
    if (!ours.ok) continue;
    const usec = ours.value === USEC_INFINITY ? '18446744073709551615' : String(ours.value);
    t.equal(usec, theirs.usec, `${JSON.stringify(input)} µs`);
    t.equal(formatTimespan(ours.value), theirs.human, `${JSON.stringify(input)} Human:`);
  }
});

t.test('time spans: the semantics examples and per-key default units', async (t) => {
  t.same(parseTimespanRaw('1min 30s'), { ok: true, value: 90_000_000 });
  t.equal(formatTimespan(90_000_000), '1min 30s');
  t.equal(formatTimespan(100_000), '100ms');
  t.equal(formatTimespan(0), '0');
  t.equal(formatTimespan(USEC_INFINITY), 'infinity');
  t.same(parseTimespanRaw('5', 1), { ok: true, value: 5 }, 'LimitRTTIME= style µs default');
  t.same(parseTimespanRaw('-0'), { ok: false, error: 'Numerical result out of range' });
  t.equal(parseTimespanRaw('9'.repeat(30)).ok, false, 'overflow is refused, not wrapped');
});

t.test('timestamps print in systemctl show style', async (t) => {
  const usec = Date.UTC(2026, 10, 21, 19, 36, 19) * 1000;
  t.equal(formatTimestamp(usec, { utc: true }), 'Sat 2026-11-21 19:36:19 UTC');
  t.equal(formatTimestamp(0), '', 'no timestamp prints nothing');
});

t.test('signals by name, SIG name, number and realtime offset', async (t) => {
  t.equal(signalFromString('TERM'), 15);
  t.equal(signalFromString('SIGKILL'), 9);
  t.equal(signalFromString('11'), 11);
  t.equal(signalFromString('RTMIN+3'), 37);
  t.equal(signalFromString('RTMAX-1'), 63);
  t.equal(signalFromString('RTMIN+31'), undefined);
  t.equal(signalFromString('0'), undefined);
  t.equal(signalFromString('99'), undefined);
  t.equal(signalToString(11), 'SEGV');
  t.equal(signalToString(36), 'RTMIN+2');
  t.same(parseSignal('SIGFOO'), { ok: false, error: 'Failed to parse signal name, ignoring: SIGFOO' });
});

t.test('exit statuses: journal names and systemctl status names', async (t) => {
  t.equal(formatExitStatus(3), '3/NOTIMPLEMENTED');
  t.equal(formatExitStatus(203), '203/EXEC');
  t.equal(formatExitStatus(75), '75/TEMPFAIL');
  t.equal(formatExitStatus(3, ['libc', 'systemd']), '3', 'status prints LSB codes bare');
  t.equal(formatExitStatus(255, ['libc', 'systemd']), '255/EXCEPTION');
  t.equal(formatExitStatus(223), '223');
  t.same(exitStatusFromString('TEMPFAIL'), { ok: true, value: 75 });
  t.same(parseActionExitStatus('300'), {
    ok: false,
    error: "Failed to parse exit status '300', ignoring: Numerical result out of range",
  });
});

t.test('SuccessExitStatus= mixes codes, names and signals; empty resets', async (t) => {
  const warnings: string[] = [];
  let set = addToExitStatusSet(emptyExitStatusSet(), '75 TEMPFAIL SIGUSR1 KILL 2 bogus 999', (m) => warnings.push(m));
  t.same(set, { statuses: [2, 75], signals: [9, 10] });
  t.same(warnings, ['Failed to parse value, ignoring: bogus', 'Failed to parse value, ignoring: 999']);
  set = addToExitStatusSet(set, '', () => {});
  t.same(set, emptyExitStatusSet());
});

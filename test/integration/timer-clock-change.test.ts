// Clock and time zone changes as PID 1, through systemctl (systemd.timer(5) OnClockChange=,
// OnTimezoneChange=; src/core/timer.c timer_time_change()/timer_timezone_change()).
//
// What this proves and what it cannot: a namespace has no CLOCK_REALTIME of its own, so the
// test cannot set the clock without setting the host's. The kernel half (a cancel-on-set
// timerfd) is checked in test/native/clock-watch.test.ts; here UNITD_TEST_CLOCK_CHANGE makes
// the daemon treat the creation of a file as that timerfd's cancel, and the test shows what
// follows in the manager: every waiting timer hears it at once (no deadline is due, nothing
// polls), OnClockChange= timers start their unit, and calendar timers recompute their next
// elapse (a RandomizedDelaySec= is drawn afresh, as systemd does). The time zone change is
// real: /etc is a private copy, /etc/localtime is re-pointed from UTC to Asia/Tokyo, and a
// noon timer moves to Tokyo's noon while OnTimezoneChange= timers start their unit.

import t from 'tap';
import { boot, sleep, waitProps, type System } from './harness.js';

const HOOK = '/run/test-clock-change';
const HOUR = 3600 * 1e6;
const DAY = 24 * HOUR;

function recorder(name: string): string {
  return `[Service]\nType=oneshot\nExecStart=/bin/sh -c 'echo ran >> /run/${name}.log'\n`;
}

const units: Record<string, string> = {
  'onclock.timer': '[Timer]\nOnClockChange=yes\n',
  'onclock.service': recorder('onclock'),
  'onzone.timer': '[Timer]\nOnTimezoneChange=yes\n',
  'onzone.service': recorder('onzone'),
  'noon.timer': '[Timer]\nOnCalendar=*-*-* 12:00:00\nAccuracySec=1us\n',
  'noon.service': recorder('noon'),
  'drawn.timer': '[Timer]\nOnCalendar=*-*-* 12:00:00\nRandomizedDelaySec=1d\nAccuracySec=1us\n',
  'drawn.service': recorder('drawn'),
};

let sys: System;
t.before(async () => {
  sys = await boot({
    units,
    env: { UNITD_TEST_CLOCK_CHANGE: HOOK },
    // A private /etc (a copy), so that the test can change the zone without touching the host's.
    setup: 'mkdir /tmp/etc && cp -a /etc/. /tmp/etc/ && ln -sfn /usr/share/zoneinfo/Etc/UTC /tmp/etc/localtime && mount --bind /tmp/etc /etc',
  });
  for (const timer of ['onclock', 'onzone', 'noon', 'drawn']) t.equal((await sys.ctl('start', `${timer}.timer`)).code, 0, `${timer}.timer started`);
});
t.teardown(async () => {
  await sys?.stop();
});

async function runs(name: string): Promise<number> {
  const r = await sys.exec('cat', `/run/${name}.log`);
  return r.code === 0 ? r.stdout.trim().split('\n').filter(Boolean).length : 0;
}

async function waitRuns(name: string, n: number, timeoutMs = 10000): Promise<number> {
  const end = Date.now() + timeoutMs;
  while ((await runs(name)) < n && Date.now() < end) await sleep(100);
  return runs(name);
}

async function nextElapse(unit: string): Promise<number> {
  return (await sys.props(unit, 'NextElapseUSecRealtime')).NextElapseUSecRealtime as number;
}

t.test('timers with only OnClockChange=/OnTimezoneChange= wait without a deadline and do not fire by themselves', async (t) => {
  for (const timer of ['onclock', 'onzone']) {
    t.match(await sys.props(`${timer}.timer`, 'ActiveState', 'SubState', 'NextElapseUSecRealtime'), {
      ActiveState: 'active',
      SubState: 'waiting',
      NextElapseUSecRealtime: 0,
    });
  }
  await sleep(1000);
  t.equal(await runs('onclock'), 0);
  t.equal(await runs('onzone'), 0);
});

t.test('a clock change starts OnClockChange= units once and recomputes calendar timers', async (t) => {
  const noonBefore = await nextElapse('noon.timer');
  const drawnBefore = await nextElapse('drawn.timer');
  t.equal(noonBefore % DAY, 12 * HOUR, 'noon UTC while /etc/localtime is UTC');
  t.equal((await sys.exec('touch', HOOK)).code, 0);
  t.equal(await waitRuns('onclock', 1), 1, 'onclock.service ran');
  const drawn = await waitProps(sys, 'drawn.timer', ['NextElapseUSecRealtime'], (p) => p.NextElapseUSecRealtime !== drawnBefore);
  t.not(drawn.NextElapseUSecRealtime, drawnBefore, 'the calendar timer computed its next elapse again (a new random delay)');
  t.equal(await nextElapse('noon.timer'), noonBefore, 'same clock, same noon');
  t.match(await sys.props('onclock.timer', 'SubState', 'LastTriggerUSec'), { SubState: 'waiting' }, 'back to waiting for the next change');
  await sleep(500);
  t.equal(await runs('onclock'), 1, 'once per change');
  t.equal(await runs('onzone'), 0, 'a clock change is not a zone change');
  t.equal(await runs('noon'), 0, 'nothing due, nothing started');
  t.equal((await sys.exec('test', '-e', HOOK)).code, 1, 'the hook file was consumed');
  t.equal((await sys.exec('touch', HOOK)).code, 0);
  t.equal(await waitRuns('onclock', 2), 2, 'a second change fires again');
});

t.test('a new /etc/localtime starts OnTimezoneChange= units and moves calendar timers to the new zone', async (t) => {
  const clockRuns = await runs('onclock');
  t.equal((await sys.exec('ln', '-sfn', '/usr/share/zoneinfo/Asia/Tokyo', '/etc/localtime')).code, 0);
  t.equal(await waitRuns('onzone', 1), 1, 'onzone.service ran');
  const noon = await waitProps(sys, 'noon.timer', ['NextElapseUSecRealtime'], (p) => (p.NextElapseUSecRealtime as number) % DAY === 3 * HOUR);
  t.equal((noon.NextElapseUSecRealtime as number) % DAY, 3 * HOUR, 'noon in Tokyo is 03:00 UTC');
  const shown = await sys.ctl('show', 'noon.timer', '-p', 'NextElapseUSecRealtime', '--value');
  t.match(shown.stdout, / 12:00:00 JST\n$/, 'systemctl shows it in the new zone');
  await sleep(500);
  t.equal(await runs('onzone'), 1, 'once per change');
  t.equal(await runs('onclock'), clockRuns, 'a zone change is not a clock change');
  t.equal((await sys.exec('touch', '/etc/localtime-unrelated')).code, 0);
  await sleep(500);
  t.equal(await runs('onzone'), 1, 'other files in /etc are not a zone change');
});

t.test('a stopped timer no longer listens', async (t) => {
  t.equal((await sys.ctl('stop', 'onclock.timer')).code, 0);
  const before = await runs('onclock');
  t.equal((await sys.exec('touch', HOOK)).code, 0);
  await sleep(1000);
  t.equal(await runs('onclock'), before);
});

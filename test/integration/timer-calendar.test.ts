// Calendar timers as PID 1: OnCalendar= repeats, Persistent= catches up a run missed while the
// container was stopped (and only that one), and Debian's real logrotate.timer loads, waits for
// the next midnight and its service runs logrotate (systemd.timer(5), semantics §12.3).

import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { formatTimestamp } from '../../src/units/values/timestamp.js';
import { boot, sleep, waitProps, type System } from './harness.js';

const STAMPS_INSIDE = '/var/lib/systemd/timers';

function recorder(name: string): string {
  return `[Service]\nType=oneshot\nExecStart=/bin/sh -c 'echo "$TRIGGER_UNIT" >> /run/${name}.log'\n`;
}

async function runs(sys: System, name: string): Promise<string[]> {
  const r = await sys.exec('cat', `/run/${name}.log`);
  return r.code === 0 ? r.stdout.trim().split('\n').filter(Boolean) : [];
}

async function waitRuns(sys: System, name: string, n: number, timeoutMs = 15000): Promise<string[]> {
  const end = Date.now() + timeoutMs;
  let lines = await runs(sys, name);
  while (lines.length < n && Date.now() < end) {
    await sleep(100);
    lines = await runs(sys, name);
  }
  return lines;
}

/** The next local midnight after now, in µs. */
function nextMidnightUSec(): number {
  const d = new Date();
  d.setHours(24, 0, 0, 0);
  return d.getTime() * 1000;
}

t.test('OnCalendar= fires on every match; calendar timers order after time-set/time-sync', async (t) => {
  const sys = await boot({
    units: {
      'tcal.timer': '[Unit]\nDescription=Calendar Timer\n[Timer]\nOnCalendar=*:*:0/2\nAccuracySec=1us\n',
      'tcal.service': recorder('tcal'),
    },
    enable: ['tcal.timer'],
  });
  t.teardown(() => sys.stop());
  t.ok((await waitRuns(sys, 'tcal', 2)).length >= 2, 'ran on two matches');
  const show = await sys.ctl('show', 'tcal.timer', '-p', 'TimersCalendar,After,Before,Requires,Conflicts');
  t.match(show.stdout, /TimersCalendar=\{ OnCalendar=\*-\*-\* \*:\*:00\/2 ; next_elapse=\w{3} \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \w+ \}/);
  t.match(show.stdout, /After=.*time-set\.target/);
  t.match(show.stdout, /After=.*time-sync\.target/);
  t.match(show.stdout, /Before=.*tcal\.service/);
  t.match(show.stdout, /Before=.*timers\.target/);
  t.match(show.stdout, /Conflicts=shutdown\.target/);
});

t.test('Persistent=yes: a run missed while stopped happens at the next boot, once', async (t) => {
  const stamps = mkdtempSync(join(tmpdir(), 'unitd-stamps-'));
  t.teardown(() => rmSync(stamps, { recursive: true, force: true }));
  const stamp = join(stamps, 'stamp-tpers.timer');
  writeFileSync(stamp, '');
  const threeDaysAgo = Date.now() / 1000 - 3 * 86400;
  utimesSync(stamp, threeDaysAgo, threeDaysAgo);
  const units = {
    // AccuracySec=1h (logrotate.timer's): the catch-up is already due when the timer is armed at
    // boot, so it runs at once, as under systemd, not at a coalesced instant up to an hour later.
    'tpers.timer': '[Timer]\nOnCalendar=daily\nPersistent=true\nAccuracySec=1h\n',
    'tpers.service': recorder('tpers'),
  };
  const bootStart = Date.now();
  const first = await boot({ units, enable: ['tpers.timer'], binds: { [STAMPS_INSIDE]: stamps } });
  try {
    t.same(await waitRuns(first, 'tpers', 1), ['tpers.timer'], 'the missed daily run happened at boot');
    const p = await waitProps(first, 'tpers.timer', ['SubState', 'NextElapseUSecRealtime', 'LastTriggerUSec'], (x) => x.SubState === 'waiting');
    t.equal(p.SubState, 'waiting');
    t.equal(p.NextElapseUSecRealtime, nextMidnightUSec(), 'then waits for the next midnight');
    t.ok((p.LastTriggerUSec as number) >= bootStart * 1000 - 1_000_000, 'LastTriggerUSec is the catch-up run');
    t.ok(statSync(stamp).mtimeMs >= bootStart - 1000, 'the stamp was updated to the trigger time');
  } finally {
    await first.stop();
  }
  const second = await boot({ units, enable: ['tpers.timer'], binds: { [STAMPS_INSIDE]: stamps } });
  t.teardown(() => second.stop());
  await waitProps(second, 'tpers.timer', ['SubState'], (x) => x.SubState === 'waiting');
  await sleep(1500);
  t.same(await runs(second, 'tpers'), [], 'the stamp is kept: no second catch-up run on the next boot');
  const mtimeUSec = Number(statSync(stamp, { bigint: true }).mtimeNs / 1000n);
  const last = await second.ctl('show', 'tpers.timer', '-p', 'LastTriggerUSec');
  t.equal(last.stdout, `LastTriggerUSec=${formatTimestamp(mtimeUSec)}\n`, 'the stamp is read back as the last trigger');
});

const LOGROTATE_UNITS = '/usr/lib/systemd/system';
const haveLogrotate = existsSync(join(LOGROTATE_UNITS, 'logrotate.timer')) && existsSync('/usr/sbin/logrotate');

t.test('Debian logrotate.timer: enabled, waits for midnight; logrotate.service runs logrotate', { skip: haveLogrotate ? false : 'logrotate is not installed (apt-get install logrotate)' }, async (t) => {
  const stamps = mkdtempSync(join(tmpdir(), 'unitd-stamps-'));
  t.teardown(() => rmSync(stamps, { recursive: true, force: true }));
  const sys = await boot({
    units: {
      'logrotate.timer': readFileSync(join(LOGROTATE_UNITS, 'logrotate.timer'), 'utf8'),
      'logrotate.service': readFileSync(join(LOGROTATE_UNITS, 'logrotate.service'), 'utf8'),
      // The real program on a private configuration: the host's logs stay untouched.
      'logrotate.service.d/test.conf': '[Service]\nExecStart=\nExecStart=/usr/sbin/logrotate -s /run/lr/status /run/lr/test.conf\n',
      'multi-user.target': '[Unit]\nDescription=Multi-User System\nWants=timers.target\n',
    },
    binds: { [STAMPS_INSIDE]: stamps },
  });
  t.teardown(() => sys.stop());
  t.equal((await sys.ctl('enable', 'logrotate.timer')).code, 0, 'enable works');
  t.ok(lstatSync(join(sys.unitDir, 'timers.target.wants', 'logrotate.timer')).isSymbolicLink(), 'linked into timers.target.wants');
  t.equal((await sys.ctl('start', 'logrotate.timer')).code, 0);
  const p = await waitProps(sys, 'logrotate.timer', ['LoadState', 'SubState', 'NextElapseUSecRealtime', 'AccuracyUSec', 'Persistent'], (x) => x.SubState === 'waiting');
  t.match(p, { LoadState: 'loaded', SubState: 'waiting', Persistent: true, AccuracyUSec: 3600_000_000 });
  t.equal(p.NextElapseUSecRealtime, nextMidnightUSec(), 'next elapse at the next midnight');
  const show = await sys.ctl('show', 'logrotate.timer', '-p', 'NextElapseUSecRealtime');
  t.equal(show.stdout, `NextElapseUSecRealtime=${formatTimestamp(nextMidnightUSec())}\n`);
  const list = await sys.ctl('list-timers');
  t.match(list.stdout, / logrotate\.timer +logrotate\.service\n/);

  await sys.exec('mkdir', '-p', '/run/lr');
  await sys.exec('sh', '-c', 'echo "/run/lr/app.log {\n  rotate 2\n  size 1\n  missingok\n}" > /run/lr/test.conf; echo hello > /run/lr/app.log');
  const r = await sys.ctl('start', 'logrotate.service');
  t.equal(r.code, 0, r.stderr);
  t.equal((await sys.exec('cat', '/run/lr/app.log.1')).stdout, 'hello\n', 'logrotate rotated the log');
});

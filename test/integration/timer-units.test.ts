// .timer units as PID 1, through the real systemctl: each monotonic key starts its unit through
// a normal job, OnUnit*Sec= re-arm after every run, RemainAfterElapse=no ends the timer, a unit
// still running is not started twice, a timer whose unit is missing refuses to start, a timer
// without values is bad-setting, and enabled timers start at boot (systemd.timer(5), semantics §12).

import t from 'tap';
import { boot, sleep, waitProps, type System } from './harness.js';

/** A oneshot that appends its trigger environment to /run/NAME.log. */
function recorder(name: string, extra = ''): string {
  return `[Service]
Type=oneshot
ExecStart=/bin/sh -c 'echo "$TRIGGER_UNIT $TRIGGER_TIMER_REALTIME_USEC $TRIGGER_TIMER_MONOTONIC_USEC" >> /run/${name}.log${extra}'
`;
}

// AccuracySec=1us everywhere: the tests wait for runs, so they should not wait for coalescing.
const units: Record<string, string> = {
  'multi-user.target': '[Unit]\nDescription=Multi-User System\nWants=timers.target\n',
  'timers.target.wants/tboot.timer': '',
  // Also enabled, so that once stopped it stays loaded (referenced) for list-timers --all.
  'timers.target.wants/trep.timer': '',
  'tboot.timer': '[Unit]\nDescription=Boot Timer\n[Timer]\nOnBootSec=1s\nAccuracySec=1us\n[Install]\nWantedBy=timers.target\n',
  'tboot.service': recorder('tboot'),
  'tact.timer': '[Unit]\nDescription=Active Timer\n[Timer]\nOnActiveSec=1s\nAccuracySec=1us\n',
  'tact.service': recorder('tact'),
  'tstartup.timer': '[Timer]\nOnStartupSec=1s\nAccuracySec=1us\nUnit=tstartup-run.service\n',
  'tstartup-run.service': recorder('tstartup'),
  'trep.timer': '[Timer]\nOnActiveSec=1s\nOnUnitActiveSec=1s\nAccuracySec=1us\n',
  'trep.service': recorder('trep'),
  'tinact.timer': '[Timer]\nOnActiveSec=1s\nOnUnitInactiveSec=1s\nAccuracySec=1us\n',
  'tinact.service': recorder('tinact'),
  'tonce.timer': '[Timer]\nOnActiveSec=1s\nAccuracySec=1us\nRemainAfterElapse=no\n',
  'tonce.service': recorder('tonce'),
  'tbusy.timer': '[Timer]\nOnActiveSec=1s\nOnUnitActiveSec=1s\nAccuracySec=1us\n',
  'tbusy.service': recorder('tbusy', '; sleep 3'),
  'tfail.timer': '[Timer]\nOnActiveSec=1s\nAccuracySec=1us\n',
  'tfail.service': '[Service]\nType=oneshot\nExecStart=/bin/sh -c "echo x >> /run/tfail.log; exit 3"\n',
  'tnosvc.timer': '[Timer]\nOnActiveSec=1h\n',
  'tnone.timer': '[Timer]\nUnit=tact.service\n',
  'tbad.timer': '[Timer]\nOnActiveSec=5x\nOnActiveSec=1h\nUnit=nosuffix\nUnit=tact.service\nUnit=tbad2.service\nWakeSystem=yes\n',
  'tempty.timer': '[Timer]\nOnActiveSec=1h\nOnBootSec=\nOnUnitActiveSec=2h\nUnit=tact.service\n',
};

let sys: System;
t.before(async () => {
  sys = await boot({ units });
});
t.teardown(async () => {
  await sys?.stop();
});

async function runs(name: string): Promise<string[]> {
  const r = await sys.exec('cat', `/run/${name}.log`);
  return r.code === 0 ? r.stdout.trim().split('\n').filter(Boolean) : [];
}

async function waitRuns(name: string, n: number, timeoutMs = 15000): Promise<string[]> {
  const end = Date.now() + timeoutMs;
  let lines = await runs(name);
  while (lines.length < n && Date.now() < end) {
    await sleep(100);
    lines = await runs(name);
  }
  return lines;
}

t.test('an enabled timer (timers.target.wants) starts at boot and OnBootSec= runs its service once', async (t) => {
  const lines = await waitRuns('tboot', 1);
  t.equal(lines.length, 1, 'tboot.service ran');
  t.match(lines[0], /^tboot\.timer \d+ \d+$/, 'TRIGGER_UNIT and the trigger times reach the service');
  const p = await waitProps(sys, 'tboot.timer', ['ActiveState', 'SubState', 'Result', 'LastTriggerUSec'], (x) => x.SubState === 'elapsed');
  t.match(p, { ActiveState: 'active', SubState: 'elapsed', Result: 'success' });
  t.ok((p.LastTriggerUSec as number) > 0, 'LastTriggerUSec is set');
  await sleep(1500);
  t.equal((await runs('tboot')).length, 1, 'a one-shot value does not fire again');
});

t.test('OnActiveSec= fires once after start; show has systemd properties', async (t) => {
  t.equal((await sys.ctl('start', 'tact.timer')).code, 0);
  const waiting = await sys.ctl('show', 'tact.timer', '-p', 'SubState,TimersMonotonic,NextElapseUSecMonotonic,Unit,Triggers,AccuracyUSec');
  t.match(waiting.stdout, /SubState=(waiting|running|elapsed)/);
  t.match(waiting.stdout, /Unit=tact\.service/);
  t.match(waiting.stdout, /Triggers=tact\.service/);
  t.match(waiting.stdout, /AccuracyUSec=1us/);
  t.match(waiting.stdout, /TimersMonotonic=\{ OnActiveUSec=1s ; next_elapse=\S/);
  t.equal((await waitRuns('tact', 1)).length, 1, 'the service ran');
  await waitProps(sys, 'tact.timer', ['SubState'], (x) => x.SubState === 'elapsed');
  const status = await sys.ctl('status', 'tact.timer');
  t.match(status.stdout, /Active: active \(elapsed\) since /);
  t.match(status.stdout, /\n    Trigger: n\/a\n   Triggers: ● tact\.service\n/);
  const svc = await sys.ctl('status', 'tact.service');
  t.match(svc.stdout, /TriggeredBy: ● tact\.timer/);
  t.same((await sys.props('tact.service', 'TriggeredBy')).TriggeredBy, ['tact.timer']);
  t.equal((await sys.ctl('start', 'tact.timer')).code, 0, 'start of an elapsed timer is a no-op');
  await sleep(1500);
  t.equal((await runs('tact')).length, 1, 'no second run after starting an elapsed timer');
  t.equal((await sys.ctl('restart', 'tact.timer')).code, 0);
  t.equal((await waitRuns('tact', 2)).length, 2, 'restart re-arms it');
});

t.test('OnStartupSec= counts from the manager start and starts Unit=', async (t) => {
  t.equal((await sys.ctl('start', 'tstartup.timer')).code, 0);
  t.equal((await waitRuns('tstartup', 1)).length, 1, 'a past startup deadline fires at once on start');
  t.same((await sys.props('tstartup.timer', 'Unit')).Unit, 'tstartup-run.service');
});

t.test('OnUnitActiveSec= repeats after every run', async (t) => {
  t.equal((await sys.ctl('start', 'trep.timer')).code, 0);
  t.ok((await waitRuns('trep', 3)).length >= 3, 'ran at least three times');
  await sys.ctl('stop', 'trep.timer');
  const p = await sys.props('trep.timer', 'ActiveState', 'SubState', 'LastTriggerUSec');
  t.match(p, { ActiveState: 'inactive', SubState: 'dead' });
  t.ok((p.LastTriggerUSec as number) > 0, 'stop keeps LastTriggerUSec');
  const n = (await runs('trep')).length;
  await sleep(2000);
  t.equal((await runs('trep')).length, n, 'a stopped timer does not fire');
});

t.test('OnUnitInactiveSec= re-arms after the unit becomes inactive', async (t) => {
  t.equal((await sys.ctl('start', 'tinact.timer')).code, 0);
  t.ok((await waitRuns('tinact', 3)).length >= 3, 'ran at least three times');
  await sys.ctl('stop', 'tinact.timer');
});

t.test('RemainAfterElapse=no: the timer ends once it cannot elapse again', async (t) => {
  t.equal((await sys.ctl('start', 'tonce.timer')).code, 0);
  t.equal((await waitRuns('tonce', 1)).length, 1);
  const p = await waitProps(sys, 'tonce.timer', ['ActiveState', 'SubState'], (x) => x.SubState === 'dead');
  t.match(p, { ActiveState: 'inactive', SubState: 'dead' });
  const journal = await sys.exec('node', `${process.cwd()}/init/journalctl`, '--no-pager', '-u', 'tonce.timer');
  t.match(journal.stdout, /tonce\.timer: Deactivated successfully\./);
});

t.test('a unit still running when the timer elapses again is not started twice', async (t) => {
  t.equal((await sys.ctl('start', 'tbusy.timer')).code, 0);
  t.equal((await waitRuns('tbusy', 1)).length, 1);
  const p = await waitProps(sys, 'tbusy.timer', ['SubState'], (x) => x.SubState === 'running');
  t.equal(p.SubState, 'running', 'the timer follows its running unit');
  await sleep(1500);
  t.equal((await runs('tbusy')).length, 1, 'no second start while the first run lasts');
  t.equal((await waitRuns('tbusy', 2, 20000)).length, 2, 'the next run comes after the first ended');
  await sys.ctl('stop', 'tbusy.timer');
});

t.test("a failing triggered unit does not fail the timer", async (t) => {
  t.equal((await sys.ctl('start', 'tfail.timer')).code, 0);
  t.equal((await waitRuns('tfail', 1)).length, 1);
  await waitProps(sys, 'tfail.service', ['ActiveState'], (x) => x.ActiveState === 'failed');
  const p = await waitProps(sys, 'tfail.timer', ['ActiveState', 'SubState', 'Result'], (x) => x.SubState === 'elapsed');
  t.match(p, { ActiveState: 'active', SubState: 'elapsed', Result: 'success' });
});

t.test('a timer whose unit is missing refuses to start and stays inactive', async (t) => {
  const r = await sys.ctl('start', 'tnosvc.timer');
  t.equal(r.code, 1);
  t.match(r.stderr, /Job failed\. See "journalctl -xe" for details\./);
  t.match(await sys.props('tnosvc.timer', 'ActiveState', 'SubState'), { ActiveState: 'inactive', SubState: 'dead' });
  t.match(sys.console(), /tnosvc\.timer: Refusing to start, unit tnosvc\.service to trigger not loaded\./);
});

t.test('a timer without values is bad-setting', async (t) => {
  t.match(await sys.props('tnone.timer', 'LoadState'), { LoadState: 'bad-setting' });
  const r = await sys.ctl('start', 'tnone.timer');
  t.equal(r.code, 1);
  t.match(r.stderr, /Failed to start tnone\.timer: Unit tnone\.timer has a bad unit file setting\./);
  t.match(sys.console(), /tnone\.timer: Timer unit lacks value setting\. Refusing\./);
});

t.test('bad values and extra Unit= lines are warnings naming the line; an empty On*= resets', async (t) => {
  const p = await sys.props('tbad.timer', 'LoadState', 'Unit', 'TimersMonotonic');
  t.match(p, { LoadState: 'loaded', Unit: 'tact.service' });
  t.same(p.TimersMonotonic, [{ timerBase: 'OnActiveUSec', usec: 3600000000, nextElapse: 0 }]);
  const out = sys.console();
  t.match(out, /tbad\.timer:2: Failed to parse timer value, ignoring: 5x/);
  t.match(out, /tbad\.timer:4: Unit type not valid, ignoring: nosuffix/);
  t.match(out, /tbad\.timer:6: Multiple units to trigger specified, ignoring: tbad2\.service/);
  const show = await sys.ctl('show', 'tempty.timer', '-p', 'TimersMonotonic');
  t.equal(show.stdout, 'TimersMonotonic={ OnUnitActiveUSec=2h ; next_elapse=0 }\n', 'only the value after the reset is left');
});

t.test('list-timers lists active timers with systemd columns and footer', async (t) => {
  await sys.ctl('start', 'tnosvc.timer');
  const r = await sys.ctl('list-timers');
  t.equal(r.code, 0);
  const lines = r.stdout.split('\n');
  t.match(lines[0], /^NEXT +LEFT +LAST +PASSED +UNIT +ACTIVATES$/);
  t.match(r.stdout, / tboot\.timer +tboot\.service\n/);
  t.match(r.stdout, /\n\n\d+ timers listed\.\nPass --all to see loaded but inactive timers, too\.\n$/);
  const all = await sys.ctl('list-timers', '--all', 'trep*');
  t.match(all.stdout, /^NEXT +LEFT +LAST +PASSED +UNIT +ACTIVATES\n- +- +\w{3} \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC .+ ago trep\.timer trep\.service\n\n1 timers listed\.\n$/);
  const none = await sys.ctl('list-timers', 'nosuch');
  t.equal(none.stdout, 'NEXT LEFT LAST PASSED UNIT ACTIVATES\n\n0 timers listed.\nPass --all to see loaded but inactive timers, too.\n');
});

// sd_notify(3) services: READY late, never (timeout), exiting first (protocol),
// STATUS= live, STOPPING=1, watchdog, NotifyAccess= enforcement.

import t from 'tap';
import { boot, NOTIFIER, sleep, waitProps, type System } from './harness.js';

const py = `/usr/bin/python3 ${NOTIFIER}`;
const units: Record<string, string> = {
  'late.service': `[Service]
Type=notify
ExecStart=${py} sleep:1.0 send:READY=1 sleep:1000
`,
  'never.service': `[Unit]
Description=Never ready
[Service]
Type=notify
TimeoutStartSec=1
ExecStart=${py} sleep:1000
`,
  'abort.service': `[Service]
Type=notify
TimeoutStartSec=0.5
TimeoutStartFailureMode=abort
ExecStart=${py} sleep:1000
`,
  'early.service': `[Service]
Type=notify
ExecStart=${py} sleep:0.2 exit:0
`,
  'status.service': `[Service]
Type=notify
NotifyAccess=all
ExecStart=${py} send:READY=1 status-loop:1.0
`,
  'shell.service': `[Service]
Type=notify
NotifyAccess=all
ExecStart=/bin/sh -c 'sleep 0.2; systemd-notify --ready --status="Serving 42 requests"; exec sleep 1000'
`,
  'mainonly.service': `[Service]
Type=notify
TimeoutStartSec=1.5
ExecStart=/bin/sh -c '/usr/bin/python3 ${NOTIFIER} send:READY=1; exec sleep 1000'
`,
  'stopping.service': `[Service]
Type=notify
ExecStart=${py} send:READY=1 sleep:0.5 send:STOPPING=1 sleep:0.5 exit:0
`,
  // Active and naming stopping.service: the GC keeps that one loaded once it is dead, so its end state can be read.
  'hold.target': '[Unit]\nAfter=stopping.service\n',
  'watchdog.service': `[Service]
Type=notify
WatchdogSec=0.5
ExecStart=${py} send:READY=1 sleep:1000
`,
  'fed.service': `[Service]
Type=notify
WatchdogSec=0.5
ExecStart=${py} send:READY=1 watchdog-loop:0.1
`,
  'extend.service': `[Service]
Type=notify
TimeoutStartSec=0.5
ExecStart=${py} send:EXTEND_TIMEOUT_USEC=2000000 sleep:1.0 send:READY=1 sleep:1000
`,
  'errno.service': `[Service]
Type=notify
ExecStart=${py} send:READY=1\\nSTATUS=broken\\nERRNO=5 sleep:1000
`,
};

let sys: System;
t.before(async () => {
  sys = await boot({ units, enable: ['hold.target'] });
});
t.teardown(async () => {
  await sys?.stop();
});

t.test('READY=1 sent late: start waits for it, then active (running)', async (t) => {
  const began = Date.now();
  const r = await sys.ctl('start', 'late.service');
  const took = Date.now() - began;
  t.equal(r.code, 0);
  t.ok(took >= 900, `start took ${took} ms`);
  t.match(await sys.props('late.service', 'ActiveState', 'SubState'), { ActiveState: 'active', SubState: 'running' });
});

t.test('READY=1 never sent: start times out, Result=timeout', async (t) => {
  const began = Date.now();
  const r = await sys.ctl('start', 'never.service');
  const took = Date.now() - began;
  t.equal(r.code, 1);
  t.match(r.stderr, /Job for never.service failed because a timeout was exceeded/);
  t.ok(took >= 900, `gave up only after TimeoutStartSec= (${took} ms)`);
  t.match(await sys.props('never.service', 'ActiveState', 'SubState', 'Result', 'ExecMainCode', 'ExecMainStatus'), {
    ActiveState: 'failed',
    SubState: 'failed',
    Result: 'timeout',
    ExecMainCode: 2,
    ExecMainStatus: 15,
  });
  t.match(sys.console(), /never.service: start operation timed out\. Terminating\./);
});

t.test('TimeoutStartFailureMode=abort sends WatchdogSignal= (SIGABRT) on a start timeout', async (t) => {
  const r = await sys.ctl('start', 'abort.service');
  t.equal(r.code, 1);
  t.match(await sys.props('abort.service', 'ActiveState', 'Result', 'ExecMainStatus'), { ActiveState: 'failed', Result: 'timeout', ExecMainStatus: 6 });
  t.match(sys.console(), /abort.service: start operation timed out\. Aborting\./);
});

t.test('main process exits before READY=1: Result=protocol', async (t) => {
  const r = await sys.ctl('start', 'early.service');
  t.equal(r.code, 1);
  t.match(r.stderr, /the service did not take the steps required by its unit configuration/);
  t.match(await sys.props('early.service', 'ActiveState', 'Result'), { ActiveState: 'failed', Result: 'protocol' });
});

t.test('STATUS= sent every second shows up live in show -p StatusText', async (t) => {
  t.equal((await sys.ctl('start', 'status.service')).code, 0);
  const seen = new Set<string>();
  const end = Date.now() + 6000;
  while (Date.now() < end && seen.size < 3) {
    const r = await sys.ctl('show', 'status.service', '-p', 'StatusText');
    seen.add(r.stdout.trim());
    await sleep(100);
  }
  const ticks = [...seen].filter((s) => /^StatusText=tick \d+$/.test(s));
  t.ok(ticks.length >= 3, `saw ${ticks.length} different statuses: ${[...seen].join(', ')}`);
  const status = await sys.ctl('status', 'status.service');
  t.match(status.stdout, /Status: "tick \d+"/);
});

t.test('NotifyAccess=all accepts a helper process; the default main refuses it', async (t) => {
  t.equal((await sys.ctl('start', 'shell.service')).code, 0);
  const p = await sys.props('shell.service', 'ActiveState', 'StatusText', 'NotifyAccess');
  t.match(p, { ActiveState: 'active', StatusText: 'Serving 42 requests', NotifyAccess: 'all' });
  const r = await sys.ctl('start', 'mainonly.service');
  t.equal(r.code, 1, 'with the default NotifyAccess=main a helper process is not the main PID');
  t.match(await sys.props('mainonly.service', 'Result', 'NotifyAccess'), { Result: 'timeout', NotifyAccess: 'main' });
  t.match(sys.console(), /mainonly.service: Got notification message from PID \d+, but reception only permitted for main PID \d+/);
});

t.test('STOPPING=1 enters deactivating (stop-sigterm) without a signal, then dead', async (t) => {
  t.equal((await sys.ctl('start', 'stopping.service')).code, 0);
  const p = await waitProps(sys, 'stopping.service', ['ActiveState', 'SubState'], (p) => p.SubState === 'stop-sigterm', 2000);
  t.match(p, { ActiveState: 'deactivating', SubState: 'stop-sigterm' });
  const end = await waitProps(sys, 'stopping.service', ['ActiveState', 'SubState', 'Result', 'ExecMainCode'], (p) => p.SubState === 'dead', 3000);
  t.match(end, { ActiveState: 'inactive', SubState: 'dead', Result: 'success', ExecMainCode: 1 });
});

t.test('WatchdogSec= without WATCHDOG=1: SIGABRT, Result=watchdog', async (t) => {
  t.equal((await sys.ctl('start', 'watchdog.service')).code, 0);
  const p = await waitProps(sys, 'watchdog.service', ['ActiveState', 'Result', 'ExecMainCode', 'ExecMainStatus'], (p) => p.ActiveState === 'failed', 4000);
  t.match(p, { ActiveState: 'failed', Result: 'watchdog', ExecMainStatus: 6 });
  t.match(sys.console(), /watchdog.service: Watchdog timeout \(limit 500ms\)!/);
});

t.test('WATCHDOG=1 every 100 ms keeps a WatchdogSec=0.5 service alive', async (t) => {
  t.equal((await sys.ctl('start', 'fed.service')).code, 0);
  await sleep(1500);
  const p = await sys.props('fed.service', 'ActiveState', 'WatchdogUSec', 'WatchdogTimestamp');
  t.match(p, { ActiveState: 'active', WatchdogUSec: 500000 });
  t.ok((p.WatchdogTimestamp as number) > 0);
});

t.test('EXTEND_TIMEOUT_USEC= extends the start timeout', async (t) => {
  const r = await sys.ctl('start', 'extend.service');
  t.equal(r.code, 0, r.stderr);
  t.match(await sys.props('extend.service', 'ActiveState'), { ActiveState: 'active' });
});

t.test('ERRNO= and STATUS= are kept', async (t) => {
  t.equal((await sys.ctl('start', 'errno.service')).code, 0);
  t.match(await sys.props('errno.service', 'StatusText', 'StatusErrno'), { StatusText: 'broken', StatusErrno: 5 });
});

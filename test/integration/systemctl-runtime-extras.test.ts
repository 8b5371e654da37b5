// Issue 16 under unitd as PID 1: `enable/disable/mask --now`, freeze/thaw,
// clean, and the Tasks:/CPU: lines of status with TasksMax/TasksCurrent/CPUUsageNSec.
// Messages and exit codes are systemd 252's (checked against the oracle).

import t from 'tap';
import { boot, waitProps, type System } from './harness.js';

const units: Record<string, string> = {
  'web.service': `[Unit]
Description=Web
# Names burn.service, so a stopped burn stays loaded (not garbage-collected) and keeps its CPU.
After=burn.service
[Service]
ExecStart=/bin/sleep 1000
RuntimeDirectory=web
StateDirectory=web
TasksMax=7
[Install]
WantedBy=multi-user.target
`,
  'two.service': `[Service]
ExecStart=/bin/sh -c 'sleep 1001 & sleep 1002'
[Install]
WantedBy=multi-user.target
`,
  'burn.service': `[Service]
ExecStart=/bin/sh -c 'i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done; exec sleep 1000'
`,
  'gui.service': `[Service]
ExecStart=/bin/sleep 1000
[Install]
WantedBy=graphical.target
`,
  'plain.service': `[Service]
ExecStart=/bin/sleep 1000
`,
};

let sys: System;
t.before(async () => {
  sys = await boot({ units });
});
t.teardown(async () => {
  await sys?.stop();
});

t.test('enable --now starts, disable --now stops, with the link messages first', async (t) => {
  const en = await sys.ctl('enable', '--now', 'two.service');
  t.equal(en.code, 0, en.stderr);
  t.match(en.stderr, /^Created symlink \/etc\/systemd\/system\/multi-user\.target\.wants\/two\.service → \/etc\/systemd\/system\/two\.service\.\n$/);
  t.equal((await sys.ctl('is-active', 'two.service')).stdout, 'active\n');
  const dis = await sys.ctl('disable', '--now', 'two.service');
  t.equal(dis.code, 0, dis.stderr);
  t.equal(dis.stderr, 'Removed "/etc/systemd/system/multi-user.target.wants/two.service".\n');
  t.equal((await sys.ctl('is-active', 'two.service')).stdout, 'inactive\n');
});

t.test('a target unitd synthesizes is known to enable: no "non-existent unit" notice', async (t) => {
  const r = await sys.ctl('enable', 'gui.service');
  t.equal(r.code, 0);
  t.equal(r.stderr, 'Created symlink /etc/systemd/system/graphical.target.wants/gui.service → /etc/systemd/system/gui.service.\n');
});

t.test('enable --now of a missing unit fails before starting anything', async (t) => {
  const r = await sys.ctl('enable', '--now', 'nope.service');
  t.equal(r.code, 1);
  // In the manager's words, as through systemd's bus (offline, systemctl says "Failed to enable unit, unit ...").
  t.equal(r.stderr, 'Failed to enable unit: Unit file nope.service does not exist.\n');
  t.equal((await sys.ctl('is-active', 'nope.service')).stdout, 'inactive\n');
});

t.test('reenable --now leaves the running state alone, as 252 does', async (t) => {
  const r = await sys.ctl('reenable', '--now', 'two.service');
  t.equal(r.code, 0, r.stderr);
  t.equal((await sys.ctl('is-active', 'two.service')).stdout, 'inactive\n');
  await sys.ctl('disable', 'two.service');
});

t.test('mask --now that fails stops nothing', async (t) => {
  t.equal((await sys.ctl('start', 'plain.service')).code, 0);
  // A unit in /etc cannot be masked (systemd refuses too): the refusal stops nothing.
  const r = await sys.ctl('mask', '--now', 'plain.service');
  t.equal(r.code, 1);
  t.equal(r.stderr, 'Failed to mask unit: File /etc/systemd/system/plain.service already exists.\n');
  t.equal((await sys.ctl('is-active', 'plain.service')).stdout, 'active\n');
  await sys.ctl('stop', 'plain.service');
});

t.test('freeze and thaw stop and continue every process of the unit', async (t) => {
  const inactive = await sys.ctl('freeze', 'web.service');
  t.equal(inactive.code, 1);
  t.equal(inactive.stderr, 'Failed to freeze unit web.service: Unit is inactive.\n');
  const thawInactive = await sys.ctl('thaw', 'web.service');
  t.equal(thawInactive.stderr, 'Failed to thaw unit web.service: Unit is inactive.\n');
  t.equal((await sys.ctl('start', 'web.service', 'two.service')).code, 0);
  await waitProps(sys, 'two.service', ['ActiveState'], (p) => p.ActiveState === 'active');
  t.equal((await sys.ctl('show', '-p', 'FreezerState', 'two.service')).stdout, 'FreezerState=running\n');
  const f = await sys.ctl('freeze', 'two.service');
  t.equal(f.code, 0, f.stderr);
  t.equal((await sys.ctl('show', '-p', 'FreezerState', '--value', 'two.service')).stdout, 'frozen\n');
  const states = async () => (await sys.exec('sh', '-c', 'for f in $(grep -l UNITD_UNIT=two.service /proc/[0-9]*/environ 2>/dev/null); do d=${f%/environ}; cut -d" " -f3 $d/stat; done | sort -u')).stdout.trim();
  t.equal(await states(), 'T', 'every process of the unit is stopped');
  t.match((await sys.ctl('status', 'two.service')).stdout, /Active: active \(running\) \(frozen\) since /);
  t.equal((await sys.ctl('freeze', 'two.service')).code, 0, 'freezing a frozen unit is no error');
  const th = await sys.ctl('thaw', 'two.service');
  t.equal(th.code, 0, th.stderr);
  t.match(await states(), /^[SR]+$/);
  t.equal((await sys.ctl('show', '-p', 'FreezerState', '--value', 'two.service')).stdout, 'running\n');
  // Stopping a frozen unit thaws it first, so it ends at once and reads running again.
  await sys.ctl('freeze', 'two.service');
  t.equal((await sys.ctl('stop', 'two.service')).code, 0);
  t.equal((await sys.ctl('show', '-p', 'FreezerState,ActiveState', 'two.service')).stdout, 'ActiveState=inactive\nFreezerState=running\n');
  const target = await sys.ctl('freeze', 'multi-user.target');
  t.equal(target.code, 1);
  t.equal(target.stderr, "Failed to freeze unit multi-user.target: Unit 'multi-user.target' does not support freezing.\n");
  const missing = await sys.ctl('freeze', 'nope.service');
  t.equal(missing.stderr, 'Failed to add reference to unit nope.service: Unit nope.service not found.\n');
  t.equal(missing.code, 1);
});

t.test('clean refuses an active unit, then removes the directories asked for', async (t) => {
  await waitProps(sys, 'web.service', ['ActiveState'], (p) => p.ActiveState === 'active');
  const busy = await sys.ctl('clean', '--what=state', 'web.service');
  t.equal(busy.code, 1);
  t.equal(busy.stderr, 'Failed to clean unit web.service: Unit is not inactive or has pending job.\n');
  t.equal((await sys.exec('test', '-d', '/var/lib/web')).code, 0, 'nothing removed');
  await sys.ctl('stop', 'web.service');
  const bogus = await sys.ctl('clean', '--what=bogus', 'web.service');
  t.equal(bogus.stderr, 'Failed to clean unit web.service: Invalid resource type: bogus\n');
  t.equal(bogus.code, 1);
  t.equal((await sys.exec('test', '-d', '/var/lib/web')).code, 0, 'the default (cache, runtime) keeps state');
  const r = await sys.ctl('clean', '--what=state', 'web.service');
  t.equal(r.code, 0, r.stderr);
  t.equal((await sys.exec('test', '-e', '/var/lib/web')).code, 1, 'StateDirectory removed');
  const none = await sys.ctl('clean', 'plain.service');
  t.equal(none.stderr, 'Failed to clean unit plain.service: No matching resources found.\n');
  t.equal(none.code, 1);
  const target = await sys.ctl('clean', 'multi-user.target');
  t.equal(target.stderr, "Failed to clean unit multi-user.target: Unit 'multi-user.target' does not support cleaning.\n");
});

t.test('status shows Tasks (with TasksMax) and CPU; show gives the properties', async (t) => {
  t.equal((await sys.ctl('start', 'web.service', 'burn.service')).code, 0);
  const web = await sys.ctl('status', 'web.service');
  t.match(web.stdout, /\n {6}Tasks: 1 \(limit: 7\)\n/);
  // format_timespan() to the millisecond, but under 1ms it prints microseconds: "CPU: 812us".
  t.match(web.stdout, /\n {8}CPU: \d+(\.\d+)?(ms|us)\n/);
  const props = await sys.ctl('show', '-p', 'TasksCurrent,TasksMax,CPUUsageNSec,MemoryCurrent', 'web.service');
  t.match(props.stdout, /^MemoryCurrent=\d+\nCPUUsageNSec=\d+\nTasksCurrent=1\nTasksMax=7\n$/);
  // burn.service spends its CPU in a shell loop before exec'ing sleep: the same process keeps the time.
  let cpu = 0;
  for (let i = 0; i < 100 && cpu < 50_000_000; i++) {
    cpu = Number((await sys.ctl('show', '-p', 'CPUUsageNSec', '--value', 'burn.service')).stdout.trim());
    if (cpu < 50_000_000) await new Promise((r) => setTimeout(r, 200));
  }
  t.ok(cpu >= 50_000_000, `CPU accounted: ${cpu} ns`);
  const defaultMax = Number((await sys.ctl('show', '-p', 'TasksMax', '--value', 'burn.service')).stdout.trim());
  t.ok(defaultMax > 0, 'DefaultTasksMax= (15% of the kernel limit) when unset');
  await sys.ctl('stop', 'burn.service');
  const stopped = await sys.ctl('status', 'burn.service');
  t.match(stopped.stdout, /\n {8}CPU: \d/, 'a stopped unit still loaded (web.service names it) keeps its last run’s CPU');
  t.notMatch(stopped.stdout, /Tasks:/);
});

// The service state machine on a fake host (test/manager/fake-host.ts): no processes, no
// wall-clock time. Start, stop, restart and timeout paths run in milliseconds, and the timing
// of each timeout is checked exactly on the fake clock (just before: nothing; at: the step).

import t from 'tap';
import type { Test } from 'tap';
import { Service } from '../../src/manager/service.js';
import { fakeWorld, type FakeWorld } from './fake-host.js';

const SEC = 1_000_000;

function service(t: Test, name: string, text: string): { svc: Service; w: FakeWorld } {
  const w = fakeWorld(t);
  const svc = new Service(w.load(name, text), w.host);
  t.teardown(() => svc.dispose());
  return { svc, w };
}

const state = (svc: Service): string => `${svc.activeState}/${svc.subState}`;
const result = (svc: Service): unknown => svc.properties().Result;

t.test('simple: start runs ExecStart and is active at once; stop ends dead with success', async (t) => {
  const { svc, w } = service(t, 'a.service', '[Service]\nExecStart=/bin/sleep 1000\n');
  t.equal(svc.start(), 'started');
  t.same(w.spawned.map((s) => s.argv), [['/bin/sleep', '1000']]);
  t.equal(state(svc), 'active/running');
  t.equal(svc.properties().MainPID, w.spawned[0].pid, 'MainPID is the spawned process');
  t.equal(svc.stop(), 'stopping');
  t.equal(state(svc), 'deactivating/stop-sigterm', 'SIGTERM sent, waiting for the main process');
  w.exit(svc, w.spawned[0].pid, 'killed', 15);
  t.equal(state(svc), 'inactive/dead', 'it went: dead');
  t.equal(result(svc), 'success');
});

t.test('stop: a main process that ignores SIGTERM gets SIGKILL at TimeoutStopSec= exactly', async (t) => {
  const { svc, w } = service(t, 'k.service', '[Service]\nExecStart=/bin/sleep 1000\nTimeoutStopSec=4\n');
  svc.start();
  svc.stop();
  w.clock.advance(4 * SEC - 1000);
  t.equal(state(svc), 'deactivating/stop-sigterm', 'still waiting just before the timeout');
  w.clock.advance(1000);
  t.equal(state(svc), 'deactivating/stop-sigkill');
  t.match(w.messages('k.service').join('\n'), 'State \'stop-sigterm\' timed out. Killing.');
  w.exit(svc, w.spawned[0].pid, 'killed', 9);
  t.equal(state(svc), 'failed/failed');
  t.equal(result(svc), 'timeout');
});

t.test('a main process exiting 1: failed with exit-code; Restart=on-failure waits RestartSec= exactly', async (t) => {
  const { svc, w } = service(t, 'r.service', '[Service]\nExecStart=/bin/false\nRestart=on-failure\nRestartSec=2\n');
  svc.start();
  w.exit(svc, w.spawned[0].pid, 'exited', 1);
  t.equal(state(svc), 'activating/auto-restart');
  t.equal(result(svc), 'exit-code');
  t.ok(svc.willAutoRestart(), 'a stop of it now is silent (will_restart)');
  w.clock.advance(2 * SEC - 1000);
  t.same(w.restarts, [], 'not before RestartSec=');
  w.clock.advance(1000);
  t.same(w.restarts, ['r.service'], 'the restart job is requested when RestartSec= elapses');
  t.equal(svc.properties().NRestarts, 1);
});

t.test('Restart=no: the failure is final', async (t) => {
  const { svc, w } = service(t, 'n.service', '[Service]\nExecStart=/bin/false\n');
  svc.start();
  w.exit(svc, w.spawned[0].pid, 'killed', 9);
  t.equal(state(svc), 'failed/failed');
  t.equal(result(svc), 'signal');
  w.clock.advance(3600 * SEC);
  t.same(w.restarts, []);
});

t.test('notify: never ready, the start times out at TimeoutStartSec= exactly', async (t) => {
  const { svc, w } = service(t, 'n.service', '[Service]\nType=notify\nExecStart=/bin/sleep 1000\nTimeoutStartSec=5\n');
  svc.start();
  t.equal(state(svc), 'activating/start');
  w.clock.advance(5 * SEC - 1000);
  t.equal(state(svc), 'activating/start', 'still starting just before the timeout');
  w.clock.advance(1000);
  t.equal(state(svc), 'deactivating/stop-sigterm', 'TimeoutStartFailureMode=terminate');
  t.match(w.messages('n.service').join('\n'), 'start operation timed out. Terminating.');
  w.exit(svc, w.spawned[0].pid, 'killed', 15);
  t.equal(state(svc), 'failed/failed');
  t.equal(result(svc), 'timeout');
});

t.test('notify: READY=1 from the main process makes it active; WatchdogSec= without a ping fails it', async (t) => {
  const { svc, w } = service(t, 'w.service', '[Service]\nType=notify\nExecStart=/bin/sleep 1000\nWatchdogSec=3\nRestart=on-watchdog\nRestartSec=1\n');
  svc.start();
  const main = w.spawned[0].pid;
  w.notify('READY=1', main + 1);
  t.equal(state(svc), 'activating/start', 'another sender is refused (NotifyAccess=main)');
  w.notify('READY=1', main);
  t.equal(state(svc), 'active/running');
  w.clock.advance(2 * SEC);
  w.notify('WATCHDOG=1', main);
  w.clock.advance(3 * SEC - 1000);
  t.equal(state(svc), 'active/running', 'a ping restarts the watchdog period');
  w.clock.advance(1000);
  t.equal(state(svc), 'deactivating/stop-watchdog', 'WatchdogSignal= sent');
  w.exit(svc, main, 'dumped', 6);
  t.equal(result(svc), 'watchdog');
  t.equal(state(svc), 'activating/auto-restart', 'Restart=on-watchdog');
  w.clock.advance(1 * SEC);
  t.same(w.restarts, ['w.service']);
});

t.test('oneshot: the ExecStart= lines run in turn; success after the last', async (t) => {
  const { svc, w } = service(t, 'o.service', '[Service]\nType=oneshot\nExecStart=/bin/true\nExecStart=/bin/echo two\nRemainAfterExit=yes\n');
  svc.start();
  t.equal(state(svc), 'activating/start');
  w.exit(svc, w.spawned[0].pid, 'exited', 0);
  t.same(w.spawned.map((s) => s.argv[0]), ['/bin/true', '/bin/echo'], 'the second runs after the first');
  w.exit(svc, w.spawned[1].pid, 'exited', 0);
  t.equal(state(svc), 'active/exited', 'RemainAfterExit=yes');
  t.equal(result(svc), 'success');
  t.ok(w.changes.some((c) => c.from === 'activating' && c.to === 'active'), 'the host heard of it');
});

t.test('oneshot: a failing ExecStart= stops the list', async (t) => {
  const { svc, w } = service(t, 'of.service', '[Service]\nType=oneshot\nExecStart=/bin/false\nExecStart=/bin/true\n');
  svc.start();
  w.exit(svc, w.spawned[0].pid, 'exited', 3);
  t.equal(w.spawned.length, 1, 'the second never runs');
  t.equal(state(svc), 'failed/failed');
  t.equal(result(svc), 'exit-code');
});

t.test('stop: ExecStop= runs; it times out at TimeoutStopSec= exactly and the unit ends failed (timeout)', async (t) => {
  const { svc, w } = service(t, 's.service', '[Service]\nExecStart=/bin/sleep 1000\nExecStop=/bin/sleep 60\nTimeoutStopSec=4\n');
  svc.start();
  t.equal(svc.stop(), 'stopping');
  t.equal(state(svc), 'deactivating/stop');
  t.same(w.spawned.map((s) => s.argv[0]), ['/bin/sleep', '/bin/sleep']);
  w.clock.advance(4 * SEC - 1000);
  t.equal(state(svc), 'deactivating/stop', 'ExecStop= still running');
  w.clock.advance(1000);
  t.equal(state(svc), 'deactivating/stop-sigterm', 'ExecStop= timed out: SIGTERM to what is left');
  w.exit(svc, w.spawned[0].pid, 'killed', 15);
  w.exit(svc, w.spawned[1].pid, 'killed', 15);
  t.equal(state(svc), 'failed/failed');
  t.equal(result(svc), 'timeout');
});

t.test('stop: ExecStop= that finishes in time ends dead with success', async (t) => {
  const { svc, w } = service(t, 's2.service', '[Service]\nExecStart=/bin/sleep 1000\nExecStop=/bin/true\nExecStopPost=/bin/true\n');
  svc.start();
  svc.stop();
  w.exit(svc, w.spawned[0].pid, 'exited', 0); // the daemon went on ExecStop='s word
  w.exit(svc, w.spawned[1].pid, 'exited', 0);
  t.equal(w.spawned[2]?.argv[0], '/bin/true', 'ExecStopPost= runs next');
  t.equal(state(svc), 'deactivating/stop-post');
  w.exit(svc, w.spawned[2].pid, 'exited', 0);
  t.equal(state(svc), 'inactive/dead');
  t.equal(result(svc), 'success');
});

t.test('restart: a stop for restart then a start run a new main process', async (t) => {
  const { svc, w } = service(t, 'rs.service', '[Service]\nExecStart=/bin/sleep 1000\n');
  svc.start();
  svc.stop({ forRestart: true });
  w.exit(svc, w.spawned[0].pid, 'killed', 15);
  t.equal(state(svc), 'inactive/dead');
  t.equal(svc.start(), 'started');
  t.equal(w.spawned.length, 2);
  t.equal(svc.properties().MainPID, w.spawned[1].pid, 'the new main process');
});

t.test('the start limit counts starts on the unit clock', async (t) => {
  const { svc, w } = service(t, 'l.service', '[Unit]\nStartLimitIntervalSec=10\nStartLimitBurst=2\n[Service]\nExecStart=/bin/true\n');
  for (let i = 0; i < 2; i++) {
    t.equal(svc.start(), 'started', `start ${i + 1}`);
    w.exit(svc, w.spawned[i].pid, 'exited', 0);
  }
  t.equal(svc.start(), 'failed', 'the third start within 10 s is refused');
  t.equal(result(svc), 'start-limit-hit');
  t.equal(state(svc), 'failed/failed');
  t.match(w.messages('l.service').join('\n'), 'Start request repeated too quickly.');
  w.clock.advance(10 * SEC);
  svc.resetFailed();
  t.equal(svc.start(), 'started', 'after the interval it may start again');
});

t.test('KillMode=process: the stop is over when the main process is gone; a leftover of it stays', async (t) => {
  const { svc, w } = service(t, 'kp.service', '[Service]\nExecStart=/bin/sleep 1000\nKillMode=process\n');
  svc.start();
  const main = w.spawned[0].pid;
  w.leftover(main);
  svc.stop();
  t.equal(state(svc), 'deactivating/stop-sigterm');
  w.exit(svc, main, 'killed', 15);
  t.equal(state(svc), 'inactive/dead', 'not waiting for the leftover');
  t.equal(result(svc), 'success');
});

t.test('KillMode=control-group: the stop waits for every process of the unit, then ExecStopPost= runs', async (t) => {
  const { svc, w } = service(t, 'kc.service', '[Service]\nExecStart=/bin/sleep 1000\nExecStopPost=/bin/true\n');
  svc.start();
  const main = w.spawned[0].pid;
  const left = w.leftover(main);
  svc.stop();
  w.exit(svc, main, 'killed', 15);
  t.equal(state(svc), 'deactivating/stop-sigterm', 'the leftover is still there');
  t.equal(w.spawned.length, 1, 'ExecStopPost= waits');
  w.vanish(svc, left);
  t.equal(state(svc), 'deactivating/stop-post');
  t.same(w.spawned[1]?.argv, ['/bin/true']);
  w.exit(svc, w.spawned[1].pid, 'exited', 0);
  t.equal(state(svc), 'inactive/dead');
  t.equal(result(svc), 'success');
});

t.test('KillMode=control-group: a leftover that never goes is killed at TimeoutStopSec=, then ExecStopPost= runs', async (t) => {
  const { svc, w } = service(t, 'kt.service', '[Service]\nExecStart=/bin/sleep 1000\nTimeoutStopSec=4\nExecStopPost=/bin/true\n');
  svc.start();
  const main = w.spawned[0].pid;
  w.leftover(main);
  svc.stop();
  w.exit(svc, main, 'killed', 15);
  w.clock.advance(4 * SEC - 1000);
  t.equal(state(svc), 'deactivating/stop-sigterm', 'still waiting for the leftover just before the timeout');
  w.clock.advance(1000);
  t.match(w.messages('kt.service').join('\n'), "State 'stop-sigterm' timed out. Killing.");
  // Fake pids take no signal, so the SIGKILL reaches nobody and there is nothing to wait for.
  t.equal(state(svc), 'deactivating/stop-post', 'ExecStopPost= runs next');
  w.exit(svc, w.spawned[1].pid, 'exited', 0);
  t.equal(result(svc), 'timeout');
});

t.test('KillMode=mixed: once the main process is gone, the remainder is SIGKILLed and waited for', async (t) => {
  const { svc, w } = service(t, 'km.service', '[Service]\nExecStart=/bin/sleep 1000\nKillMode=mixed\nTimeoutStopSec=4\n');
  svc.start();
  const main = w.spawned[0].pid;
  const left = w.leftover(main);
  svc.stop();
  w.exit(svc, main, 'killed', 15);
  t.equal(state(svc), 'deactivating/stop-sigterm', 'waiting for the remainder it SIGKILLed');
  w.vanish(svc, left);
  t.equal(state(svc), 'inactive/dead');
  t.equal(result(svc), 'success');
});

t.test('SendSIGKILL=no: a stop timeout skips SIGKILL and goes on to ExecStopPost=', async (t) => {
  const { svc, w } = service(t, 'ns.service', '[Service]\nExecStart=/bin/sleep 1000\nSendSIGKILL=no\nTimeoutStopSec=2\nExecStopPost=/bin/true\n');
  svc.start();
  svc.stop();
  w.clock.advance(2 * SEC);
  t.match(w.messages('ns.service').join('\n'), "State 'stop-sigterm' timed out. Skipping SIGKILL.");
  t.equal(state(svc), 'deactivating/stop-post');
  t.same(w.spawned[1]?.argv, ['/bin/true']);
});

t.test('ExecStopPost= runs after a crash, and the unit ends failed with the crash as result', async (t) => {
  const { svc, w } = service(t, 'sp.service', '[Service]\nExecStart=/bin/sleep 1000\nExecStopPost=/bin/true\n');
  svc.start();
  w.exit(svc, w.spawned[0].pid, 'killed', 11);
  t.equal(state(svc), 'deactivating/stop-post');
  t.same(w.spawned[1]?.argv, ['/bin/true']);
  w.exit(svc, w.spawned[1].pid, 'exited', 0);
  t.equal(state(svc), 'failed/failed');
  t.equal(result(svc), 'signal');
});

t.test('a failing ExecStopPost= is logged with its exit and counts in the result', async (t) => {
  const { svc, w } = service(t, 'spf.service', '[Service]\nExecStart=/bin/sleep 1000\nExecStopPost=/bin/false\n');
  svc.start();
  svc.stop();
  w.exit(svc, w.spawned[0].pid, 'killed', 15);
  w.exit(svc, w.spawned[1].pid, 'exited', 1);
  t.match(w.messages('spf.service').join('\n'), 'Control process exited, code=exited, status=1/FAILURE');
  t.equal(state(svc), 'failed/failed');
  t.equal(result(svc), 'exit-code');
});

t.test('Restart=always: a clean exit restarts after RestartSec=; a stop while waiting cancels it', async (t) => {
  const { svc, w } = service(t, 'ra.service', '[Service]\nExecStart=/bin/true\nRestart=always\nRestartSec=1\n');
  svc.start();
  w.exit(svc, w.spawned[0].pid, 'exited', 0);
  t.equal(state(svc), 'activating/auto-restart');
  t.equal(svc.stop(), 'already');
  t.equal(state(svc), 'inactive/dead');
  w.clock.advance(2 * SEC);
  t.same(w.restarts, [], 'no restart after the stop');
});

// Result=oom-kill (service_notify_cgroup_oom_event() of systemd 252): a SIGKILL death while the
// container's OOM kill counter rose is the OOM killer's; OOMPolicy= decides what follows.
t.test('OOM kill: OOMPolicy=stop (default) stops the unit, failed with oom-kill, and Restart= applies', async (t) => {
  const { svc, w } = service(t, 'eat.service', '[Service]\nExecStart=/usr/bin/tail /dev/zero\nExecStop=/bin/true\nRestart=on-failure\nRestartSec=1\n');
  svc.start();
  w.oomKill();
  w.exit(svc, w.spawned[0].pid, 'killed', 9);
  t.equal(state(svc), 'deactivating/stop', 'ExecStop= runs (service_enter_stop)');
  w.exit(svc, w.spawned[1].pid, 'exited', 0);
  t.equal(result(svc), 'oom-kill');
  t.equal(state(svc), 'activating/auto-restart', 'Restart=on-failure restarts it');
  const log = w.messages('eat.service');
  const oom = log.indexOf('A process of this unit has been killed by the OOM killer.');
  const exited = log.indexOf('Main process exited, code=killed, status=9/KILL');
  t.ok(oom >= 0 && exited > oom, 'the OOM line comes before the exit line', { log });
  t.ok(log.indexOf("Failed with result 'oom-kill'.") > exited, "then \"Failed with result 'oom-kill'.\"", { log });
});

t.test('OOM kill: OOMPolicy=continue keeps the result of the exit (signal)', async (t) => {
  const { svc, w } = service(t, 'c.service', '[Service]\nExecStart=/usr/bin/tail /dev/zero\nOOMPolicy=continue\n');
  svc.start();
  w.oomKill();
  w.exit(svc, w.spawned[0].pid, 'killed', 9);
  t.equal(state(svc), 'failed/failed');
  t.equal(result(svc), 'signal');
  t.ok(w.messages('c.service').includes('A process of this unit has been killed by the OOM killer.'), 'the kill is still logged');
});

t.test('OOM kill: OOMPolicy=kill SIGKILLs the rest of the unit, failed with oom-kill', async (t) => {
  const { svc, w } = service(t, 'k.service', '[Service]\nExecStart=/bin/sh -c "worker & tail /dev/zero"\nOOMPolicy=kill\n');
  svc.start();
  const main = w.spawned[0].pid;
  const worker = w.leftover(main);
  w.oomKill();
  w.exit(svc, main, 'killed', 9);
  t.equal(state(svc), 'deactivating/stop-sigkill', 'waits for the SIGKILLed rest of the unit');
  w.vanish(svc, worker);
  t.equal(state(svc), 'failed/failed');
  t.equal(result(svc), 'oom-kill');
});

t.test('OOM kill: a SIGKILL without a new OOM kill is a plain signal; an older kill is not claimed again', async (t) => {
  const { svc, w } = service(t, 's.service', '[Service]\nExecStart=/bin/sleep 1000\n');
  w.oomKill();
  svc.start();
  w.exit(svc, w.spawned[0].pid, 'killed', 9);
  t.equal(result(svc), 'signal', 'the kill before the start is not this run\'s');
  t.notOk(w.messages('s.service').some((l) => l.includes('OOM killer')));
});

t.test('refused notify senders: at most 200 warnings per 5 s, then "Suppressed N messages" when the window reopens', async (t) => {
  const { svc, w } = service(t, 'f.service', '[Service]\nType=notify\nExecStart=/bin/sleep 1000\n');
  svc.start();
  const main = w.spawned[0].pid;
  const refusals = () => w.messages('f.service').filter((l) => l.includes('but reception only permitted for main PID')).length;
  for (let i = 0; i < 5000; i++) w.notify('STATUS=flood', main + 1);
  t.equal(refusals(), 200, '5,000 refused datagrams, 200 warnings');
  w.notify('READY=1', main);
  t.equal(state(svc), 'active/running', 'the main process is still heard');
  w.clock.advance(5 * SEC + 1);
  w.notify('STATUS=flood', main + 1);
  t.equal(refusals(), 201, 'the next window logs again');
  t.ok(w.messages('f.service').includes('Suppressed 4800 messages about refused notifications.'), 'and says how many it left out');
});

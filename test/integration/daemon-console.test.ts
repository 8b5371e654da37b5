// The console of unitd as PID 1 (what `docker logs` shows) carries systemd-style lines only:
// a bad unit file, a failing service and a fault in an event handler each give one line and
// no JSON or stack; the details are in /run/unitd/unitd.log and in the journal as the
// manager's own entries (`journalctl _PID=1`, `journalctl -u init.scope`).

import t from 'tap';
import { boot, journalctl, sleep, waitJournal } from './harness.js';
import { JSON_OR_STACK, oddConsoleLines } from './console-lines.js';

t.test('console: one systemd-style line per diagnostic; details in unitd.log and the journal', async (t) => {
  const sys = await boot({
    units: {
      'bad.service': `[Service]\nExecStart=/bin/true\nNoSuchKey=1\nthis line has no equals sign\n`,
      'fail.service': `[Unit]\nDescription=Failing\n[Service]\nType=oneshot\nExecStart=/bin/false\n`,
      'faulty.service': `[Unit]\nDescription=Faulty\n[Service]\nExecStart=/bin/sleep 1\n`,
    },
    enable: ['bad.service', 'fail.service', 'faulty.service'],
    env: { UNITD_TEST_FAULTS: 'faulty.service:child-exit' },
    bootTimeoutMs: 30000,
  });
  t.teardown(() => sys.stop());

  t.ok(await sys.waitConsole((c) => c.includes('faulty.service: Handling child-exit event failed'), 20000), 'the fault is reported');
  t.ok(await sys.waitConsole((c) => /\[FAILED\] Failed to start fail\.service/.test(c), 10000), 'the failing service has its job line');
  await sleep(300);
  const lines = sys.console().split('\n').filter((l) => l !== '');
  t.same(oddConsoleLines(sys.console()), [], 'every console line is systemd-style');
  t.notMatch(sys.console(), JSON_OR_STACK, 'no JSON and no stack trace on the console');
  t.equal(lines.filter((l) => l.includes('Handling child-exit event failed')).length, 1, 'the fault has exactly one console line');
  t.match(sys.console(), /bad\.service:\d+: Unknown key 'NoSuchKey'|Unknown key name 'NoSuchKey'/, 'the bad unit file line is named');

  const file = (await sys.exec('cat', '/run/unitd/unitd.log')).stdout;
  t.match(file, /"msg":"unit event handler failed"/, 'unitd.log has the record');
  t.match(file, /"stack":"Error: fault injected/, 'unitd.log has the stack');

  const own = await waitJournal(sys, ['_PID=1', '-o', 'cat'], (o) => o.includes('unit event handler failed'));
  t.match(own, /faulty\.service: unit event handler failed: fault injected/, 'journalctl _PID=1 shows the diagnostic');
  const scope = (await journalctl(sys, '-u', 'init.scope', '-o', 'json')).stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, string>);
  t.ok(scope.length > 0, 'journalctl -u init.scope has entries');
  t.ok(scope.every((e) => e._PID === '1' && e.SYSLOG_IDENTIFIER === 'unitd' && e._SYSTEMD_UNIT === 'init.scope'), 'as the manager: _PID=1, unitd, init.scope');
  t.equal((await sys.ctl('is-system-running')).code !== 255, true, 'PID 1 still answers');
});

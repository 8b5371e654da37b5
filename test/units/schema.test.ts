import t from 'tap';
import { DiagnosticLog, formatDiagnostic } from '../../src/units/diagnostics.js';
import { parseUnitText } from '../../src/units/syntax.js';
import { interpretUnit } from '../../src/units/schema/interpret.js';
import { formatTimespan } from '../../src/units/values/timespan.js';

function load(name: string, text: string) {
  const log = new DiagnosticLog();
  const parsed = parseUnitText(text, `/etc/systemd/system/${name}`, log);
  const config = interpretUnit({
    name,
    assignments: parsed.assignments,
    sections: parsed.sections.map((s) => ({ ...s, file: parsed.file })),
    log,
    specifiers: { unitName: name, host: { hostname: 'h', osRelease: {} } },
  });
  return { config, lines: log.entries.map(formatDiagnostic) };
}

t.test('a minimal service has systemd 252 defaults', async (t) => {
  const { config, lines } = load('web.service', '[Service]\nExecStart=/bin/sleep 1000\n');
  t.same(lines, []);
  const s = config.service!;
  t.equal(s.type, 'simple');
  t.equal(formatTimespan(s.timeoutStartUSec), '1min 30s');
  t.equal(formatTimespan(s.timeoutStopUSec), '1min 30s');
  t.equal(formatTimespan(s.timeoutAbortUSec), '1min 30s');
  t.equal(formatTimespan(s.restartUSec), '100ms');
  t.equal(formatTimespan(s.runtimeMaxUSec), 'infinity');
  t.equal(formatTimespan(s.watchdogUSec), '0');
  t.equal(s.killMode, 'control-group');
  t.equal(s.killSignal, 15);
  t.equal(s.restartKillSignal, 15);
  t.equal(s.finalKillSignal, 9);
  t.equal(s.watchdogSignal, 6);
  t.equal(s.umask.toString(8).padStart(4, '0'), '0022');
  t.equal(s.notifyAccess, 'none');
  t.same(s.standardOutput, { kind: 'journal' });
  t.same(s.standardError, { kind: 'inherit' });
  t.equal(formatTimespan(config.unit.startLimitIntervalUSec), '10s');
  t.equal(config.unit.startLimitBurst, 5);
  t.equal(config.unit.defaultDependencies, true);
});

t.test('derived defaults: oneshot start timeout, notify access', async (t) => {
  const oneshot = load('o.service', '[Service]\nExecStart=/bin/true\nExecStart=/bin/false\nType=oneshot\n').config.service!;
  t.equal(formatTimespan(oneshot.timeoutStartUSec), 'infinity');
  t.equal(oneshot.execStart.length, 2);
  const implicit = load('o2.service', '[Service]\nRemainAfterExit=yes\nExecStop=/bin/true\n').config.service!;
  t.equal(implicit.type, 'oneshot');
  const notify = load('n.service', '[Service]\nType=notify\nNotifyAccess=none\nExecStart=/bin/x\n').config.service!;
  t.equal(notify.notifyAccess, 'main');
});

t.test('lists accumulate and reset on empty; dependencies never reset', async (t) => {
  const { config } = load(
    'l.service',
    [
      '[Unit]',
      'After=a.service b.service',
      'After=',
      'After=c.service a.service',
      'Wants=x.service',
      '[Service]',
      'ExecStart=/bin/true',
      'Environment=A=1 B=2',
      'Environment=',
      'Environment=C=3',
      'ExecStartPre=/bin/a',
      'ExecStartPre=',
      'ExecStartPre=/bin/b',
      'Restart=always',
      'Restart=on-failure',
    ].join('\n'),
  );
  t.same(config.unit.after, ['a.service', 'b.service', 'c.service']);
  t.same(config.service!.environment, [['C', '3']]);
  t.same(config.service!.execStartPre.map((c) => c.path), ['/bin/b']);
  t.equal(config.service!.restart, 'on-failure', 'scalars: last wins');
});

t.test('unknown keys and sections are warned; X- names and unsupported keys are silent', async (t) => {
  const { config, lines } = load(
    'u.service',
    [
      '[Unit]',
      'Foo=1',
      'X-Custom=1',
      '[Service]',
      'ExecStart=/bin/true',
      'PrivateTmp=yes',
      'ProtectSystem=strict',
      'MemoryMax=1G',
      '[Bogus]',
      'A=1',
      '[X-Vendor]',
      'B=2',
      '[Timer]',
      'OnCalendar=daily',
    ].join('\n'),
  );
  t.same(lines, [
    "/etc/systemd/system/u.service:2: Unknown key 'Foo' in section [Unit], ignoring.",
    "/etc/systemd/system/u.service:9: Unknown section 'Bogus'. Ignoring.",
    "/etc/systemd/system/u.service:13: Unknown section 'Timer'. Ignoring.",
  ]);
  t.same(config.unsupported.map((u) => u.key), ['Service.PrivateTmp', 'Service.ProtectSystem', 'Service.MemoryMax']);
});

t.test('conditions: trigger, negate, and empty reset', async (t) => {
  const { config } = load(
    'c.service',
    ['[Unit]', 'ConditionPathExists=/a', 'ConditionPathExists=', 'ConditionPathExists=|!/b', 'AssertPathExists=/c', '[Service]', 'ExecStart=/bin/true'].join('\n'),
  );
  t.same(config.unit.conditions, [{ kind: 'PathExists', negate: true, trigger: true, value: '/b' }]);
  t.same(config.unit.asserts, [{ kind: 'PathExists', negate: false, trigger: false, value: '/c' }]);
});

t.test('[Install] keys expand install specifiers', async (t) => {
  const { config } = load('foo@bar.service', '[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\nAlias=alias-%i.service\nDefaultInstance=x\n');
  t.same(config.install, { wantedBy: ['multi-user.target'], requiredBy: [], alias: ['alias-bar.service'], also: [], defaultInstance: 'x' });
});

t.test('inert unit types keep raw settings', async (t) => {
  const { config, lines } = load('t.mount', '[Mount]\nWhat=/dev/a\nWhat=/dev/b\nFoo=1\n');
  t.same(config.settings, { Mount: { What: ['/dev/a', '/dev/b'] } });
  t.same(lines, ["/etc/systemd/system/t.mount:4: Unknown key 'Foo' in section [Mount], ignoring."]);
});

t.test('[Timer] is typed: values accumulate, bad ones are warnings naming the line', async (t) => {
  const { config, lines } = load('t.timer', '[Timer]\nOnCalendar=daily\nOnCalendar=bogus day\nOnActiveSec=5x\nOnBootSec=2min\nAccuracySec=1h\nFoo=1\n');
  t.equal(config.timer?.calendar.length, 1);
  t.same(config.timer?.monotonic, [{ base: 'OnBootSec', usec: 120_000_000 }]);
  t.equal(config.timer?.accuracyUSec, 3_600_000_000);
  t.same(lines, [
    '/etc/systemd/system/t.timer:3: Failed to parse calendar specification, ignoring: bogus day',
    '/etc/systemd/system/t.timer:4: Failed to parse timer value, ignoring: 5x',
    "/etc/systemd/system/t.timer:7: Unknown key 'Foo' in section [Timer], ignoring.",
  ]);
});

t.test('garbage input gives diagnostics, not exceptions', async (t) => {
  const garbage = Buffer.from([0x5b, 0x53, 0x65, 0x72, 0x76, 0x69, 0x63, 0x65, 0x5d, 0x0a, 0xff, 0xfe, 0x00, 0x0a, 0x45, 0x3d, 0x80]);
  t.doesNotThrow(() => load('g.service', garbage.toString('latin1')));
  t.doesNotThrow(() => load('g.service', '[Service]\nExecStart=/bin/echo "' + 'x'.repeat(1 << 19) + '\n'));
});

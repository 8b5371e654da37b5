// CapabilityBoundingSet=, AmbientCapabilities=, SecureBits= and the scheduling keys parse as
// systemd 252's config_parse_capability_set(), secure_bits_from_string(),
// config_parse_exec_cpu_sched_*() and config_parse_exec_io_*() do.
import t from 'tap';
import { DiagnosticLog, formatDiagnostic } from '../../src/units/diagnostics.js';
import { parseUnitText } from '../../src/units/syntax.js';
import { interpretUnit } from '../../src/units/schema/interpret.js';

function service(lines: string[]) {
  const log = new DiagnosticLog();
  const name = 'x.service';
  const parsed = parseUnitText(['[Service]', 'ExecStart=/bin/true', ...lines].join('\n') + '\n', `/etc/systemd/system/${name}`, log);
  const config = interpretUnit({ name, assignments: parsed.assignments, sections: parsed.sections.map((s) => ({ ...s, file: parsed.file })), log, specifiers: { unitName: name, host: { hostname: 'h', osRelease: {} } } });
  return { s: config.service!, lines: log.entries.map(formatDiagnostic), unsupported: config.unsupported.map((u) => u.key) };
}

const ALL = Array.from({ length: 64 }, (_, i) => i);

t.test('CapabilityBoundingSet=: first line replaces, later lines add; ~ inverts; "" empties', async (t) => {
  t.equal(service([]).s.capabilityBoundingSet, undefined, 'unset: nothing dropped');
  t.same(service(['CapabilityBoundingSet=CAP_NET_BIND_SERVICE cap_chown']).s.capabilityBoundingSet, [0, 10]);
  t.same(service(['CapabilityBoundingSet=CAP_CHOWN', 'CapabilityBoundingSet=CAP_KILL']).s.capabilityBoundingSet, [0, 5], 'merged');
  t.same(service(['CapabilityBoundingSet=~CAP_SYS_ADMIN']).s.capabilityBoundingSet, ALL.filter((c) => c !== 21));
  t.same(service(['CapabilityBoundingSet=~CAP_SYS_ADMIN', 'CapabilityBoundingSet=~CAP_KILL']).s.capabilityBoundingSet, ALL.filter((c) => c !== 21 && c !== 5));
  t.same(service(['CapabilityBoundingSet=CAP_CHOWN', 'CapabilityBoundingSet=']).s.capabilityBoundingSet, [], 'empty: no capabilities at all');
  t.same(service(['CapabilityBoundingSet=CAP_BOGUS CAP_KILL']).s.capabilityBoundingSet, [5], 'unknown names skipped silently');
  t.same(service(['CapabilityBoundingSet=~']).s.capabilityBoundingSet, undefined, '"~" alone: all again');
  t.same(service(['CapabilityBoundingSet=CAP_CHOWN']).unsupported, [], 'not reported as "not applied"');
});

t.test('AmbientCapabilities= starts empty and merges the same way', async (t) => {
  t.same(service([]).s.ambientCapabilities, []);
  t.same(service(['AmbientCapabilities=CAP_NET_BIND_SERVICE', 'AmbientCapabilities=CAP_NET_RAW']).s.ambientCapabilities, [10, 13]);
  t.same(service(['AmbientCapabilities=CAP_NET_BIND_SERVICE', 'AmbientCapabilities=']).s.ambientCapabilities, []);
});

t.test('SecureBits=: each line replaces; unknown words skipped', async (t) => {
  t.equal(service(['SecureBits=keep-caps noroot-locked']).s.secureBits, (1 << 4) | (1 << 1));
  t.equal(service(['SecureBits=keep-caps', 'SecureBits=noroot bogus']).s.secureBits, 1);
  t.equal(service(['SecureBits=noroot', 'SecureBits=']).s.secureBits, 0);
});

t.test('CPU and I/O scheduling keys, with systemd\'s warnings', async (t) => {
  t.same(service(['CPUSchedulingPolicy=fifo']).s.cpuScheduling, { policy: 1, priority: 1 }, 'priority clamped into 1..99');
  t.same(service(['CPUSchedulingPriority=50', 'CPUSchedulingPolicy=rr']).s.cpuScheduling, { policy: 2, priority: 50 });
  t.same(service(['CPUSchedulingPolicy=rr', 'CPUSchedulingPriority=50']).s.cpuScheduling, { policy: 2, priority: 50 });
  t.same(service(['CPUSchedulingPriority=50', 'CPUSchedulingPolicy=batch']).s.cpuScheduling, { policy: 3, priority: 0 });
  t.equal(service(['CPUSchedulingPolicy=idle', 'CPUSchedulingPolicy=']).s.cpuScheduling, undefined);
  t.equal(service(['CPUSchedulingResetOnFork=yes']).s.cpuSchedulingResetOnFork, true);
  t.equal(service(['IOSchedulingClass=idle']).s.ioPriority, (3 << 13) | 4);
  t.equal(service(['IOSchedulingPriority=7']).s.ioPriority, (2 << 13) | 7, 'priority alone: best-effort');
  t.equal(service(['IOSchedulingClass=realtime', 'IOSchedulingPriority=0']).s.ioPriority, 1 << 13);
  t.equal(service(['IOSchedulingClass=none']).s.ioPriority, (2 << 13) | 4, 'none means best-effort 4');
  const bad = service(['CPUSchedulingPolicy=bogus', 'CPUSchedulingPriority=abc', 'CPUSchedulingPriority=100', 'IOSchedulingClass=bogus', 'IOSchedulingPriority=9']);
  // The exact lines `systemd-analyze verify` prints for the same file.
  t.same(bad.lines.map((l) => l.replace(/^.*?:\d+: /, '')), [
    'Failed to parse CPU scheduling policy, ignoring: bogus',
    'Failed to parse CPU scheduling priority, ignoring: abc',
    'CPU scheduling priority is out of range, ignoring: 100',
    'Failed to parse IO scheduling class, ignoring: bogus',
    'Failed to parse IO priority, ignoring: 9',
  ]);
  t.equal(bad.s.cpuScheduling, undefined);
});

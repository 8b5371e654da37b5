// Every key systemd 252 knows has a class in key-classes.ts, and the class is what unitd
// does: a key named "not applied" in the journal is exactly a not-applicable one.
import t from 'tap';
import { DiagnosticLog } from '../../src/units/diagnostics.js';
import { interpretUnit } from '../../src/units/schema/interpret.js';
import { classifiedKeys, KEY_CLASSES } from '../../src/units/schema/key-classes.js';

const SUFFIX: Record<string, string> = { Unit: 'service', Service: 'service', Socket: 'socket', Timer: 'timer', Path: 'path', Install: 'service' };

function reportedUnsupported(section: string, key: string): boolean {
  const name = `x.${SUFFIX[section] ?? 'service'}`;
  const config = interpretUnit({
    name,
    assignments: [{ section, key, value: 'x', file: `/etc/systemd/system/${name}`, line: 1 }],
    log: new DiagnosticLog(),
    specifiers: { unitName: name, host: { hostname: 'h', osRelease: {} } },
  });
  return config.unsupported.some((u) => u.key === `${section}.${key}`);
}

t.test('every known key of every section has a class', async (t) => {
  const keys = classifiedKeys();
  t.ok(keys.length > 400, `${keys.length} section keys`);
  const unclassified = keys.filter((k) => k.class === undefined).map((k) => `${k.section}.${k.key}`);
  t.same(unclassified, [], 'no key without a class');
  for (const c of KEY_CLASSES) t.ok(keys.some((k) => k.class === c), `some key is ${c}`);
});

t.test('a key is reported as not applied exactly when its class is not-applicable', async (t) => {
  const wrong: string[] = [];
  for (const { section, key, class: cls } of classifiedKeys()) {
    if (!(section in SUFFIX)) continue; // mount, swap, automount, slice and scope units are inert as a whole
    const reported = reportedUnsupported(section, key);
    if (reported !== (cls === 'not-applicable')) wrong.push(`${section}.${key}: ${cls ?? 'unclassified'} but ${reported ? '' : 'not '}reported`);
  }
  t.same(wrong, []);
});

t.test('classes of the settings this issue is about', async (t) => {
  const classOf = new Map(classifiedKeys().map((k) => [k.key, k.class]));
  t.equal(classOf.get('NoNewPrivileges'), 'applied');
  t.equal(classOf.get('RootDirectory'), 'applied');
  t.equal(classOf.get('StandardInputText'), 'applied');
  t.equal(classOf.get('StartLimitAction'), 'applied');
  t.equal(classOf.get('LimitCORE'), 'applied-where-permitted');
  t.equal(classOf.get('RootImage'), 'not-applicable');
  for (const key of ['TTYPath', 'TTYReset', 'TTYVHangup', 'TTYVTDisallocate', 'TTYRows', 'TTYColumns', 'CapabilityBoundingSet', 'AmbientCapabilities', 'SecureBits', 'CPUSchedulingPolicy', 'CPUSchedulingPriority', 'CPUSchedulingResetOnFork', 'IOSchedulingClass', 'IOSchedulingPriority']) {
    t.equal(classOf.get(key), 'applied', key);
  }
});

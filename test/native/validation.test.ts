// Bad input to every function is a TypeError or RangeError naming the field, from the
// TypeScript wrapper and from the C++ addon alike; nothing crashes the process.

import t from 'tap';
import { native } from '../../src/native/binding.js';
import {
  DatagramSocket, RLIMIT_NAMES, onChildExit, peerCredentials, sendDatagram, spawn, EXIT_STATUSES,
  exitStatusByCode, exitStatusByName, type SpawnSpec,
} from '../../src/native/index.js';

const ok: SpawnSpec = { path: '/bin/true', argv: ['true'], env: [] };
type Bad = [label: string, call: () => unknown, kind: typeof TypeError | typeof RangeError, field: RegExp];

function badSpecs(run: (spec: unknown) => unknown): Bad[] {
  const withField = (patch: Record<string, unknown>) => () => run({ ...ok, ...patch });
  return [
    ['spec not an object', () => run(null), TypeError, /spec/],
    ['path missing', () => run({ argv: [], env: [] }), TypeError, /spec\.path/],
    ['relative path', withField({ path: 'bin/true' }), RangeError, /spec\.path/],
    ['path with NUL', withField({ path: '/bin/\0true' }), RangeError, /spec\.path/],
    ['argv not an array', withField({ argv: 'true' }), TypeError, /spec\.argv/],
    ['argv item not a string', withField({ argv: ['true', 5] }), TypeError, /spec\.argv\[1\]/],
    ['env entry without =', withField({ env: ['PATH'] }), RangeError, /spec\.env\[0\]/],
    ['env entry with empty name', withField({ env: ['=x'] }), RangeError, /spec\.env\[0\]/],
    ['cwd empty', withField({ cwd: '' }), RangeError, /spec\.cwd/],
    ['setsid not boolean', withField({ setsid: 'yes' }), TypeError, /spec\.setsid/],
    ['negative uid', withField({ user: -1 }), RangeError, /spec\.user/],
    ['uid not integer', withField({ user: 1.5 }), TypeError, /spec\.user/],
    ['user object', withField({ user: {} }), TypeError, /spec\.user/],
    ['group empty', withField({ group: '' }), RangeError, /spec\.group/],
    ['supplementary not array', withField({ supplementaryGroups: 'adm' }), TypeError, /spec\.supplementaryGroups/],
    ['supplementary negative', withField({ supplementaryGroups: ['adm', -4] }), RangeError, /spec\.supplementaryGroups\[1\]/],
    ['umask too big', withField({ umask: 0o10000 }), RangeError, /spec\.umask/],
    ['umask negative', withField({ umask: -1 }), RangeError, /spec\.umask/],
    ['nice too low', withField({ nice: -21 }), RangeError, /spec\.nice/],
    ['nice too high', withField({ nice: 20 }), RangeError, /spec\.nice/],
    ['nice string', withField({ nice: '5' }), TypeError, /spec\.nice/],
    ['oom too high', withField({ oomScoreAdjust: 1001 }), RangeError, /spec\.oomScoreAdjust/],
    ['rlimits not array', withField({ rlimits: {} }), TypeError, /spec\.rlimits/],
    ['unknown rlimit', withField({ rlimits: [{ resource: 'FILES', soft: 1, hard: 1 }] }), RangeError, /spec\.rlimits\[0\]\.resource/],
    ['rlimit negative', withField({ rlimits: [{ resource: 'NOFILE', soft: -1, hard: 1 }] }), RangeError, /spec\.rlimits\[0\]\.soft/],
    ['rlimit soft > hard', withField({ rlimits: [{ resource: 'NOFILE', soft: 10, hard: 5 }] }), RangeError, /spec\.rlimits\[0\]\.soft/],
    ['rlimit bad string', withField({ rlimits: [{ resource: 'NOFILE', soft: 'lots', hard: 5 }] }), TypeError, /spec\.rlimits\[0\]\.soft/],
    ['stdin not object', withField({ stdin: 'null' }), TypeError, /spec\.stdin/],
    ['stdout unknown kind', withField({ stdout: { kind: 'journal' } }), RangeError, /spec\.stdout\.kind/],
    ['stderr file without path', withField({ stderr: { kind: 'file', mode: 'append' } }), TypeError, /spec\.stderr\.path/],
    ['stdout file bad mode', withField({ stdout: { kind: 'file', path: '/tmp/x', mode: 'rw' } }), RangeError, /spec\.stdout\.mode/],
    ['stdin fd negative', withField({ stdin: { kind: 'fd', fd: -1 } }), RangeError, /spec\.stdin\.fd/],
    ['extraFds not array', withField({ extraFds: 3 }), TypeError, /spec\.extraFds/],
    ['extraFds negative', withField({ extraFds: [-3] }), RangeError, /spec\.extraFds\[0\]/],
    ['listenFdNames count mismatch', withField({ extraFds: [0], listenFdNames: [] }), RangeError, /spec\.listenFdNames/],
    ['listenFdNames with colon', withField({ extraFds: [0], listenFdNames: ['a:b'] }), RangeError, /spec\.listenFdNames\[0\]/],
  ];
}

t.test('spawn() rejects bad specs in the wrapper, naming the field', async (t) => {
  for (const [label, call, kind, field] of badSpecs((spec) => spawn(spec as SpawnSpec))) {
    t.throws(call, { name: kind.name, message: field }, label);
  }
});

t.test('the addon rejects the same specs itself (no crash when called directly)', async (t) => {
  for (const [label, call, kind, field] of badSpecs((spec) => native.spawn(spec as object))) {
    t.throws(call, { name: kind.name, message: field }, label);
  }
  t.throws(() => native.spawn({ ...ok, stdin: { kind: 'fd', fd: 99999 } }), { name: 'RangeError', message: /spec\.stdin\.fd.*not an open/ });
  t.throws(() => native.spawn({ ...ok, extraFds: [99999] }), { name: 'RangeError', message: /spec\.extraFds\[0\].*not an open/ });
});

t.test('every RLIMIT name of the wrapper is known to the addon', async (t) => {
  t.same([...native.rlimitNames].sort(), [...RLIMIT_NAMES].sort());
});

t.test('sockets and other functions', async (t) => {
  const long = '/tmp/' + 'x'.repeat(103);
  t.throws(() => DatagramSocket.bind(long, () => undefined), { name: 'RangeError', message: /path is 108 bytes/ });
  t.throws(() => DatagramSocket.bind('relative.sock', () => undefined), { name: 'RangeError', message: /path must be an absolute/ });
  t.throws(() => DatagramSocket.bind('', () => undefined), { name: 'RangeError', message: /path/ });
  t.throws(() => DatagramSocket.bind(42 as unknown as string, () => undefined), { name: 'TypeError', message: /path/ });
  t.throws(() => DatagramSocket.bind('/tmp/x.sock', 'cb' as unknown as () => void), { name: 'TypeError', message: /onMessage/ });
  t.throws(() => new native.NativeDatagramSocket(long, () => undefined), { name: 'RangeError', message: /path/ });
  t.throws(() => new native.NativeDatagramSocket('/tmp/y.sock', undefined as unknown as () => void), { name: 'TypeError', message: /onMessage/ });
  t.throws(() => sendDatagram(long, 'x'), { name: 'RangeError', message: /path/ });
  t.throws(() => sendDatagram('/tmp/x.sock', 5 as unknown as string), { name: 'TypeError', message: /data/ });
  t.throws(() => native.sendDatagram('/tmp/x.sock', 'x' as unknown as Buffer), { name: 'TypeError', message: /data/ });
  t.throws(() => peerCredentials(-1), { name: 'RangeError', message: /fd/ });
  t.throws(() => peerCredentials('3' as unknown as number), { name: 'TypeError', message: /fd/ });
  t.throws(() => native.peerCredentials(-5), { name: 'RangeError', message: /fd/ });
  t.throws(() => peerCredentials(0), { code: 'ENOTSOCK' }, 'a non-socket fd is a system error, not a crash');
  t.throws(() => onChildExit('x' as unknown as () => void), { name: 'TypeError', message: /listener/ });
  t.throws(() => native.reapExited([-1]), { name: 'RangeError', message: /foreignPids\[0\]/ });
});

t.test('exit status table: names both ways', async (t) => {
  t.equal(exitStatusByCode(203)?.name, 'EXEC');
  t.equal(exitStatusByCode(200)?.name, 'CHDIR');
  t.equal(exitStatusByCode(217)?.name, 'USER');
  t.equal(exitStatusByCode(220)?.name, 'SETSID');
  t.equal(exitStatusByCode(42), undefined);
  t.equal(exitStatusByName('EX_TEMPFAIL')?.code, 75);
  t.equal(exitStatusByName('exit_exec')?.code, 203);
  t.equal(new Set(EXIT_STATUSES.map((s) => s.code)).size, EXIT_STATUSES.length, 'codes are unique');
});

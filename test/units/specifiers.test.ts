import t from 'tap';
import { expandSpecifiers, INSTALL_SPECIFIERS } from '../../src/units/values/specifiers.js';

const ctx = {
  unitName: 'spec@foo\\x2dbar-baz.service',
  fragmentPath: '/etc/systemd/system/spec@.service',
  host: {
    hostname: 'spec-host.example',
    machineId: '0123456789abcdef0123456789abcdef',
    bootId: 'fedcba9876543210fedcba9876543210',
    kernelRelease: '6.1.0',
    architecture: 'x86-64',
    osRelease: { ID: 'debian', VERSION_ID: '12' },
  },
};

t.test('the observed values of spec@foo\\x2dbar-baz.service', async (t) => {
  const table: [string, string][] = [
    ['%n', 'spec@foo\\x2dbar-baz.service'],
    ['%N', 'spec@foo\\x2dbar-baz'],
    ['%p', 'spec'],
    ['%P', 'spec'],
    ['%i', 'foo\\x2dbar-baz'],
    ['%I', 'foo-bar/baz'],
    ['%f', '/foo-bar/baz'],
    ['%j', 'spec'],
    ['%t %S %C %L %E %T %V', '/run /var/lib /var/cache /var/log /etc /tmp /var/tmp'],
    ['%h %u %U %g %G', '/root root 0 root 0'],
    ['%H %l', 'spec-host.example spec-host'],
    ['%m %b', '0123456789abcdef0123456789abcdef fedcba9876543210fedcba9876543210'],
    ['%v %a %o %w', '6.1.0 x86-64 debian 12'],
    ['%y %Y', '/etc/systemd/system/spec@.service /etc/systemd/system'],
    ['pct=%%', 'pct=%'],
    ['trailing%', 'trailing%'],
  ];
  for (const [input, want] of table) t.same(expandSpecifiers(input, ctx), { ok: true, value: want }, input);
});

t.test('%j and %J take the part after the last dash of the prefix', async (t) => {
  const c = { ...ctx, unitName: 'getty-foo\\x2dx@tty1.service' };
  t.same(expandSpecifiers('%j %J', c), { ok: true, value: 'foo\\x2dx foo-x' });
});

t.test('unknown specifiers fail with "Invalid slot"; [Install] has a smaller set', async (t) => {
  t.same(expandSpecifiers('%z', ctx), { ok: false, error: 'Invalid slot' });
  t.same(expandSpecifiers('%t', ctx, INSTALL_SPECIFIERS), { ok: false, error: 'Invalid slot' });
  t.same(expandSpecifiers('%i', ctx, INSTALL_SPECIFIERS), { ok: true, value: 'foo\\x2dbar-baz' });
});

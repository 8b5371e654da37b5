import t from 'tap';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { verifyUnit } from '../../src/units/validate.js';

const dir = mkdtempSync(join(tmpdir(), 'unitd-verify-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

function systemdVerify(path: string): { lines: string[]; code: number } | undefined {
  const r = spawnSync('systemd-analyze', ['verify', '--man=no', '--recursive-errors=no', path], { encoding: 'utf8' });
  if (r.error) return undefined;
  // "Accepting user/group name ..." is a libc-level notice, not a unit diagnostic.
  const lines = (r.stderr + r.stdout).split('\n').filter((l) => l !== '' && !l.startsWith('Accepting '));
  return { lines, code: r.status ?? -1 };
}

const UNITS: Record<string, string[]> = {
  'v1.service': [
    '[Unit]', 'Description=bad', 'Foo=1', '[Service]', 'Type=simple', 'Type=bogus', 'TimeoutSec=abc', 'Restart=sometimes',
    'RestartSec=5x', 'Nice=99', 'KillMode=everything', 'RemainAfterExit=maybe', 'Environment=1BAD=x', 'UnknownSvcKey=1',
    '[Bogus]', 'X=1',
  ],
  'v2.service': ['[Service]', 'ExecStart=relative/path', 'Nice=99'],
  'v3.service': ['[Service]', 'Type=oneshot', 'Restart=always', 'ExecStart=/bin/true'],
  'v4.service': ['[Service]', 'Type=dbus', 'ExecStart=/bin/true'],
  'v5.service': ['[Service]', 'ExecStart=/bin/true', 'ExecStart=/bin/false'],
  'v6.service': ['[Service]', 'Type=simple', 'ExecStop=/bin/true'],
  'v7.service': ['[Service]', 'Type=oneshot', 'ExecStop=/bin/true'],
  'v8.service': ['[Service]', 'ExecStart=/bin/echo "unterminated'],
  'v9.service': ['[Service]', 'ExecStart=/bin/true', 'WorkingDirectory=relative', 'Nice=99'],
  'v10.service': ['[Service]', 'ExecStart=/bin/true', 'WorkingDirectory=-relative', 'Nice=99'],
  'v11.service': ['[Unit]', 'Description=%z', 'After=a.service %z', '[Service]', 'ExecStart=/bin/true', 'User=%z', 'Nice=99'],
  'v12.service': ['[Service]', 'ExecStart=+!/bin/true'],
  'v13.service': ['[Service]', 'ExecStart=-', 'Environment="A', 'StandardOutput=append:rel', 'LimitNOFILE=10:5'],
  'ok.service': ['[Unit]', 'Description=fine', '[Service]', 'ExecStart=/bin/sleep 1', 'Environment="A=1 2" B=3', '[Install]', 'WantedBy=multi-user.target'],
  'oneshot.service': ['[Service]', 'Type=oneshot', 'ExecStart=/bin/true ; /bin/false', 'ExecStart=/bin/x', 'DynamicUser=maybe', 'Nice=99'],
  't.socket': ['[Socket]', 'ListenStream=1', 'ExecStartPre=relative/x'],
  't.target': ['[Unit]', 'Description=x', '[Service]', 'ExecStart=/bin/true'],
};

const analyzeMissing = spawnSync('systemd-analyze', ['--version']).error !== undefined;

t.test('verify prints what systemd-analyze verify prints', { skip: analyzeMissing && 'systemd-analyze is not installed' }, async (t) => {
  for (const [name, lines] of Object.entries(UNITS)) {
    const path = join(dir, name);
    writeFileSync(path, lines.join('\n') + '\n');
    const ours = verifyUnit({ path, text: lines.join('\n') + '\n' });
    const theirs = systemdVerify(path);
    if (!theirs) {
      t.fail(`systemd-analyze verify ${name} did not run`);
      continue;
    }
    t.same(ours.lines, theirs.lines, name);
    t.equal(ours.exitCode, theirs.code, `${name} exit code`);
  }
});

t.test('the v1 example of the semantics file ends with the refusal and bad-setting line', async (t) => {
  const text = UNITS['v1.service'].join('\n');
  const r = verifyUnit({ path: '/etc/systemd/system/v1.service', text });
  t.same(r.lines.slice(-2), [
    'v1.service: Service has no ExecStart=, ExecStop=, or SuccessAction=. Refusing.',
    'Unit v1.service has a bad unit file setting.',
  ]);
  t.equal(r.config?.badSetting, 'Service has no ExecStart=, ExecStop=, or SuccessAction=. Refusing.');
});

t.test('parsing stops at the first fatal key error', async (t) => {
  const r = verifyUnit({ path: '/x/v2.service', text: '[Service]\nExecStart=relative/path\nNice=99\n' });
  t.same(r.lines, [
    '/x/v2.service:2: Neither a valid executable name nor an absolute path: relative/path',
    'v2.service: Unit configuration has fatal error, unit will not be started.',
    'Unit v2.service has a bad unit file setting.',
  ]);
});

t.test('binary garbage and over-long lines are reported, not thrown', async (t) => {
  const garbage = Buffer.concat([Buffer.from('[Service]\nExecStart=/bin/true\n'), Buffer.from([0xff, 0x00, 0xfe, 0x0a])]);
  t.doesNotThrow(() => verifyUnit({ path: '/x/g.service', text: garbage }));
  const long = verifyUnit({ path: '/x/l.service', text: '[Service]\nExecStart=/bin/echo ' + 'x'.repeat(1 << 20) + '\n' });
  t.equal(long.exitCode, 1);
  t.ok(long.lines.length > 0);
});

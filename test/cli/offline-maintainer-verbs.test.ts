// What Debian maintainer scripts run inside `docker build`, where no manager
// runs and /run/systemd/system does not exist: daemon-reload succeeds quietly
// (nothing to reload, and no daemon may be started for it), preset enables
// when no preset file matches, disable --quiet says nothing.
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import t from 'tap';

const SYSTEMCTL = join(resolve(import.meta.dirname, '../..'), 'init', 'systemctl');

function systemctl(args: string[], env: NodeJS.ProcessEnv = process.env): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [SYSTEMCTL, ...args], { env, encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

t.test('daemon-reload without a booted manager: exit 0, no output, no daemon', { skip: existsSync('/run/systemd/system') && 'this host looks booted with systemd' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'unitd-offline-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const r = systemctl(['daemon-reload'], { ...process.env, UNITD_RUNTIME_DIR: join(dir, 'run') });
  t.same(r, { code: 0, stdout: '', stderr: '' });
  t.notOk(existsSync(join(dir, 'run', 'control.sock')), 'no daemon was started');
});

t.test('deb-systemd-helper: preset --preset-mode=enable-only enables without a preset file; disable --quiet', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'unitd-root-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'lib/systemd/system'), { recursive: true });
  mkdirSync(join(root, 'etc/systemd/system'), { recursive: true });
  writeFileSync(join(root, 'lib/systemd/system/web.service'), '[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\n');
  const preset = systemctl([`--root=${root}`, '--system', '--preset-mode=enable-only', 'preset', 'web.service']);
  t.equal(preset.code, 0, preset.stderr);
  t.ok(lstatSync(join(root, 'etc/systemd/system/multi-user.target.wants/web.service')).isSymbolicLink(), 'enabled');
  const disable = systemctl([`--root=${root}`, '--quiet', 'disable', 'web.service']);
  t.same(disable, { code: 0, stdout: '', stderr: '' }, 'disable --quiet is silent');
  t.notOk(existsSync(join(root, 'etc/systemd/system/multi-user.target.wants/web.service')), 'disabled');
});

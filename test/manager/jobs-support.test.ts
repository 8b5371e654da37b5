// What the job engine consults: conditions and asserts, the skip list,
// system.conf defaults, SuccessAction=/FailureAction= decisions, the choice of
// the boot unit, the synthesized standard targets.

import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { chooseBootUnit } from '../../src/manager/boot.js';
import { builtinUnitText } from '../../src/manager/builtin-units.js';
import { describeCondition, failedCondition } from '../../src/manager/conditions.js';
import { emergencyDecision } from '../../src/manager/emergency-actions.js';
import { DEFAULT_SKIP_LIST, SkipList } from '../../src/manager/skip-list.js';
import { readSystemConf } from '../../src/manager/system-conf.js';
import type { UnitCondition } from '../../src/manager/unit-type.js';

const c = (kind: string, value: string, opts: Partial<UnitCondition> = {}): UnitCondition => ({ kind, value, negate: false, trigger: false, ...opts });
const ctx = { environment: ['FOO=bar'], virtualization: 'docker' };

t.test('conditions: AND of plain entries, OR of | entries, ! negates', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'unitd-cond-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'full'), 'x');
  writeFileSync(join(dir, 'empty'), '');
  mkdirSync(join(dir, 'sub'));
  t.equal(failedCondition([c('PathExists', join(dir, 'full'))], ctx), undefined);
  t.equal(failedCondition([c('PathExists', '/nonexistent')], ctx)?.value, '/nonexistent');
  t.equal(failedCondition([c('PathExists', '/nonexistent', { negate: true })], ctx), undefined);
  t.equal(failedCondition([c('FileNotEmpty', join(dir, 'empty'))], ctx)?.kind, 'FileNotEmpty');
  t.equal(failedCondition([c('FileNotEmpty', join(dir, 'full'))], ctx), undefined);
  t.equal(failedCondition([c('DirectoryNotEmpty', join(dir, 'sub'))], ctx)?.kind, 'DirectoryNotEmpty');
  t.equal(failedCondition([c('PathIsDirectory', join(dir, 'sub'))], ctx), undefined);
  t.equal(failedCondition([c('PathExistsGlob', join(dir, 'fu*'))], ctx), undefined);
  t.equal(failedCondition([c('FileIsExecutable', '/bin/sh')], ctx), undefined);
  t.equal(failedCondition([c('PathIsMountPoint', '/proc')], ctx), undefined);
  // Triggering: one of them is enough.
  t.equal(failedCondition([c('PathExists', '/nonexistent', { trigger: true }), c('PathExists', dir, { trigger: true })], ctx), undefined);
  t.equal(failedCondition([c('PathExists', '/no1', { trigger: true }), c('PathExists', '/no2', { trigger: true })], ctx)?.value, '/no1');
  t.equal(describeCondition('Condition', c('PathExists', '/x', { trigger: true, negate: true })), 'ConditionPathExists=|!/x');
});

t.test('conditions about the machine answer as a container does', async (t) => {
  t.equal(failedCondition([c('Virtualization', 'container')], ctx), undefined);
  t.equal(failedCondition([c('Virtualization', 'docker')], ctx), undefined);
  t.equal(failedCondition([c('Virtualization', 'yes')], ctx), undefined);
  t.ok(failedCondition([c('Virtualization', 'kvm')], ctx));
  t.ok(failedCondition([c('Virtualization', 'no')], ctx));
  t.equal(failedCondition([c('Environment', 'FOO=bar'), c('Environment', 'FOO')], ctx), undefined);
  t.ok(failedCondition([c('Environment', 'FOO=baz')], ctx));
  t.ok(failedCondition([c('Security', 'selinux')], ctx));
  t.ok(failedCondition([c('FirstBoot', 'yes')], ctx));
  t.equal(failedCondition([c('FirstBoot', 'no')], ctx), undefined);
  t.ok(failedCondition([c('NeedsUpdate', '/etc')], ctx));
  t.equal(failedCondition([c('ACPower', 'true')], ctx), undefined);
  t.equal(failedCondition([c('User', String(process.getuid?.() ?? 0))], ctx), undefined);
  t.equal(failedCondition([c('Architecture', 'native')], ctx), undefined);
  t.equal(failedCondition([c('Host', '*')], ctx), undefined);
});

t.test('skip list: built-in globs, overridable with !glob, last match wins', async (t) => {
  const list = new SkipList(DEFAULT_SKIP_LIST);
  for (const skipped of ['systemd-logind.service', 'getty@tty1.service', 'NetworkManager.service', 'home.mount', 'apt-daily.timer', 'networking.service']) {
    t.ok(list.skips(skipped), skipped);
  }
  for (const kept of ['nginx.service', 'dbus.service', 'cron.service', 'multi-user.target']) t.notOk(list.skips(kept), kept);
  const dir = mkdtempSync(join(tmpdir(), 'unitd-skip-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'skip.conf'), '# mine\n!systemd-logind.service\nmyagent-*.service\n');
  const custom = SkipList.load(join(dir, 'skip.conf'), {});
  t.notOk(custom.skips('systemd-logind.service'));
  t.ok(custom.skips('myagent-1.service'));
  t.ok(custom.skips('systemd-udevd.service'));
});

t.test('system.conf and system.conf.d set the manager defaults, later files win', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'unitd-sysconf-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'system.conf'), '[Manager]\nDefaultTimeoutStartSec=20s\nDefaultTimeoutStopSec=5s\nDefaultEnvironment=A=1 "B=two words"\n');
  mkdirSync(join(dir, 'system.conf.d'));
  writeFileSync(join(dir, 'system.conf.d', '10-x.conf'), '[Manager]\nDefaultTimeoutStartSec=1min 30s\nDefaultRestartSec=2s\nDefaultStartLimitBurst=9\nDefaultStartLimitIntervalSec=1min\n');
  const conf = readSystemConf(dir);
  t.equal(conf.defaultTimeoutStartUSec, 90_000_000);
  t.equal(conf.defaultTimeoutStopUSec, 5_000_000);
  t.equal(conf.defaultRestartUSec, 2_000_000);
  t.equal(conf.defaultStartLimitBurst, 9);
  t.equal(conf.defaultStartLimitIntervalUSec, 60_000_000);
  t.same(conf.defaultEnvironment, ['A=1', 'B=two words']);
  t.same(readSystemConf(join(dir, 'nowhere')).defaultTimeoutStartUSec, 90_000_000, 'no files: systemd defaults');
});

t.test('SuccessAction=/FailureAction= decisions', async (t) => {
  t.equal(emergencyDecision('none', 3), undefined);
  t.same(emergencyDecision('exit', 3), { kind: 'exit', exitCode: 3, force: false, immediate: false });
  t.same(emergencyDecision('exit-force', undefined), { kind: 'exit', exitCode: 0, force: true, immediate: false });
  t.same(emergencyDecision('poweroff', 5), { kind: 'poweroff', exitCode: 0, force: false, immediate: false });
  t.same(emergencyDecision('reboot-immediate', 5), { kind: 'reboot', exitCode: 0, force: true, immediate: true });
});

t.test('boot unit: asked for, else default.target, else multi-user.target', async (t) => {
  t.equal(await chooseBootUnit('rescue', async () => 'loaded'), 'rescue.target');
  t.equal(await chooseBootUnit(undefined, async () => 'loaded'), 'default.target');
  t.equal(await chooseBootUnit(undefined, async () => 'not-found'), 'multi-user.target');
});

t.test('standard targets are synthesized with systemd\'s dependencies', async (t) => {
  t.match(builtinUnitText('basic.target'), /Requires=sysinit\.target/);
  t.match(builtinUnitText('multi-user.target'), /AllowIsolate=yes/);
  t.match(builtinUnitText('shutdown.target'), /DefaultDependencies=no/);
  t.equal(builtinUnitText('nginx.service'), undefined);
});

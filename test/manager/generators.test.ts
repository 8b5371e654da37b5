// systemd generators under a root directory, run by the real native spawn and
// reaped by the real reaper; and the tmpfiles.d lines packages rely on.
import t from 'tap';
import { chmodSync, existsSync, mkdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { realNative } from '../../src/exec/native.js';
import { describeFailures, findGenerators, runGenerators } from '../../src/manager/generators.js';
import { applyTmpfiles, parseTmpfiles } from '../../src/manager/early-boot.js';

function script(file: string, body: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
}

const quiet = { info: () => undefined, warn: () => undefined };

t.test('a generator writes a unit and a .wants link into the normal output dir', async (t) => {
  const root = t.testdir({});
  // The shape of postgresql-generator: an instance wanted by a target.
  script(
    path.join(root, 'lib/systemd/system-generators/pg-like-generator'),
    'mkdir -p "$1/postgresql.service.wants" && ln -s /lib/systemd/system/postgresql@.service "$1/postgresql.service.wants/postgresql@15-main.service" && echo "$2 $3" > "$1/args"',
  );
  const report = await runGenerators(realNative, { root });
  t.same(describeFailures(report), [], 'no failures');
  t.equal(report.results.length, 1, 'one generator ran');
  const out = path.join(root, 'run/systemd/generator');
  t.equal(readlinkSync(path.join(out, 'postgresql.service.wants/postgresql@15-main.service')), '/lib/systemd/system/postgresql@.service');
  t.equal(readFileSync(path.join(out, 'args'), 'utf8').trim(), `${root}/run/systemd/generator.early ${root}/run/systemd/generator.late`, 'early and late dirs as $2 $3');
  t.ok(existsSync(path.join(root, 'run/systemd/generator.late')), 'late dir made');
});

t.test('output dirs are emptied before each run (daemon-reload)', async (t) => {
  const root = t.testdir({});
  const stale = path.join(root, 'run/systemd/generator/stale.service');
  mkdirSync(path.dirname(stale), { recursive: true });
  writeFileSync(stale, '');
  await runGenerators(realNative, { root });
  t.notOk(existsSync(stale), 'stale output removed');
});

t.test("systemd's machine generators are skipped, /etc masks /lib, failures and timeouts reported", async (t) => {
  const root = t.testdir({});
  script(path.join(root, 'lib/systemd/system-generators/systemd-fstab-generator'), 'touch "$1/fstab-ran"');
  script(path.join(root, 'lib/systemd/system-generators/masked-generator'), 'touch "$1/masked-ran"');
  mkdirSync(path.join(root, 'etc/systemd/system-generators'), { recursive: true });
  symlinkSync('/dev/null', path.join(root, 'etc/systemd/system-generators/masked-generator'));
  script(path.join(root, 'lib/systemd/system-generators/failing-generator'), 'exit 3');
  script(path.join(root, 'lib/systemd/system-generators/slow-generator'), 'exec sleep 30');
  t.same([...findGenerators(root).keys()], ['failing-generator', 'slow-generator', 'systemd-fstab-generator'], 'the masked one is gone');
  const started = performance.now();
  const report = await runGenerators(realNative, { root, timeoutMs: 500 });
  t.ok(performance.now() - started < 5000, 'bounded time');
  t.same(report.skipped, ['systemd-fstab-generator']);
  t.notOk(existsSync(path.join(root, 'run/systemd/generator/fstab-ran')), 'fstab generator not run');
  const failures = describeFailures(report);
  t.match(failures.join('\n'), /failing-generator failed with exit status 3/);
  t.match(failures.join('\n'), /slow-generator timed out/);
});

t.test('tmpfiles.d: d lines create runtime directories with mode and owner', async (t) => {
  const root = t.testdir({
    etc: { passwd: 'root:x:0:0::/root:/bin/sh\nmemcache:x:0:0::/nonexistent:/bin/false\n', group: 'root:x:0:\n' },
    usr: { lib: { 'tmpfiles.d': { 'memcached.conf': 'd /run/memcached 0755 memcache memcache -\n', 'pg.conf': 'd /run/postgresql 2775 root root - -\n# comment\nL+ /run/link - - - - /target\n' } } },
    run: {},
  });
  t.same(parseTmpfiles('d /run/x 0750 a b - -\nf /run/y\n').map((l) => [l.type, l.path, l.mode, l.user]), [
    ['d', '/run/x', 0o750, 'a'],
    ['f', '/run/y', undefined, undefined],
  ]);
  applyTmpfiles(quiet, root);
  t.ok(statSync(path.join(root, 'run/memcached')).isDirectory(), '/run/memcached');
  t.equal(statSync(path.join(root, 'run/postgresql')).mode & 0o7777, 0o2775, 'setgid mode kept');
  t.equal(readlinkSync(path.join(root, 'run/link')), '/target', 'L+ symlink');
});

t.test('systemd-sysv-generator is built in: it runs without the program, and an installed one is not run', async (t) => {
  const root = t.testdir({});
  script(path.join(root, 'lib/systemd/system-generators/systemd-sysv-generator'), 'touch "$3/external-ran"');
  script(path.join(root, 'etc/init.d/legacyd'), '# description: a legacy daemon');
  mkdirSync(path.join(root, 'etc/rc3.d'), { recursive: true });
  symlinkSync('../init.d/legacyd', path.join(root, 'etc/rc3.d/S01legacyd'));
  const report = await runGenerators(realNative, { root, environment: ['PATH=/usr/bin:/bin', 'SYSTEMD_UNIT_PATH=/etc/systemd/system'] });
  t.same(report.results, [], 'no external generator ran');
  t.same(report.builtin.map((b) => b.name), ['systemd-sysv-generator']);
  const late = path.join(root, 'run/systemd/generator.late');
  t.notOk(existsSync(path.join(late, 'external-ran')));
  t.match(readFileSync(path.join(late, 'legacyd.service'), 'utf8'), /^Description=SYSV: a legacy daemon$/m);
  t.equal(readlinkSync(path.join(late, 'multi-user.target.wants/legacyd.service')), '../legacyd.service');
  t.ok(statSync(path.join(late, 'legacyd.service')).isFile());
});

// The built-in SysV generator against systemd 252's own
// /lib/systemd/system-generators/systemd-sysv-generator on the same fixture
// root: every generated file and symlink must be identical.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateSysvUnits, sysvUnitName } from '../../src/manager/sysv-generator.js';

const REAL_GENERATOR = '/lib/systemd/system-generators/systemd-sysv-generator';

function write(file: string, body: string, mode = 0o755): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, body);
  chmodSync(file, mode);
}

function link(target: string, file: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  symlinkSync(target, file);
}

/** Every file below dir: relative path → content or `-> target` for links. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string): void => {
    for (const entry of readdirSync(path.join(dir, rel)).sort()) {
      const r = path.join(rel, entry);
      const full = path.join(dir, r);
      const st = lstatSync(full);
      if (st.isSymbolicLink()) out[r] = `-> ${readlinkSync(full)}`;
      else if (st.isDirectory()) walk(r);
      else out[r] = readFileSync(full, 'utf8');
    }
  };
  walk('');
  return out;
}

const LEGACYD = `#!/bin/sh
### BEGIN INIT INFO
# Provides:          legacyd legacy-alias $legacyfac
# Required-Start:    $network $remote_fs $syslog $local_fs
# Required-Stop:     $network $remote_fs
# Should-Start:      $time $named $portmap postgresql
# X-Start-Before:    nginx
# Default-Start:     2 3 4 5
# Default-Stop:      0 1 6
# Short-Description: Legacy demo daemon
# Description:       A longer text that
#                    continues here.
### END INIT INFO
case "$1" in
  start|stop|restart|reload|force-reload|status) echo "$1" ;;
  *) echo "Usage: $0 {start|stop|restart|reload|force-reload|status}" >&2; exit 3 ;;
esac
`;

const OLDSTYLE = `#!/bin/sh
# chkconfig: 345 20 80
# description: Old style daemon \\
#   with a continued description
# pidfile: /run/oldstyle.pid
echo "usage: oldstyle start|stop"
`;

const LONGDESC = `#!/bin/sh
### BEGIN INIT INFO
# provides: longdesc
# required-start: $network
# x-start-after: dbus-like
# Description: Only a long description
#	with a tab continuation
#  and a two-space one
# that ends it
### END INIT INFO
# pidfile: relative.pid
echo "Usage: longdesc {start|stop|restart}" \\
  "{reload}"
`;

function fixture(root: string): void {
  write(path.join(root, 'etc/init.d/legacyd'), LEGACYD);
  write(path.join(root, 'etc/init.d/oldstyle.sh'), OLDSTYLE);
  write(path.join(root, 'etc/init.d/longdesc'), LONGDESC);
  write(path.join(root, 'etc/init.d/percent%d'), '#!/bin/sh\n# description: 100% legacy\n');
  write(path.join(root, 'etc/init.d/bare'), '#!/bin/sh\nexit 0\n');
  // Not candidates: not executable, a native unit, a masked one, an alias of a native unit.
  write(path.join(root, 'etc/init.d/noexec'), '#!/bin/sh\n', 0o644);
  write(path.join(root, 'etc/init.d/nativesvc'), LEGACYD.replace(/legacyd/g, 'nativesvc'));
  write(path.join(root, 'etc/init.d/maskedsvc'), '#!/bin/sh\n');
  write(path.join(root, 'etc/init.d/aliased'), '#!/bin/sh\n');
  write(path.join(root, 'lib/systemd/system/nativesvc.service'), '[Service]\nExecStart=/bin/true\n', 0o644);
  write(path.join(root, 'lib/systemd/system/real.service'), '[Service]\nExecStart=/bin/true\n', 0o644);
  link('/dev/null', path.join(root, 'etc/systemd/system/maskedsvc.service'));
  link(path.join(root, 'lib/systemd/system/real.service'), path.join(root, 'etc/systemd/system/aliased.service'));
  for (const [dir, entry] of [
    ['rc2.d', 'S01legacyd'], ['rc3.d', 'S01legacyd'], ['rc5.d', 'S03legacyd'], ['rc0.d', 'K01legacyd'],
    ['rc3.d', 'S20oldstyle.sh'], ['rc1.d', 'S20longdesc'], ['rc4.d', 'K10bare'], ['rc3.d', 'S05noexec'],
    ['rc3.d', 'S02nativesvc'], ['rcS.d', 'S01bare'],
  ] as const) {
    // oldstyle (no LSB header) is ordered against every other linked script; longdesc shares its
    // priority so that only one such line is written (the real generator's order among several is a hash map's).
    link(`../init.d/${entry.replace(/^[SK][0-9][0-9]/, '')}`, path.join(root, 'etc', dir, entry));
  }
}

t.test('script names become units as unit_name_mangle() makes them', async (t) => {
  t.equal(sysvUnitName('oldstyle.sh'), 'oldstyle.service');
  t.equal(sysvUnitName('foo.bar'), 'foo.bar.service');
  t.equal(sysvUnitName('has space'), 'has\\x20space.service');
});

t.test('generated units match systemd-sysv-generator byte for byte', { skip: existsSync(REAL_GENERATOR) ? false : `${REAL_GENERATOR} not installed` }, async (t) => {
  const root = t.testdir({});
  fixture(root);
  const real = path.join(root, 'real');
  for (const d of ['normal', 'early', 'late']) mkdirSync(path.join(real, d), { recursive: true });
  const unitPath = ['etc/systemd/system', 'lib/systemd/system'].map((d) => path.join(root, d)).join(':');
  const run = spawnSync(REAL_GENERATOR, ['normal', 'early', 'late'].map((d) => path.join(real, d)), {
    env: {
      PATH: process.env.PATH,
      SYSTEMD_SYSVINIT_PATH: path.join(root, 'etc/init.d'),
      SYSTEMD_SYSVRCND_PATH: path.join(root, 'etc'),
      SYSTEMD_UNIT_PATH: unitPath,
      SYSTEMD_LOG_TARGET: 'console',
    },
    encoding: 'utf8',
    timeout: 30_000,
  });
  t.equal(run.status, 0, `real generator ran: ${run.stderr}`);

  const ours = path.join(root, 'ours');
  mkdirSync(ours);
  const result = generateSysvUnits({
    root: '',
    initPaths: [path.join(root, 'etc/init.d')],
    rcPaths: [path.join(root, 'etc')],
    outputDir: ours,
    unitPathEnv: unitPath,
  });
  t.same(snapshot(ours), snapshot(path.join(real, 'late')), 'same files, contents and links');
  t.same(readdirSync(path.join(real, 'normal')), [], 'the real one writes only the late dir');
  t.same(result.generated.sort(), ['bare.service', 'legacyd.service', 'longdesc.service', 'oldstyle.service', 'percent\\x25d.service'].sort());
  // Same warnings, in the real generator's words (its order is a hash map's).
  const realLines = run.stderr.split('\n').filter((l) => l !== '').sort();
  t.same([...result.messages].sort(), realLines, 'same messages');
});

t.test('a Provides: name that is another script keeps the real script', async (t) => {
  const root = t.testdir({});
  write(path.join(root, 'etc/init.d/a'), '#!/bin/sh\n### BEGIN INIT INFO\n# Provides: a b\n### END INIT INFO\n');
  write(path.join(root, 'etc/init.d/b'), '#!/bin/sh\n');
  mkdirSync(path.join(root, 'run/systemd/generator.late'), { recursive: true });
  const result = generateSysvUnits({ root, outputDir: '/run/systemd/generator.late', unitPathEnv: '/nonexistent' });
  t.same(result.generated.sort(), ['a.service', 'b.service']);
  t.ok(lstatSync(path.join(root, 'run/systemd/generator.late/b.service')).isFile(), 'b.service is the script b');
  t.match(readFileSync(path.join(root, 'run/systemd/generator.late/b.service'), 'utf8'), /ExecStart=\/etc\/init.d\/b start/);
});

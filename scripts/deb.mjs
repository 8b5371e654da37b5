// `npm run deb [-- --tarball FILE] [--arch amd64|arm64]`: unitd_VERSION_ARCH.deb for Debian
// images with Debian's nodejs, built offline with dpkg-deb from the npm tarball
// (scripts/pack.mjs, run first unless --tarball names one):
//   /usr/lib/unitd/   dist (with unitd-probe for ARCH), init, package.json, the one prebuilt addon for ARCH and the
//                     production node_modules (copied from this checkout: no network)
//   maintainer scripts: postinst runs `unitd install-image` (dpkg-divert --package unitd),
//                     prerm on removal runs `unitd install-image --undo`.
// Prints the .deb's path (the last line of output). --out DIR: where it goes (default: the package root).
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PREFIX = 'usr/lib/unitd';
/** Debian architecture → Node's, for the prebuild to ship. */
const ARCHES = { amd64: 'x64', arm64: 'arm64' };
/** Needed only to build the addon from source, which a .deb never does. */
const BUILD_ONLY = new Set(['node-addon-api']);

function option(name) {
  const at = process.argv.indexOf(name);
  return at < 0 ? undefined : process.argv[at + 1];
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', ...options });
  if (result.status !== 0) {
    console.error(`deb: ${command} ${args.join(' ')} failed: ${result.error?.message ?? (result.stderr || `exit ${result.status}`)}`);
    process.exit(1);
  }
  return result.stdout;
}

const debArch = option('--arch') ?? run('dpkg', ['--print-architecture']).trim();
const nodeArch = ARCHES[debArch];
if (!nodeArch) {
  console.error(`deb: unsupported architecture '${debArch}' (one of ${Object.keys(ARCHES).join(', ')})`);
  process.exit(2);
}
let tarball = option('--tarball');
if (!tarball) {
  tarball = run(process.execPath, [join(root, 'scripts', 'pack.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop();
}
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

const stage = mkdtempSync(join(tmpdir(), 'unitd-deb-'));
try {
  const lib = join(stage, PREFIX);
  mkdirSync(lib, { recursive: true });
  run('tar', ['xzf', tarball, '-C', lib, '--strip-components=1']);
  const prebuilds = join(lib, 'prebuilds');
  if (!existsSync(join(prebuilds, `linux-${nodeArch}`))) {
    console.error(`deb: the tarball has no prebuilt addon for linux-${nodeArch}`);
    process.exit(1);
  }
  renameSync(join(prebuilds, `linux-${nodeArch}`, 'unitd-probe'), join(lib, 'dist', 'unitd-probe'));
  // The clients' addon; a tarball packed before it existed has none (the clients then use node:net).
  const clientAddon = join(prebuilds, `linux-${nodeArch}`, 'unitd_client.so');
  if (existsSync(clientAddon)) renameSync(clientAddon, join(lib, 'dist', 'unitd_client.so'));
  for (const dir of execFileSync('ls', [prebuilds], { encoding: 'utf8' }).split('\n').filter(Boolean)) {
    if (dir !== `linux-${nodeArch}`) rmSync(join(prebuilds, dir), { recursive: true });
  }
  rmSync(join(lib, 'src'), { recursive: true, force: true });
  rmSync(join(lib, 'binding.gyp'), { force: true });
  // Production dependencies, as npm resolved them in this checkout.
  const parseable = run('npm', ['ls', '--omit=dev', '--parseable', '--all'], { cwd: root }).trim().split('\n');
  for (const dir of parseable) {
    const rel = relative(root, dir);
    if (!rel.startsWith('node_modules') || BUILD_ONLY.has(rel.split('node_modules/').pop())) continue;
    cpSync(dir, join(lib, rel), { recursive: true, dereference: true, filter: (p) => !/\/node_modules\/[^/]+\/(test|tests|\.github|docs|benchmarks?)$/.test(p) });
  }
  const debian = join(stage, 'DEBIAN');
  mkdirSync(debian);
  const installedKiB = run('du', ['-sk', join(stage, 'usr')]).split('\t')[0];
  writeFileSync(join(debian, 'control'), [
    'Package: unitd',
    `Version: ${pkg.version}`,
    `Architecture: ${debArch}`,
    'Maintainer: unitd developers <unitd@localhost>',
    'Depends: nodejs (>= 18)',
    'Section: admin',
    'Priority: optional',
    `Installed-Size: ${installedKiB}`,
    `Description: ${pkg.description}`,
    ' unitd runs the systemd unit files Debian packages install as a container\'s PID 1,',
    ' with drop-in systemctl, journalctl and systemd-analyze. Installing it diverts',
    ' systemd\'s paths and links unitd\'s tools in their place; set ENTRYPOINT ["/sbin/init"].',
    '',
  ].join('\n'));
  const scripts = {
    postinst: 'case "$1" in\n  configure) /usr/lib/unitd/init/unitd install-image ;;\nesac\n',
    prerm: 'case "$1" in\n  remove|deconfigure) /usr/lib/unitd/init/unitd install-image --undo ;;\nesac\n',
    // install-image recorded the node it ran under; dpkg does not know that file.
    postrm: 'case "$1" in\n  remove|purge) rm -f /usr/lib/unitd/dist/node-path ;;\nesac\n',
  };
  for (const [name, body] of Object.entries(scripts)) {
    writeFileSync(join(debian, name), `#!/bin/sh\nset -e\n${body}exit 0\n`);
    chmodSync(join(debian, name), 0o755);
  }
  const output = join(option('--out') ?? root, `unitd_${pkg.version}_${debArch}.deb`);
  run('dpkg-deb', ['--root-owner-group', '-Zxz', '--build', stage, output]);
  console.log(output);
} finally {
  rmSync(stage, { recursive: true, force: true });
}

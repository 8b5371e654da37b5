// `npm run pack`: the npm tarball that installs without a compiler.
//   1. builds dist/ (tsc);
//   2. builds the N-API addon and the unitd-probe executable in a scratch copy (the checkout's build/ stays as it is) for
//      linux-x64 with the host's g++ and for linux-arm64 with Debian's cross toolchain
//      (g++-aarch64-linux-gnu; skipped with a notice when absent), into prebuilds/;
//   3. `npm pack` of package.json's "files": dist (no source maps), init, prebuilds, the
//      addon's sources (the fallback build where no prebuild matches) and the install script.
// Prints the tarball's path (the last line of output). Options: --no-arm64; --no-build (dist/
// is already built: the tests, which must not rewrite dist/ under other running tests);
// --out DIR (where the tarball goes; default: the package root).
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const withArm64 = !process.argv.includes('--no-arm64');
const outAt = process.argv.indexOf('--out');
const outDir = outAt < 0 ? root : process.argv[outAt + 1];

/** Each prebuild: arch and the environment node-gyp compiles it with. */
const TARGETS = [
  { arch: 'x64', env: {} },
  {
    arch: 'arm64',
    toolchain: 'aarch64-linux-gnu-g++',
    env: { CC: 'aarch64-linux-gnu-gcc', CXX: 'aarch64-linux-gnu-g++', LINK: 'aarch64-linux-gnu-g++', PREBUILD_STRIP_BIN: 'aarch64-linux-gnu-strip' },
  },
];

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'], ...options });
  if (result.status !== 0) {
    console.error(`pack: ${command} ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`})`);
    process.exit(1);
  }
}

function hasCommand(name) {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

if (!process.argv.includes('--no-build')) run('npm', ['run', '--silent', 'build'], { cwd: root });

const scratch = mkdtempSync(join(tmpdir(), 'unitd-prebuild-'));
try {
  cpSync(join(root, 'package.json'), join(scratch, 'package.json'));
  cpSync(join(root, 'binding.gyp'), join(scratch, 'binding.gyp'));
  cpSync(join(root, 'src', 'native'), join(scratch, 'src', 'native'), { recursive: true, filter: (p) => !p.endsWith('.ts') });
  symlinkSync(join(root, 'node_modules'), join(scratch, 'node_modules'));
  const prebuildify = join(root, 'node_modules', 'prebuildify', 'bin.js');
  // node-gyp downloads Node's headers unless pointed at installed ones (no network here).
  const nodeDir = dirname(dirname(process.execPath));
  const headers = existsSync(join(nodeDir, 'include', 'node', 'common.gypi')) ? { npm_config_nodedir: nodeDir } : {};
  for (const target of TARGETS) {
    if (target.arch !== process.arch && (!withArm64 || !hasCommand(target.toolchain))) {
      console.error(`pack: no prebuild for linux-${target.arch} (${withArm64 ? `install ${target.toolchain}` : '--no-arm64'}); it will build from source there`);
      continue;
    }
    console.error(`pack: building the addon for linux-${target.arch}`);
    run(process.execPath, [prebuildify, '--napi', '--strip', '--tag-libc', '--arch', target.arch], {
      cwd: scratch,
      env: { ...process.env, ...headers, ...target.env },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    // prebuildify keeps only the addon; the probe executable (src/native/probe.c) and the clients'
    // addon (src/native/control-sync.c) ride along.
    for (const file of ['unitd-probe', 'unitd_client.so']) cpSync(join(scratch, 'build', 'Release', file), join(scratch, 'prebuilds', `linux-${target.arch}`, file));
  }
  rmSync(join(root, 'prebuilds'), { recursive: true, force: true });
  cpSync(join(scratch, 'prebuilds'), join(root, 'prebuilds'), { recursive: true });
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', outDir], { cwd: root, encoding: 'utf8' }).trim().split('\n').pop();
console.log(join(outDir, tarball));

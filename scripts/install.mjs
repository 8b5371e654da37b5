// package.json's install script: makes the native addon loadable, then records node.
//   - In a checkout (tsconfig.json present) the addon is always rebuilt from
//     src/native, as `node-gyp rebuild` did before prebuilds existed, so a changed
//     .cc file never runs against a stale build/Release.
//   - In an installed package (the npm tarball) the prebuilt addon under
//     prebuilds/<platform>-<arch>/ is used when it loads; only when none matches
//     (another architecture, musl) is it built from the shipped sources, which
//     needs python3, make and g++.
// With a prebuild, its unitd-probe goes to dist/ (a build from source makes build/Release/unitd-probe).
// Then dist/node-path names the node running this install (scripts/record-node.mjs).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

function prebuildLoads() {
  try {
    require('node-gyp-build')(root);
    return true;
  } catch {
    return false;
  }
}

function buildFromSource() {
  // npm hands its bundled node-gyp to lifecycle scripts; outside npm, node-gyp on PATH.
  const gyp = process.env.npm_config_node_gyp;
  const [command, args] = gyp ? [process.execPath, [gyp, 'rebuild']] : ['node-gyp', ['rebuild']];
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.error) {
    console.error(`unitd: cannot build the native addon: ${result.error.message} (no prebuild matches ${process.platform}-${process.arch}; install python3, make and g++, or use a linux-x64/arm64 glibc system)`);
    process.exit(1);
  }
  if (result.status !== 0) process.exit(result.status ?? 1);
}

/**
 * systemctl's fast path for probes and the clients' addon (init/probe.sh and
 * src/native/client-binding.ts look in build/Release, then dist/).
 */
function installPrebuiltProbe() {
  for (const file of ['unitd-probe', 'unitd_client.so']) {
    const built = join(root, 'prebuilds', `${process.platform}-${process.arch}`, file);
    if (existsSync(built) && existsSync(join(root, 'dist'))) copyFileSync(built, join(root, 'dist', file));
  }
}

const checkout = existsSync(join(root, 'tsconfig.json'));
if (checkout || !prebuildLoads()) buildFromSource();
else installPrebuiltProbe();
if (existsSync(join(root, 'dist'))) await import('./record-node.mjs');

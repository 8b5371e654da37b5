// `unitd install-image [--undo] [--root=DIR]`: wires an installed unitd into an image, once,
// in a Dockerfile (or from the .deb's maintainer scripts). It does what Dockerfile.example's
// build-from-source recipe does by hand:
//   - diverts systemd's paths (dpkg-divert --rename, where dpkg exists), so a later
//     `apt-get install systemd` writes its files as *.distrib and leaves unitd's alone;
//   - links systemctl, journalctl, systemd-analyze, systemd-ask-password,
//     systemd-tty-ask-password-agent and init to unitd's launchers;
//   - records the node running this command in dist/node-path, so the launchers find it
//     without PATH (apt's maintainer scripts, cron, service(8));
//   - writes /etc/unitd/ defaults that are absent.
// Running it again changes nothing; --undo reverts exactly what the state file records.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SKIP_CONF } from '../manager/skip-list.js';

/** Where each tool goes, and which launcher of init/ it is. */
const LINKS: ReadonlyArray<{ target: string; launcher: string }> = [
  { target: '/usr/bin/systemctl', launcher: 'systemctl' },
  { target: '/usr/bin/journalctl', launcher: 'journalctl' },
  { target: '/usr/bin/systemd-analyze', launcher: 'systemd-analyze' },
  // The password agent protocol's two tools: apache2's ask-for-passphrase runs
  // /bin/systemd-ask-password, and users answer with systemd-tty-ask-password-agent.
  { target: '/usr/bin/systemd-ask-password', launcher: 'systemd-ask-password' },
  { target: '/usr/bin/systemd-tty-ask-password-agent', launcher: 'systemd-tty-ask-password-agent' },
  { target: '/usr/sbin/init', launcher: 'unitd' },
];

/** Paths under /bin and /sbin: the same files on merged-/usr images, own files otherwise. */
const LEGACY_DIRS: Readonly<Record<string, string>> = { '/usr/bin': '/bin', '/usr/sbin': '/sbin' };

/** Bookworm's packages still ship /bin/systemctl and /sbin/init, newer ones /usr/...: dpkg matches diversions by path, so both spellings. */
function divertedPaths(target: string): string[] {
  const legacy = LEGACY_DIRS[path.dirname(target)];
  return legacy ? [path.join(legacy, path.basename(target)), target] : [target];
}

const DIVERSION_SUFFIX = '.distrib';
const STATE_FILE = '/var/lib/unitd/install-image.json';
const SKIP_CONF_TEXT = `# unitd skip list: one shell glob of unit names per line, added to the built-in list
# of units that make no sense in a container (systemctl list-units shows them as
# "skipped"). Lines starting with # are comments. Example:
#   getty@*.service
`;

interface InstallState {
  package: string;
  diversions: string[];
  /** Files that were in the way on an image without dpkg, moved to PATH.distrib. */
  moved: string[];
  links: string[];
  wroteFiles: string[];
}

interface Context {
  root: string;
  packageRoot: string;
  out: (line: string) => void;
  /** dpkg-divert's --package NAME inside the .deb's maintainer scripts, else --local. */
  divertOwner: string[];
  hasDpkg: boolean;
}

function at(ctx: Context, p: string): string {
  return path.join(ctx.root, p);
}

function lexists(p: string): boolean {
  try {
    fs.lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

function isSymlinkedDir(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

function dpkgDivert(ctx: Context, args: string[]): void {
  const rootArgs = ctx.root === '/' ? [] : [`--root=${ctx.root}`];
  const result = spawnSync('dpkg-divert', [...rootArgs, ...ctx.divertOwner, '--rename', ...args], { encoding: 'utf8' });
  if (result.error) throw new Error(`dpkg-divert: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`dpkg-divert ${args.join(' ')}: ${(result.stderr || result.stdout).trim()}`);
}

/** The diversion's destination if `p` is already diverted, else undefined. */
function divertedTo(ctx: Context, p: string): string | undefined {
  const rootArgs = ctx.root === '/' ? [] : [`--root=${ctx.root}`];
  const result = spawnSync('dpkg-divert', [...rootArgs, '--truename', p], { encoding: 'utf8' });
  const truename = result.status === 0 ? result.stdout.trim() : p;
  return truename === p ? undefined : truename;
}

function readState(ctx: Context): InstallState | undefined {
  try {
    return JSON.parse(fs.readFileSync(at(ctx, STATE_FILE), 'utf8')) as InstallState;
  } catch {
    return undefined;
  }
}

function install(ctx: Context): void {
  const state: InstallState = readState(ctx) ?? { package: ctx.packageRoot, diversions: [], moved: [], links: [], wroteFiles: [] };
  const remember = (list: string[], p: string): void => {
    if (!list.includes(p)) list.push(p);
  };
  for (const { target, launcher } of LINKS) {
    const source = path.join(ctx.packageRoot, 'init', launcher);
    if (!fs.existsSync(source)) continue; // a build without that tool
    for (const p of divertedPaths(target)) {
      if (ctx.hasDpkg) {
        if (divertedTo(ctx, p) === undefined) {
          dpkgDivert(ctx, ['--divert', `${p}${DIVERSION_SUFFIX}`, '--add', p]);
          ctx.out(`Diverted ${p} to ${p}${DIVERSION_SUFFIX}.`);
        }
        remember(state.diversions, p);
      }
    }
    const places = [target];
    const legacyDir = LEGACY_DIRS[path.dirname(target)];
    // On a merged-/usr image /bin is a link to usr/bin and the one link serves both.
    if (legacyDir && !isSymlinkedDir(at(ctx, legacyDir)) && fs.existsSync(at(ctx, legacyDir))) places.push(path.join(legacyDir, path.basename(target)));
    for (const place of places) {
      const full = at(ctx, place);
      let current: string | undefined;
      try {
        current = fs.readlinkSync(full);
      } catch {
        current = undefined;
      }
      if (current === source) {
        remember(state.links, place);
        continue;
      }
      if (lexists(full)) {
        if (current === undefined && !ctx.hasDpkg) {
          fs.renameSync(full, `${full}${DIVERSION_SUFFIX}`);
          remember(state.moved, place);
          ctx.out(`Moved ${place} to ${place}${DIVERSION_SUFFIX}.`);
        } else {
          fs.rmSync(full, { force: true });
        }
      }
      fs.mkdirSync(path.dirname(full), { recursive: true });
      fs.symlinkSync(source, full);
      remember(state.links, place);
      ctx.out(`Linked ${place} to ${source}.`);
    }
  }
  const skipConf = at(ctx, SKIP_CONF);
  if (!lexists(skipConf)) {
    fs.mkdirSync(path.dirname(skipConf), { recursive: true });
    fs.writeFileSync(skipConf, SKIP_CONF_TEXT);
    remember(state.wroteFiles, SKIP_CONF);
    ctx.out(`Wrote ${SKIP_CONF}.`);
  }
  // The launchers exec this node without consulting PATH (init/exec-node.sh).
  const nodePath = path.join(ctx.packageRoot, 'dist', 'node-path');
  fs.writeFileSync(nodePath, `${process.execPath}\n`);
  ctx.out(`Recorded ${process.execPath} in ${nodePath}.`);
  fs.mkdirSync(path.dirname(at(ctx, STATE_FILE)), { recursive: true });
  fs.writeFileSync(at(ctx, STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);
  if (!ctx.hasDpkg) ctx.out('No dpkg here: nothing diverted; a package manager may later overwrite these links.');
}

function undo(ctx: Context): void {
  const state = readState(ctx);
  if (!state) {
    ctx.out(`Nothing to undo: ${STATE_FILE} does not exist.`);
    return;
  }
  for (const place of state.links) {
    const full = at(ctx, place);
    let current: string | undefined;
    try {
      current = fs.readlinkSync(full);
    } catch {
      continue;
    }
    // Only our own links: whatever replaced them since is the user's.
    if (!current.startsWith(`${state.package}${path.sep}`)) continue;
    fs.rmSync(full, { force: true });
    ctx.out(`Removed ${place}.`);
  }
  for (const place of state.moved) {
    const full = at(ctx, place);
    if (lexists(`${full}${DIVERSION_SUFFIX}`) && !lexists(full)) {
      fs.renameSync(`${full}${DIVERSION_SUFFIX}`, full);
      ctx.out(`Restored ${place}.`);
    }
  }
  for (const p of state.diversions) {
    if (!ctx.hasDpkg || divertedTo(ctx, p) === undefined) continue;
    dpkgDivert(ctx, ['--divert', `${p}${DIVERSION_SUFFIX}`, '--remove', p]);
    ctx.out(`Removed the diversion of ${p}.`);
  }
  for (const file of state.wroteFiles) {
    const full = at(ctx, file);
    // A file the user edited since stays.
    if (fs.existsSync(full) && fs.readFileSync(full, 'utf8') === SKIP_CONF_TEXT) {
      fs.rmSync(full);
      ctx.out(`Removed ${file}.`);
    }
  }
  fs.rmSync(at(ctx, STATE_FILE), { force: true });
}

const USAGE = 'usage: unitd install-image [--undo] [--root=DIR] [--quiet]';

export function installImage(argv: readonly string[], out: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): number {
  let root = '/';
  let undoing = false;
  let quiet = false;
  for (const arg of argv) {
    if (arg === '--undo') undoing = true;
    else if (arg === '--quiet' || arg === '-q') quiet = true;
    else if (arg.startsWith('--root=')) root = path.resolve(arg.slice('--root='.length));
    else if (arg === '--help' || arg === '-h') {
      out(USAGE);
      return 0;
    } else {
      process.stderr.write(`unitd install-image: unknown argument '${arg}'\n${USAGE}\n`);
      return 2;
    }
  }
  if (process.getuid?.() !== 0) {
    process.stderr.write('unitd install-image: must be run as root (it writes /usr/bin, /usr/sbin and dpkg\'s diversions).\n');
    return 4;
  }
  const owner = process.env.DPKG_MAINTSCRIPT_PACKAGE;
  const ctx: Context = {
    root,
    packageRoot: fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, ''),
    out: quiet ? () => undefined : out,
    divertOwner: owner ? ['--package', owner] : ['--local'],
    hasDpkg: fs.existsSync(path.join(root, 'var/lib/dpkg/status')) && spawnSync('dpkg-divert', ['--version']).status === 0,
  };
  try {
    if (undoing) undo(ctx);
    else install(ctx);
    return 0;
  } catch (error) {
    process.stderr.write(`unitd install-image: ${(error as Error).message}\n`);
    return 1;
  }
}

export async function runCli(argv: readonly string[]): Promise<void> {
  process.exitCode = installImage(argv.slice(1));
}

// enable, disable, reenable, link, mask, unmask, preset and revert: the verbs
// that change symlinks under /etc/systemd/system (or /run with --runtime) and
// report each change the way systemd 252's systemctl does.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { ChangeList, describeChanges, describeManagerError } from '../../units/install-changes.js';
import {
  InstallFlags,
  InstallResult,
  disableUnits,
  enableUnits,
  linkUnitFiles,
  maskUnits,
  reenableUnits,
  revertUnits,
  unmaskUnits,
} from '../../units/install.js';
import { lookupPaths } from '../../units/paths.js';
import { presetUnits } from '../../units/presets.js';
import { connectIfRunning, reloadManager } from './manager-link.js';
import { mangleNames } from './names.js';
import { syncSysv } from './sysv-sync.js';
import { EXIT_FAILURE, VerbContext } from './verb.js';

const NO_INSTALL_CONFIG_HINT = [
  'The unit files have no installation config (WantedBy=, RequiredBy=, Also=,',
  'Alias= settings in the [Install] section, and DefaultInstance= for template',
  'units). This means they are not meant to be enabled using systemctl.',
  ' ',
  'Possible reasons for having this kind of units are:',
  '\u2022 A unit may be statically enabled by being symlinked from another unit\'s',
  '  .wants/ or .requires/ directory.',
  '\u2022 A unit\'s purpose may be to act as a helper for some other unit which has',
  '  a requirement dependency on it.',
  '\u2022 A unit may be started when needed via activation (socket, path, timer,',
  '  D-Bus, udev, scripted systemctl call, ...).',
  '\u2022 In case of template units, the unit is meant to be enabled with some',
  '  instance name specified.',
];

/** link takes paths: they need a slash, and relative ones are made absolute. */
function normaliseLinkPaths(ctx: VerbContext, names: string[]): string[] | undefined {
  const out: string[] = [];
  for (const n of names) {
    if (!n.includes('/')) {
      ctx.io.err('Link argument must contain at least one directory separator.');
      ctx.io.err(`If you intended to link a file in the current directory, try ./${n} instead.`);
      return undefined;
    }
    out.push(path.resolve(n));
  }
  return out;
}

/** disable works on names: a path argument is reduced to its file name, with a warning. */
function normaliseDisableNames(ctx: VerbContext, names: string[]): string[] {
  let wasPath = false;
  const out = names.map((n) => {
    if (!n.includes('/')) return n;
    wasPath = true;
    return path.basename(n);
  });
  if (wasPath) ctx.io.err("Warning: Can't execute disable on the unit file path. Proceeding with the unit name.");
  return out;
}

/**
 * `--now`: systemd 252 starts (enable) or stops (disable, mask) the named units
 * once the files changed, through the same code as `systemctl start/stop`, so
 * the messages and exit codes are those verbs'. reenable ignores --now in 252.
 */
const NOW_JOB: Record<string, 'start' | 'stop' | undefined> = { enable: 'start', disable: 'stop', mask: 'stop' };

async function applyNow(ctx: VerbContext, names: string[]): Promise<number> {
  const job = NOW_JOB[ctx.verb];
  if (!ctx.options.now || job === undefined || names.length === 0) return 0;
  const runtime = await import('./runtime.js');
  return runtime.run({ ...ctx, verb: job, args: names.map((n) => path.basename(n)) });
}

export async function run(ctx: VerbContext): Promise<number> {
  // systemctl changes the files itself with --root or with no manager, else through the manager,
  // which words errors its own way and is reloaded afterwards (unless --no-reload).
  const manager = ctx.options.root === undefined ? await connectIfRunning() : undefined;
  const rc = changeFiles(ctx, manager !== undefined);
  if (rc.code !== 0 || ctx.options.noReload) manager?.close();
  else if (manager !== undefined) await reloadManager(manager);
  if (rc.code !== 0) return rc.code;
  return applyNow(ctx, rc.names);
}

function changeFiles(ctx: VerbContext, live: boolean): { code: number; names: string[] } {
  const fail = { code: EXIT_FAILURE, names: [] };
  const { options: o, verb } = ctx;
  let names = mangleNames(ctx.io, ctx.args, verb, o.quiet);
  if (names === undefined) return fail;
  if (verb === 'disable') names = normaliseDisableNames(ctx, names);
  const sysv = syncSysv(ctx, names);
  if (sysv.code !== 0) return fail;
  // Every name was a SysV script only: systemd-sysv-install did all there was to do.
  if (sysv.names.length === 0 && names.length > 0) return { code: 0, names: [] };
  names = sysv.names;
  if (verb === 'link') {
    const linked = normaliseLinkPaths(ctx, names);
    if (linked === undefined) return fail;
    names = linked;
  }
  const lp = lookupPaths({ root: o.root });
  const flags: InstallFlags = { runtime: o.runtime, force: o.force > 0 };
  const changes = new ChangeList();
  let result: InstallResult;
  switch (verb) {
    case 'enable':
      result = enableUnits(lp, names, flags, changes);
      break;
    case 'disable':
      result = disableUnits(lp, names, flags, changes);
      break;
    case 'reenable':
      result = reenableUnits(lp, names, flags, changes);
      break;
    case 'link':
      result = linkUnitFiles(lp, names, flags, changes);
      break;
    case 'mask':
      // systemctl's unit_exists() check, made only against a running manager (not with --root):
      // masking a name nothing provides is allowed, with a notice.
      for (const n of live ? names : []) {
        if (!n.includes('/') && !lp.searchPath.some((dir) => fs.existsSync(path.join(dir, n)))) {
          ctx.io.err(`Unit ${n} does not exist, proceeding anyway.`);
        }
      }
      result = maskUnits(lp, names, flags, changes);
      break;
    case 'unmask':
      result = unmaskUnits(lp, names, flags, changes);
      break;
    case 'preset':
      result = presetUnits(lp, names, flags, o.presetMode, changes);
      break;
    case 'revert':
      result = revertUnits(lp, names, changes);
      break;
    default:
      ctx.io.err(`Unknown command verb ${verb}.`);
      return fail;
  }
  if (live && result.error !== undefined) {
    ctx.io.err(describeManagerError(verb, changes, result.error));
    return fail;
  }
  for (const line of describeChanges(verb, changes, result.error, o.quiet)) ctx.io.err(line);
  if (result.error !== undefined) return fail;
  if ((verb === 'enable' || verb === 'reenable') && result.count === 0 && !o.quiet) {
    for (const line of NO_INSTALL_CONFIG_HINT) ctx.io.err(line);
  }
  return { code: 0, names };
}

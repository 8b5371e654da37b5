// enable/disable of a service that also has an /etc/init.d script keep its rc
// links in step, as systemd 252's enable_sysv_units() does: one notice, the
// command line, then systemd-sysv-install (update-rc.d underneath). Images
// without systemd's script get unitd's own (init/systemd-sysv-install); the
// command line shown is systemd's either way, since scripts and people read it.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { lookupPaths, withRoot } from '../../units/paths.js';
import { unitFileExists } from '../../units/install.js';
import { EXIT_FAILURE, type VerbContext } from './verb.js';

export const SYSV_INSTALL = '/lib/systemd/systemd-sysv-install';
const SYSV_INIT_DIR = '/etc/init.d';
const OWN_SYSV_INSTALL = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'init', 'systemd-sysv-install');

export interface SysvResult {
  code: number;
  /** The names left for the native unit-file machinery (SysV-only ones are handled here). */
  names: string[];
}

export function syncSysv(ctx: VerbContext, names: string[]): SysvResult {
  const { verb, options: o } = ctx;
  if ((verb !== 'enable' && verb !== 'disable') || process.env.SYSTEMCTL_SKIP_SYSV === '1' || process.env.SYSTEMCTL_SKIP_SYSV === 'true') {
    return { code: 0, names };
  }
  const root = o.root ?? '';
  const lp = lookupPaths({ root: o.root });
  const left: string[] = [];
  for (const name of names) {
    if (!name.endsWith('.service') || path.isAbsolute(name)) {
      left.push(name);
      continue;
    }
    const native = unitFileExists(lp, name);
    const script = name.slice(0, -'.service'.length);
    if (!fs.existsSync(withRoot(root, path.join(SYSV_INIT_DIR, script)))) {
      left.push(name);
      continue;
    }
    const args = [...(root !== '' ? [`--root=${root}`] : []), verb, script];
    if (!o.quiet) {
      ctx.io.err(
        native
          ? `Synchronizing state of ${name} with SysV service script with ${SYSV_INSTALL}.`
          : `${name} is not a native service, redirecting to systemd-sysv-install.`,
      );
      ctx.io.err(`Executing: ${[SYSV_INSTALL, ...args].join(' ')}`);
    }
    const program = fs.existsSync(SYSV_INSTALL) ? SYSV_INSTALL : OWN_SYSV_INSTALL;
    const r = spawnSync(program, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    // systemd stays silent here: the script has already said what went wrong.
    if (r.error !== undefined || r.status !== 0) return { code: EXIT_FAILURE, names: left };
    if (native) left.push(name);
  }
  return { code: 0, names: left };
}

// get-default and set-default: the default.target alias in /etc/systemd/system.

import { ChangeList, describeChanges } from '../../units/install-changes.js';
import { STRERROR } from '../../units/values/errno.js';
import { getDefaultTarget, setDefaultTarget } from '../../units/install.js';
import { lookupPaths } from '../../units/paths.js';
import { mangleNames } from './names.js';
import { EXIT_FAILURE, VerbContext } from './verb.js';

export function run(ctx: VerbContext): number {
  const o = ctx.options;
  const lp = lookupPaths({ root: o.root });
  if (ctx.verb === 'get-default') {
    const r = getDefaultTarget(lp);
    if (r.name === undefined) {
      ctx.io.err(`Failed to get default target: ${STRERROR[r.error ?? 'EIO']}`);
      return EXIT_FAILURE;
    }
    ctx.io.out(r.name);
    return 0;
  }
  const names = mangleNames(ctx.io, ctx.args, 'set-default', o.quiet, '.target');
  if (names === undefined) return EXIT_FAILURE;
  const changes = new ChangeList();
  const result = setDefaultTarget(lp, names[0], changes);
  for (const line of describeChanges('set default', changes, result.error, o.quiet)) ctx.io.err(line);
  return result.error !== undefined ? EXIT_FAILURE : 0;
}

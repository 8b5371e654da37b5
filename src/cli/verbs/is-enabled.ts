// is-enabled: the unit file state of each unit; 0 if any is enabled-like.

import { STRERROR } from '../../units/values/errno.js';
import { lookupPaths } from '../../units/paths.js';
import { ENABLED_LIKE_STATES, unitFileState } from '../../units/unit-file-state.js';
import { mangleNames } from './names.js';
import { EXIT_FAILURE, VerbContext } from './verb.js';

export function run(ctx: VerbContext): number {
  const o = ctx.options;
  const names = mangleNames(ctx.io, ctx.args, 'to check', o.quiet);
  if (names === undefined) return EXIT_FAILURE;
  const lp = lookupPaths({ root: o.root });
  let enabled = false;
  for (const name of names) {
    const r = unitFileState(lp, name);
    if (r.state === undefined) {
      ctx.io.err(`Failed to get unit file state for ${name}: ${STRERROR[r.error ?? 'EIO']}`);
      return EXIT_FAILURE;
    }
    if (ENABLED_LIKE_STATES.includes(r.state)) enabled = true;
    if (!o.quiet) ctx.io.out(r.state);
  }
  return enabled ? 0 : EXIT_FAILURE;
}

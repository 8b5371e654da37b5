// add-wants / add-requires TARGET UNIT...: link units into TARGET.wants/ or TARGET.requires/.

import { ChangeList, describeChanges } from '../../units/install-changes.js';
import { addDependency } from '../../units/install.js';
import { lookupPaths } from '../../units/paths.js';
import { mangleNames } from './names.js';
import { EXIT_FAILURE, VerbContext } from './verb.js';

export function run(ctx: VerbContext): number {
  const o = ctx.options;
  const target = mangleNames(ctx.io, ctx.args.slice(0, 1), ctx.verb, o.quiet, '.target');
  const names = mangleNames(ctx.io, ctx.args.slice(1), ctx.verb, o.quiet);
  if (target === undefined || names === undefined) return EXIT_FAILURE;
  const kind = ctx.verb === 'add-wants' ? 'wants' : 'requires';
  const changes = new ChangeList();
  const result = addDependency(lookupPaths({ root: o.root }), target[0], names, kind, { runtime: o.runtime, force: o.force > 0 }, changes);
  for (const line of describeChanges('add dependency on', changes, result.error, o.quiet)) ctx.io.err(line);
  return result.error !== undefined ? EXIT_FAILURE : 0;
}

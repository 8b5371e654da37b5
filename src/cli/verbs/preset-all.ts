// preset-all: apply the preset policy to every installed unit file.

import { ChangeList, describeChanges } from '../../units/install-changes.js';
import { lookupPaths } from '../../units/paths.js';
import { presetAllUnits } from '../../units/presets.js';
import { EXIT_FAILURE, VerbContext } from './verb.js';

export function run(ctx: VerbContext): number {
  const o = ctx.options;
  const changes = new ChangeList();
  const result = presetAllUnits(lookupPaths({ root: o.root }), { runtime: o.runtime, force: o.force > 0 }, o.presetMode, changes);
  for (const line of describeChanges('preset', changes, result.error, o.quiet)) ctx.io.err(line);
  return result.error !== undefined ? EXIT_FAILURE : 0;
}

// list-unit-files: UNIT FILE, STATE and PRESET of every unit file on the search path.

import * as path from 'node:path';
import { lookupPaths } from '../../units/paths.js';
import { readPresets, presetStateOf } from '../../units/presets.js';
import { UnitFileState, listUnitFiles } from '../../units/unit-file-state.js';
import { unitTypeOf } from '../../units/unit-name.js';
import { formatTable } from '../table.js';
import { VerbContext } from './verb.js';

/** Presets only mean something for units that can be enabled or disabled. */
const STATES_WITHOUT_PRESET: readonly UnitFileState[] = ['alias', 'static', 'generated', 'transient'];

/** systemd sorts by type suffix, then name, both case-insensitively. */
function compareUnitFiles(a: string, b: string): number {
  const ta = a.slice(a.lastIndexOf('.')).toLowerCase();
  const tb = b.slice(b.lastIndexOf('.')).toLowerCase();
  if (ta !== tb) return ta < tb ? -1 : 1;
  const la = a.toLowerCase();
  const lb = b.toLowerCase();
  return la < lb ? -1 : la > lb ? 1 : 0;
}

export function run(ctx: VerbContext): number {
  const o = ctx.options;
  const lp = lookupPaths({ root: o.root });
  const rules = readPresets(lp);
  const entries = listUnitFiles(lp, ctx.args, o.states)
    .filter((e) => o.types.length === 0 || o.types.includes(unitTypeOf(e.name) ?? ''))
    .sort((a, b) => compareUnitFiles(path.basename(a.path), path.basename(b.path)));
  const rows = entries.map((e) => [
    e.name,
    e.state,
    STATES_WITHOUT_PRESET.includes(e.state) ? '-' : presetStateOf(rules, e.name) === 'enable' ? 'enabled' : 'disabled',
  ]);
  const header = o.legend ? ['UNIT FILE', 'STATE', 'PRESET'] : undefined;
  for (const line of formatTable(header, rows)) ctx.io.out(line);
  if (o.legend) {
    ctx.io.out('');
    ctx.io.out(`${rows.length} unit files listed.`);
  }
  return rows.length === 0 ? 1 : 0;
}

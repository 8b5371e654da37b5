// `systemctl show [UNIT...]`: the manager's properties without units, else
// one Key=Value block per unit separated by blank lines.

import { formatShow } from '../format/show.js';
import { withDaemon } from './daemon-errors.js';
import type { RuntimeVerb } from './runtime-context.js';
import { expandUnitArgs } from './unit-args.js';

export const show: RuntimeVerb = (ctx, args) =>
  withDaemon(ctx, async (d) => {
    const o = ctx.options;
    const common = { properties: o.properties.length > 0 ? o.properties : undefined, all: o.all, valueOnly: o.value };
    if (args.length === 0) {
      const lines = formatShow(await d.managerProperties(), { ...common, manager: true });
      if (lines.length > 0) ctx.out(lines.join('\n') + '\n');
      return 0;
    }
    const units = await expandUnitArgs(ctx, d, args);
    const blocks = (await d.unitProperties(units)).map((p) => formatShow(p, common));
    const text = blocks.map((b) => b.map((l) => l + '\n').join('')).join('\n');
    // Nothing to show (an unknown property) prints nothing at all, not an empty line.
    if (text.trim() !== '') ctx.out(text);
    return 0;
  });

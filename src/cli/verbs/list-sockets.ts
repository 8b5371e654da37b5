// list-sockets [PATTERN...] (systemctl(1)): one row per listening port of each socket unit,
// sorted by address then type, with the units each activates; systemd 252's layout.

import type { UnitListEntry } from '../../control/api.js';
import { globToRegExp } from '../../units/glob.js';
import { formatTable } from '../table.js';
import { withDaemon } from './daemon-errors.js';
import type { RuntimeVerb } from './runtime-context.js';
import { mangleArgs } from './unit-args.js';

interface SocketRow {
  listen: string;
  type: string;
  unit: string;
  activates: string;
}

/** `[::]:22 (Stream)` → address and type, as the Listen= property pairs them. */
function splitListen(entry: string): { listen: string; type: string } {
  const open = entry.lastIndexOf(' (');
  return open < 0 || !entry.endsWith(')') ? { listen: entry, type: '' } : { listen: entry.slice(0, open), type: entry.slice(open + 2, -1) };
}

export const listSockets: RuntimeVerb = (ctx, args) =>
  withDaemon(ctx, async (d) => {
    const patterns = mangleArgs(ctx, args, '.socket').map((pattern) => globToRegExp(pattern));
    const units = (await d.listUnits({ all: ctx.options.all })).filter(
      (u: UnitListEntry) => u.id.endsWith('.socket') && (patterns.length === 0 || patterns.some((re) => re.test(u.id))),
    );
    const props = units.length > 0 ? await d.unitProperties(units.map((u) => u.id)) : [];
    const rows: SocketRow[] = [];
    props.forEach((p, i) => {
      const listen = Array.isArray(p.Listen) ? (p.Listen as string[]) : [];
      const triggers = Array.isArray(p.Triggers) ? (p.Triggers as string[]) : [];
      const activates = p.Accept === true || triggers.length === 0 ? '-' : triggers.join(', ');
      for (const entry of listen) rows.push({ ...splitListen(entry), unit: units[i].id, activates });
    });
    // socket_info_compare(): by address (byte order), then type.
    const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
    rows.sort((a, b) => byteOrder(a.listen, b.listen) || byteOrder(a.type, b.type));
    const lines = formatTable(
      ctx.options.legend ? ['LISTEN', 'UNIT', 'ACTIVATES'] : undefined,
      rows.map((r) => [r.listen, r.unit, r.activates]),
    );
    if (ctx.options.legend) {
      // systemd 252 does not singularise: "1 sockets listed."
      lines.push('', `${rows.length} sockets listed.`);
      if (!ctx.options.all) lines.push('Pass --all to see loaded but inactive sockets, too.');
    }
    if (lines.length > 0) ctx.out(lines.join('\n') + '\n');
    return 0;
  });

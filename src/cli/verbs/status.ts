// `systemctl status [UNIT...]`: one block per unit with its processes and
// log tail; exit 0 when the (first) unit is active, 3 when not, 4 when unknown.

import type { Properties } from '../../control/api.js';
import { formatStatus } from '../format/status.js';
import { withDaemon } from './daemon-errors.js';
import type { DaemonConnection, RuntimeVerb, RuntimeVerbContext } from './runtime-context.js';
import { expandUnitArgs } from './unit-args.js';

function s(p: Properties, k: string): string {
  const v = p[k];
  return typeof v === 'string' ? v : '';
}

function list(p: Properties, k: string): string[] {
  const v = p[k];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/**
 * `status` without units: systemd's show_system_status() overview. The glyph
 * is always ● (coloured by state on a terminal); Units counts loaded names.
 * unitd has no cgroup tree to print, so the overview ends with `CGroup: /`.
 */
async function overview(ctx: RuntimeVerbContext, d: DaemonConnection): Promise<number> {
  const [state, mgr, jobs] = await Promise.all([d.systemState(), d.managerProperties(), d.listJobs()]);
  const n = (k: string, fallback: number): number => (typeof mgr[k] === 'number' ? (mgr[k] as number) : fallback);
  const failed = n('NFailedUnits', 0);
  const names = n('NNames', 0);
  const lines = [
    `● ${ctx.hostname}`,
    `    State: ${state}`,
    `    Units: ${names} loaded (incl. loaded aliases)`,
    `     Jobs: ${n('NJobs', jobs.length)} queued`,
    `   Failed: ${failed} units`,
  ];
  const since = n('UserspaceTimestamp', 0) || n('FinishTimestamp', 0);
  if (since > 0) {
    const { formatRelative, formatTimestamp } = await import('../format/time.js');
    lines.push(`    Since: ${formatTimestamp(since)}; ${formatRelative(since, ctx.nowUsec())}`);
  }
  if (typeof mgr.Version === 'string' && mgr.Version !== '') lines.push(`  systemd: ${mgr.Version}`);
  lines.push('   CGroup: /');
  ctx.out(lines.join('\n') + '\n');
  return 0;
}

export const status: RuntimeVerb = (ctx, args) =>
  withDaemon(ctx, async (d) => {
    if (args.length === 0) return overview(ctx, d);
    const units = await expandUnitArgs(ctx, d, args);
    const all = await d.unitProperties(units);
    let rc = 0;
    let first = true;
    for (const props of all) {
      const id = s(props, 'Id');
      const active = s(props, 'ActiveState');
      // An inactive unit nobody knows about gets a message instead of a block (semantics §8.3).
      if (s(props, 'LoadState') === 'not-found' && active === 'inactive') {
        ctx.err(`Unit ${id} could not be found.\n`);
        if (rc === 0) rc = 4;
        continue;
      }
      const related = [...list(props, 'TriggeredBy'), ...list(props, 'Triggers')];
      const [processes, log, relatedProps] = await Promise.all([
        d.unitProcesses(id),
        ctx.options.lines > 0 ? d.unitLog(id, ctx.options.lines) : Promise.resolve([]),
        related.length > 0 ? d.unitProperties(related) : Promise.resolve([]),
      ]);
      const relatedStates = Object.fromEntries(related.map((u, i) => [u, s(relatedProps[i] ?? {}, 'ActiveState')]));
      const lines = formatStatus(
        { props, processes, log, relatedStates },
        {
          nowUsec: ctx.nowUsec(),
          color: ctx.color ?? ctx.isTTY,
          hostname: ctx.hostname,
          columns: ctx.options.full ? undefined : ctx.columns,
          comm: ctx.comm,
          nowMonotonicUsec: Number(process.hrtime.bigint() / 1000n),
        },
      );
      ctx.out((first ? '' : '\n') + lines.join('\n') + '\n');
      first = false;
      if (rc === 0 && active !== 'active' && active !== 'reloading') rc = 3;
    }
    return rc;
  });

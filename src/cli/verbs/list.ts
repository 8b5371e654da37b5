// list-units, list-jobs and cancel.

import type { UnitListEntry } from '../../control/api.js';
import { formatListJobs } from '../format/list-jobs.js';
import { formatListUnits } from '../format/list-units.js';
import { errorMessage, withDaemon } from './daemon-errors.js';
import type { RuntimeVerb } from './runtime-context.js';
import { mangleArgs } from './unit-args.js';
import { globToRegExp } from '../../units/glob.js';

function typeOf(id: string): string {
  return id.slice(id.lastIndexOf('.') + 1);
}

export const listUnits: RuntimeVerb = (ctx, args) =>
  withDaemon(ctx, async (d) => {
    const o = ctx.options;
    const states = o.failed ? [...o.states, 'failed'] : o.states;
    const patterns = mangleArgs(ctx, args).map((pattern) => globToRegExp(pattern));
    const units = (await d.listUnits({ all: o.all || states.length > 0 })).filter((u: UnitListEntry) => {
      if (patterns.length > 0 && !patterns.some((re) => re.test(u.id))) return false;
      if (o.types.length > 0 && !o.types.includes(typeOf(u.id))) return false;
      if (states.length > 0) return [u.loadState, u.activeState, u.subState].some((st) => states.includes(st));
      // Without --all: what is active, failed or has a job (systemctl's own filter).
      return o.all || u.activeState !== 'inactive' || u.jobId !== undefined;
    });
    const lines = formatListUnits(units, {
      all: o.all,
      stateFilter: states.length > 0,
      legend: o.legend,
      plain: o.plain,
      color: ctx.color ?? ctx.isTTY,
      columns: ctx.isTTY && !o.full ? ctx.columns : undefined,
    });
    if (lines.length > 0) ctx.out(lines.join('\n') + '\n');
    return 0;
  });

export const listJobs: RuntimeVerb = (ctx) =>
  withDaemon(ctx, async (d) => {
    const lines = formatListJobs(await d.listJobs(), ctx.options.legend);
    if (lines.length > 0) ctx.out(lines.join('\n') + '\n');
    return 0;
  });

export const cancel: RuntimeVerb = (ctx, args) =>
  withDaemon(ctx, async (d) => {
    const ids: number[] = [];
    for (const a of args) {
      if (!/^\d+$/.test(a) || Number(a) === 0) {
        ctx.err(`Failed to parse job id "${a}": Invalid argument\n`);
        return 1;
      }
      ids.push(Number(a));
    }
    // No ids: every queued job, as systemctl cancel does.
    const targets = ids.length > 0 ? ids : (await d.listJobs()).map((j) => j.id);
    if (targets.length === 0) return 0;
    try {
      await d.cancelJobs(targets);
    } catch (err) {
      ctx.err(`Failed to cancel job: ${errorMessage(err)}\n`);
      return 1;
    }
    return 0;
  });

// The remaining runtime verbs: isolate and its shorthands (default, rescue,
// emergency), list-timers and list-sockets, import-environment.

import type { Properties, UnitListEntry } from '../../control/api.js';
import { formatListTimers, nextElapse, type TimerRow } from '../format/list-timers.js';
import { ControlCallError } from '../../control/client.js';
import { mangleUnitName } from '../../units/unit-name.js';
import { errorMessage, exitStatusForBusError, withDaemon } from './daemon-errors.js';
import { explainJobResult } from './job.js';
import type { RuntimeVerb, RuntimeVerbContext } from './runtime-context.js';
import { mangleArgs } from './unit-args.js';
import { globToRegExp } from '../../units/glob.js';

async function isolateTarget(ctx: RuntimeVerbContext, target: string): Promise<number> {
  return withDaemon(ctx, async (d) => {
    try {
      const outcome = await d.enqueueJob({ unit: target, type: 'start', mode: 'isolate', wait: !ctx.options.noBlock });
      if (outcome.result === undefined) return 0;
      const lines = explainJobResult(target, outcome.result, undefined);
      if (lines.length === 0) return 0;
      ctx.err(lines.join('\n') + '\n');
      return 1;
    } catch (err) {
      ctx.err(`Failed to start ${target}: ${errorMessage(err)}\n`);
      const busError = err instanceof ControlCallError ? err.busError : '';
      if (busError !== 'org.freedesktop.systemd1.NoSuchUnit' && busError !== 'org.freedesktop.systemd1.UnitMasked') {
        ctx.err(`See system logs and 'systemctl status ${target}' for details.\n`);
      }
      return exitStatusForBusError(busError);
    }
  });
}

/** `isolate T`: a bare name gets `.target` (systemctl mangles with the target suffix here). */
export const isolate: RuntimeVerb = async (ctx, args) => {
  const m = mangleUnitName(args[0] ?? '', { suffix: '.target', allowGlobs: false });
  if (m === undefined) {
    ctx.err('Failed to mangle unit name: Invalid argument\n');
    return 1;
  }
  if (m.warning !== undefined) ctx.err(m.warning + '\n');
  return isolateTarget(ctx, m.name);
};

/** default, rescue, emergency: isolate the special target of that name. */
export const isolateSpecial =
  (target: string): RuntimeVerb =>
  (ctx) =>
    isolateTarget(ctx, target);

/** list-timers [PATTERN...]: loaded timers that are active or have a job (--all: every loaded one). */
export const listTimers: RuntimeVerb = (ctx, args) =>
  withDaemon(ctx, async (d) => {
    const patterns = mangleArgs(ctx, args, '.timer').map((pattern) => globToRegExp(pattern));
    const units = (await d.listUnits({ all: ctx.options.all })).filter(
      (u: UnitListEntry) =>
        u.id.endsWith('.timer') &&
        (patterns.length === 0 || patterns.some((re) => re.test(u.id))) &&
        (ctx.options.all || u.activeState !== 'inactive' || u.jobId !== undefined),
    );
    const props = units.length > 0 ? await d.unitProperties(units.map((u) => u.id)) : [];
    const nowRealtime = ctx.nowUsec();
    const nowMonotonic = Number(process.hrtime.bigint() / 1000n);
    const num = (p: Properties, k: string): number => (typeof p[k] === 'number' ? (p[k] as number) : 0);
    const rows: TimerRow[] = props.map((p, i) => ({
      id: units[i].id,
      next: nextElapse(num(p, 'NextElapseUSecRealtime'), num(p, 'NextElapseUSecMonotonic'), nowRealtime, nowMonotonic),
      last: num(p, 'LastTriggerUSec'),
      activates: Array.isArray(p.Triggers) ? p.Triggers.filter((x): x is string => typeof x === 'string') : [],
    }));
    const lines = formatListTimers(rows, { all: ctx.options.all, legend: ctx.options.legend, nowUsec: nowRealtime });
    if (lines.length > 0) ctx.out(lines.join('\n') + '\n');
    return 0;
  });

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** import-environment [NAME...]: copy variables from the client's environment into the manager's. */
export const importEnvironment: RuntimeVerb = (ctx, args) => {
  const env = process.env;
  let names: string[];
  if (args.length === 0) {
    // systemd 252 still imports everything without arguments, with a deprecation notice.
    ctx.err('Calling import-environment without a list of variable names is deprecated.\n');
    names = Object.keys(env);
  } else {
    names = [];
    for (const a of args) {
      if (/[*?[]/.test(a)) {
        const re = globToRegExp(a);
        names.push(...Object.keys(env).filter((k) => re.test(k)));
      } else if (!NAME.test(a)) {
        ctx.err(`Not a valid environment variable name: ${a}\n`);
        return Promise.resolve(1);
      } else if (env[a] !== undefined) names.push(a);
    }
  }
  const assignments = names.filter((n) => NAME.test(n) && env[n] !== undefined).map((n) => `${n}=${env[n] ?? ''}`);
  if (assignments.length === 0) return Promise.resolve(0);
  return withDaemon(ctx, async (d) => {
    try {
      await d.setEnvironment(assignments, []);
      return 0;
    } catch (err) {
      ctx.err(`Failed to import environment: ${errorMessage(err)}\n`);
      return 1;
    }
  });
};

// is-active, is-failed and is-system-running: one state word per line, the
// exit code says whether any matched (semantics §8.2).

import { withDaemon } from './daemon-errors.js';
import { DaemonUnavailableError } from '../../control/client.js';
import type { RuntimeVerb, RuntimeVerbContext } from './runtime-context.js';
import { expandUnitArgs } from './unit-args.js';

function isStateVerb(matches: readonly string[], rcNone: number): RuntimeVerb {
  return (ctx, args) =>
    withDaemon(ctx, async (d) => {
      if (args.length === 0) {
        ctx.err('Too few arguments.\n');
        return 1;
      }
      const units = await expandUnitArgs(ctx, d, args);
      const props = await d.unitProperties(units);
      let any = false;
      for (const p of props) {
        // An unknown unit answers LoadState=not-found, ActiveState=inactive, which is what systemctl prints.
        const state = typeof p.ActiveState === 'string' ? p.ActiveState : 'inactive';
        if (matches.includes(state)) any = true;
        if (!ctx.options.quiet) ctx.out(state + '\n');
      }
      return any ? 0 : rcNone;
    });
}

export const isActive = isStateVerb(['active', 'reloading'], 3);
export const isFailed = isStateVerb(['failed'], 1);

async function systemStateOf(ctx: RuntimeVerbContext): Promise<string> {
  let d;
  try {
    d = await ctx.connect();
  } catch (err) {
    // Without a manager systemd's systemctl answers "offline" rather than failing to connect.
    if (err instanceof DaemonUnavailableError) return 'offline';
    throw err;
  }
  try {
    return await d.systemState();
  } finally {
    d.close();
  }
}

export const isSystemRunning: RuntimeVerb = async (ctx) => {
  const state = await systemStateOf(ctx);
  if (!ctx.options.quiet) ctx.out(state + '\n');
  return state === 'running' ? 0 : 1;
};

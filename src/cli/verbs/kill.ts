// `systemctl kill [-s SIG] [--kill-whom=main|control|all] UNIT...`

import { KILL_WHOM, type KillWhom } from '../../control/api.js';
import { signalFromString } from '../../units/values/signal.js';
import { errorMessage, withDaemon } from './daemon-errors.js';
import type { RuntimeVerb } from './runtime-context.js';
import { expandUnitArgs } from './unit-args.js';

export const kill: RuntimeVerb = (ctx, args) => {
  const sigText = ctx.options.signal ?? 'SIGTERM';
  const signal = signalFromString(sigText);
  if (signal === undefined) {
    ctx.err(`Failed to parse signal string "${sigText}".\n`);
    return Promise.resolve(1);
  }
  const whom = ctx.options.killWhom ?? 'all';
  if (!(KILL_WHOM as readonly string[]).includes(whom)) {
    ctx.err(`Unknown kill whom value: ${whom}\n`);
    return Promise.resolve(1);
  }
  return withDaemon(ctx, async (d) => {
    if (args.length === 0) {
      ctx.err('Too few arguments.\n');
      return 1;
    }
    let rc = 0;
    for (const unit of await expandUnitArgs(ctx, d, args)) {
      try {
        await d.killUnit(unit, whom as KillWhom, signal);
      } catch (err) {
        ctx.err(`Failed to kill unit ${unit}: ${errorMessage(err)}\n`);
        rc = 1;
      }
    }
    return rc;
  });
};

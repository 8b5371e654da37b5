// freeze, thaw and clean: one manager call per unit, worded as systemd 252's
// verb_clean_or_freeze(). Without --no-block systemctl first takes a reference
// on the unit (RefUnit), which is what fails for a unit that does not exist,
// hence its "Failed to add reference" wording there.

import { ControlCallError } from '../../control/client.js';
import { errorMessage, withDaemon } from './daemon-errors.js';
import type { DaemonConnection, RuntimeVerb, RuntimeVerbContext } from './runtime-context.js';
import { expandUnitArgs } from './unit-args.js';

/** systemctl's default for clean without --what=. */
const DEFAULT_CLEAN_WHAT = ['cache', 'runtime'];

type Action = 'freeze' | 'thaw' | 'clean';

function call(ctx: RuntimeVerbContext, d: DaemonConnection, action: Action, unit: string): Promise<void> {
  if (action === 'clean') return d.cleanUnit(unit, ctx.options.what.length > 0 ? ctx.options.what : DEFAULT_CLEAN_WHAT);
  return d.freezeUnit(unit, action);
}

function verb(action: Action): RuntimeVerb {
  return (ctx, args) =>
    withDaemon(ctx, async (d) => {
      const units = await expandUnitArgs(ctx, d, args);
      let rc = 0;
      for (const unit of units) {
        try {
          await call(ctx, d, action, unit);
        } catch (err) {
          const missing = err instanceof ControlCallError && err.busError === 'org.freedesktop.systemd1.NoSuchUnit';
          const what = missing && !ctx.options.noBlock ? `add reference to unit ${unit}` : `${action} unit ${unit}`;
          ctx.err(`Failed to ${what}: ${errorMessage(err)}\n`);
          rc = 1;
        }
      }
      return rc;
    });
}

export const freeze = verb('freeze');
export const thaw = verb('thaw');
export const clean = verb('clean');

// Verbs that need the running manager. Until the control client is wired in,
// they say plainly that there is no manager to talk to.

import { EXIT_FAILURE, VerbContext } from './verb.js';

export function run(ctx: VerbContext): number {
  ctx.io.err('Failed to connect to bus: unitd is not running');
  return ctx.verb === 'status' ? 3 : EXIT_FAILURE;
}

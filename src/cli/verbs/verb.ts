// The contract between systemctl's dispatcher and one verb module.

import { CliIO } from '../io.js';
import { SystemctlOptions } from '../systemctl-options.js';

export interface VerbContext {
  verb: string;
  /** Arguments after the verb. */
  args: string[];
  options: SystemctlOptions;
  io: CliIO;
}

export interface VerbModule {
  run(ctx: VerbContext): number | Promise<number>;
}

/** Exit status for a failure systemctl reports itself (EXIT_FAILURE). */
export const EXIT_FAILURE = 1;

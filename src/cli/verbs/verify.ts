// verify FILE|UNIT...: load each unit and print its diagnostics as
// systemd-analyze verify does; rc 1 when anything was reported.

import * as path from 'node:path';
import { formatDiagnostic } from '../../units/diagnostics.js';
import { UnitStore } from '../../units/loader.js';
import { mangleUnitName } from '../../units/unit-name.js';
import { EXIT_FAILURE, VerbContext } from './verb.js';

export function run(ctx: VerbContext): number {
  let rc = 0;
  // One store per search path: 300 files of one directory share one name map and cache
  // (a store per argument rescanned the directory 300 times).
  const stores = new Map<string, UnitStore>();
  for (const arg of ctx.args) {
    // A path is verified in place: its directory goes first on the search path.
    const isPath = arg.includes('/');
    const env = isPath ? `${path.dirname(path.resolve(arg))}:` : process.env.SYSTEMD_UNIT_PATH;
    const key = env ?? '';
    let store = stores.get(key);
    if (store === undefined) stores.set(key, (store = new UnitStore({ root: ctx.options.root, unitPathEnv: env })));
    const m = mangleUnitName(isPath ? path.basename(arg) : arg, { allowGlobs: false });
    if (m === undefined || m.invalid) {
      ctx.io.err(`Failed to prepare filename ${arg}: Invalid argument`);
      rc = EXIT_FAILURE;
      continue;
    }
    const unit = store.load(m.name);
    for (const d of unit.diagnostics) ctx.io.err(formatDiagnostic(d));
    // systemd-analyze verify (252) fails on any reported problem, warnings included.
    if (unit.diagnostics.length > 0) rc = EXIT_FAILURE;
    if (unit.loadState !== 'loaded') {
      if (unit.loadError) ctx.io.err(unit.loadError.message);
      rc = EXIT_FAILURE;
    }
  }
  return rc;
}

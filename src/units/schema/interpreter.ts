// The schema as the loader's interpreter: every consumer of loaded units (the
// daemon, `verify`, `cat`, `list-dependencies`) sees the same typed config and
// the same diagnostics.

import type { Interpreter } from '../loader.js';
import { interpretUnit } from './interpret.js';
import type { UnitConfig } from './types.js';

export const schemaInterpreter: Interpreter<UnitConfig> = ({ name, assignments, log, fragmentPath }) => {
  const config = interpretUnit({ name, assignments, log, specifiers: { unitName: name, fragmentPath } });
  return { config, badSetting: config.badSetting };
};

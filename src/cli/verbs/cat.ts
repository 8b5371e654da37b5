// cat: the fragment and drop-ins of each unit, each preceded by "# path".

import { UnitStore } from '../../units/loader.js';
import { readUnitFile } from '../../units/read-unit-file.js';
import { mangleUnitName } from '../../units/unit-name.js';
import { EXIT_FAILURE, VerbContext } from './verb.js';

function readText(file: string): string {
  try {
    return readUnitFile(file).data.toString('utf8');
  } catch (e) {
    return `# ${(e as Error).message}\n`;
  }
}

export function run(ctx: VerbContext): number {
  const store = new UnitStore();
  let rc = 0;
  let first = true;
  for (const arg of ctx.args) {
    const m = mangleUnitName(arg, { allowGlobs: false });
    if (m === undefined || m.invalid) {
      ctx.io.err(`Failed to mangle unit name: Invalid argument`);
      return EXIT_FAILURE;
    }
    if (m.warning !== undefined && !ctx.options.quiet) ctx.io.err(m.warning);
    const unit = store.load(m.name);
    const files: string[] = [];
    if (unit.fragmentPath !== undefined && unit.loadState !== 'masked') files.push(unit.sourcePath ?? unit.fragmentPath);
    files.push(...unit.dropInPaths);
    if (unit.loadState === 'masked') {
      // systemd 252 prints this as the unit's block, on stdout, and succeeds.
      if (!first) ctx.io.out('');
      first = false;
      ctx.io.out(`# Unit ${unit.id} is masked.`);
      continue;
    }
    if (files.length === 0) {
      ctx.io.err(`No files found for ${m.name}.`);
      rc = EXIT_FAILURE;
      continue;
    }
    if (!first) ctx.io.out('');
    first = false;
    files.forEach((f, i) => {
      if (i > 0) ctx.io.out('');
      ctx.io.out(`# ${f}`);
      const text = readText(f);
      ctx.io.out(text.endsWith('\n') ? text.slice(0, -1) : text);
    });
  }
  return rc;
}

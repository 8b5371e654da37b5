import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CASES } from './differential-cases.js';
import { runCase } from './differential.js';
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'unitd-dt-'));
let matched = 0;
const only = process.argv[2];
for (const [i, c] of CASES.entries()) {
  if (only && !c.name.includes(only)) continue;
  const a = path.join(work, `${i}-real`), b = path.join(work, `${i}-ours`);
  fs.mkdirSync(a); fs.mkdirSync(b);
  const real = runCase(c, a, true), ours = runCase(c, b, false);
  if (JSON.stringify(real) === JSON.stringify(ours)) { matched++; continue; }
  console.log(`=== ${c.name}`);
  real.commands.forEach((r, j) => { const o = ours.commands[j]; if (JSON.stringify(r) !== JSON.stringify(o)) { console.log(`--- ${r.args.join(' ')}\nREAL rc=${r.status}\n${r.stdout}${r.stderr}OURS rc=${o.status}\n${o.stdout}${o.stderr}`); } });
  const rt = new Set(real.tree), ot = new Set(ours.tree);
  for (const x of real.tree) if (!ot.has(x)) console.log(`  tree only real: ${x}`);
  for (const x of ours.tree) if (!rt.has(x)) console.log(`  tree only ours: ${x}`);
}
console.log(`matched ${matched}/${CASES.length}`);
fs.rmSync(work, { recursive: true, force: true });

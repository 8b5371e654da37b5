// Finding 11 (slow paths): a unit's UnitFileState used to be decided by reading every
// unit directory and every .wants/ directory in full, once per unit, so loading N
// enabled units read O(N²) directory entries (2,000 units: 8 million). Directory
// entries read are counted through fs.opendirSync, for 200 and for 2,000 units: the
// count must grow like the number of units, not like its square. Each state is also
// checked against the answer of a fresh lookup (no shared directory index).

import * as fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';

import { lookupPaths } from '../../src/units/paths.js';
import { lookupUnitFileState } from '../../src/units/unit-file-state.js';
import { SymlinkIndexCache } from '../../src/units/symlink-index.js';

/** Count the directory entries read while `fn` runs. */
function countEntries(fn: () => void): number {
  const original = fs.opendirSync;
  let entries = 0;
  (fs as unknown as { default: typeof fs }).default.opendirSync = ((p: fs.PathLike, o?: fs.OpenDirOptions) => {
    const dir = original(p, o);
    const read = dir.readSync.bind(dir);
    dir.readSync = () => {
      const e = read();
      if (e !== null) entries++;
      return e;
    };
    return dir;
  }) as typeof fs.opendirSync;
  syncBuiltinESMExports();
  try {
    fn();
  } finally {
    (fs as unknown as { default: typeof fs }).default.opendirSync = original;
    syncBuiltinESMExports();
  }
  return entries;
}

function machine(n: number): { root: string; names: string[] } {
  const root = mkdtempSync(join(tmpdir(), 'unitd-ufs-'));
  const dir = join(root, 'etc/systemd/system');
  const wants = join(dir, 'multi-user.target.wants');
  mkdirSync(wants, { recursive: true });
  const names: string[] = [];
  for (let i = 0; i < n; i++) {
    const name = `u${i}.service`;
    writeFileSync(join(dir, name), '[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\n');
    // Every other unit enabled; every tenth also has an alias link beside it.
    if (i % 2 === 0) symlinkSync(join(dir, name), join(wants, name));
    if (i % 10 === 0) symlinkSync(join(dir, name), join(dir, `alias${i}.service`));
    names.push(name);
  }
  return { root, names };
}

t.test('deciding the file state of every unit reads each directory once, not once per unit', async (t) => {
  const counts: number[] = [];
  for (const n of [200, 2000]) {
    const { root, names } = machine(n);
    t.teardown(() => rmSync(root, { recursive: true, force: true }));
    const lp = lookupPaths({ root, unitPathEnv: undefined });
    const states: string[] = [];
    const cache = new SymlinkIndexCache();
    counts.push(countEntries(() => {
      for (const name of names) states.push(lookupUnitFileState(lp, name, cache));
    }));
    t.equal(states.filter((s) => s === 'enabled').length, n / 2, `${n} units: half are enabled`);
    t.equal(states.filter((s) => s === 'disabled').length, n / 2, `${n} units: half are disabled`);
    // A sample checked against a lookup that shares nothing.
    for (const i of [0, 1, 10, n - 1]) t.equal(states[i], lookupUnitFileState(lp, names[i]), `${names[i]} of ${n}`);
  }
  const ratio = counts[1] / counts[0];
  t.comment(`directory entries read: ${counts[0]} for 200 units, ${counts[1]} for 2,000 (ratio ${ratio.toFixed(1)})`);
  // 10 for linear work, 100 for quadratic.
  t.ok(ratio < 20, `entries read grow like the number of units (ratio ${ratio.toFixed(1)}, 10× the units)`);
});

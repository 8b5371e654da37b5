// Our systemctl's file verbs against systemd 252's, case by case, on identical
// roots: same stdout, stderr, exit codes and the same symlinks left behind.

import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CASES } from './differential-cases.js';
import { OUR_LAUNCHER, REAL_SYSTEMCTL, runCase } from './differential.js';

const haveReal = fs.existsSync(REAL_SYSTEMCTL);
const built = fs.existsSync(path.join(path.dirname(OUR_LAUNCHER), '../dist/cli/systemctl.js'));

t.test('file verbs behave like systemd 252 systemctl --root', { skip: !haveReal ? `${REAL_SYSTEMCTL} is not installed` : !built ? 'dist/ not built (npm run build)' : false }, async (t) => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'unitd-diff-'));
  let matched = 0;
  for (const [i, c] of CASES.entries()) {
    const realRoot = path.join(work, `${i}-real`);
    const ourRoot = path.join(work, `${i}-ours`);
    fs.mkdirSync(realRoot);
    fs.mkdirSync(ourRoot);
    const real = runCase(c, realRoot, true);
    const ours = runCase(c, ourRoot, false);
    const same = JSON.stringify(real) === JSON.stringify(ours);
    if (same) matched++;
    t.same(ours, real, c.name);
  }
  t.comment(`${matched}/${CASES.length} differential cases match systemd`);
  console.log(`# differential: ${matched}/${CASES.length} cases match systemd 252`);
  fs.rmSync(work, { recursive: true, force: true });
});

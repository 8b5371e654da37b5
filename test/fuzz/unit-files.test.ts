// Issue 21 ("the suite to keep"): unit files. Seeded mutations of every unit file on this
// machine (/lib/systemd/system, /etc/systemd/system) go through verify (parse + interpret,
// with a mutated drop-in) and, written into a private root together with hostile entries
// (symlinks to /dev/zero, to a FIFO, to themselves and in a loop, a 40-level drop-in tree,
// Requires=/After= cycles), through the loader and the dependency sets PID 1 builds from
// them. Nothing may throw, hang, or print a line that is not one clear line.
// Bounded in `npm test`; `npm run fuzz -- --minutes N --only units` for long runs; a failure
// prints its seed, FUZZ_SEED replays it.

import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { effectiveDependencies, UnitStore } from '../../src/units/loader.js';
import { verifyUnit } from '../../src/units/validate.js';
import { FUZZ_MINUTES, FUZZ_SEED, keepGoing, mutateText, prng } from './prng.js';

const SOURCES = ['/lib/systemd/system', '/etc/systemd/system'];
const corpus: { name: string; text: string }[] = [];
for (const dir of SOURCES) {
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    continue;
  }
  for (const name of names) {
    try {
      const p = join(dir, name);
      if (!statSync(p).isFile()) continue;
      corpus.push({ name, text: readFileSync(p, 'utf8') });
    } catch {
      /* unreadable or dangling: not corpus */
    }
  }
}

const ALPHABET = '[]=\\\n \t#;%"\'$-@.:/0123456789abcxyz\u0000\u00ff';
const TOKENS = [
  '[Unit]', '[Service]', '[Install]', '[Socket]', '[Timer]', '[Path]', '\nRequires=', '\nWants=', '\nAfter=', '\nBefore=',
  '\nBindsTo=', '\nPartOf=', '\nConflicts=', '\nExecStart=', '\nType=', '\nUser=', '\nEnvironment=', '\n.include ', '%i', '%n',
  '%', '\\\n', 'infinity', '-1', '18446744073709551616', 'a@.service', 'x.service', '\n'.repeat(3), 'A'.repeat(5000),
];

/** A line that is not one clear line: internal errors, object dumps, stack traces. */
function badLine(line: string): boolean {
  return /undefined|\[object |Maximum call stack|RangeError|TypeError|\n\s+at /.test(line) || line.includes('\n');
}

const started = Date.now();
const rand = prng(FUZZ_SEED);
t.comment(`seed ${FUZZ_SEED} (FUZZ_SEED=${FUZZ_SEED} replays), ${corpus.length} unit files in the corpus`);

t.test('verify: mutated unit files and drop-ins', async (t) => {
  if (corpus.length === 0) return t.plan(0, 'no unit files on this machine');
  let n = 0;
  let failures = 0;
  while (keepGoing(n, 3000, started) && failures < 5) {
    const base = rand.pick(corpus);
    let text = base.text;
    for (let k = 1 + rand.int(8); k > 0; k--) text = mutateText(rand, text, ALPHABET, TOKENS);
    const dropIns = rand.chance(0.3) ? [{ path: '/x.d/10-fuzz.conf', text: mutateText(rand, rand.pick(corpus).text, ALPHABET, TOKENS) }] : [];
    n++;
    try {
      const r = verifyUnit({ path: `/fuzz/${base.name}`, text, dropIns });
      const bad = r.lines.find(badLine);
      if (bad !== undefined) {
        failures++;
        t.fail(`seed ${FUZZ_SEED}, case ${n} (${base.name}): bad line ${JSON.stringify(bad.slice(0, 300))}`);
      }
    } catch (err) {
      failures++;
      t.fail(`seed ${FUZZ_SEED}, case ${n} (${base.name}): verify threw ${(err as Error).stack}`);
    }
  }
  t.equal(failures, 0, `${n} mutated files verified`);
});

t.test('loader: mutated files beside device, FIFO and loop symlinks, deep drop-ins and cycles', async (t) => {
  if (corpus.length === 0) return t.plan(0, 'no unit files on this machine');
  let rounds = 0;
  let loaded = 0;
  let failures = 0;
  while (keepGoing(rounds, FUZZ_MINUTES > 0 ? 0 : 6, started) && failures < 5) {
    rounds++;
    const root = mkdtempSync(join(tmpdir(), 'unitd-fuzz-units-'));
    try {
      const dir = join(root, 'etc/systemd/system');
      mkdirSync(dir, { recursive: true });
      for (let i = 0; i < 150; i++) {
        const base = rand.pick(corpus);
        let text = base.text;
        for (let k = rand.int(6); k > 0; k--) text = mutateText(rand, text, ALPHABET, TOKENS);
        writeFileSync(join(dir, `${i % 3 === 0 ? base.name : `f${i}-${base.name}`}`), text);
      }
      symlinkSync('/dev/zero', join(dir, 'zero.service'));
      symlinkSync('/dev/null', join(dir, 'null.service'));
      execFileSync('mkfifo', [join(root, 'fifo')]);
      symlinkSync(join(root, 'fifo'), join(dir, 'fifo.service'));
      symlinkSync('self.service', join(dir, 'self.service'));
      symlinkSync('loop-b.service', join(dir, 'loop-a.service'));
      symlinkSync('loop-a.service', join(dir, 'loop-b.service'));
      let deep = join(dir, 'deep.service.d');
      writeFileSync(join(dir, 'deep.service'), '[Service]\nExecStart=/bin/true\n');
      for (let d = 0; d < 40; d++) {
        mkdirSync(deep);
        writeFileSync(join(deep, `${d}.conf`), `[Unit]\nDescription=level ${d}\n`);
        deep = join(deep, 'sub.d');
      }
      for (let i = 0; i < 20; i++) {
        writeFileSync(join(dir, `cyc${i}.service`), `[Unit]\nRequires=cyc${(i + 1) % 20}.service\nAfter=cyc${(i + 1) % 20}.service\n[Service]\nExecStart=/bin/true\n`);
      }
      const store = new UnitStore({ root, unitPathEnv: undefined });
      for (const name of [...store.knownNames(), 'zero.service', 'fifo.service', 'missing.service']) {
        try {
          const u = store.load(name);
          effectiveDependencies(u);
          loaded++;
          for (const line of [u.loadError?.message ?? '', ...u.diagnostics.map((d) => d.message)]) {
            if (badLine(line)) {
              failures++;
              t.fail(`seed ${FUZZ_SEED}, round ${rounds} (${name}): bad line ${JSON.stringify(line.slice(0, 300))}`);
            }
          }
        } catch (err) {
          failures++;
          t.fail(`seed ${FUZZ_SEED}, round ${rounds} (${name}): load threw ${(err as Error).stack}`);
        }
      }
      const zero = store.load('zero.service');
      t.not(zero.loadState, 'loaded', `a unit file that is /dev/zero is refused (${zero.loadError?.message})`);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
  t.equal(failures, 0, `${rounds} trees, ${loaded} units loaded`);
});

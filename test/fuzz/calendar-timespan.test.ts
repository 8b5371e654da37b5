// Calendar expressions and time spans, fuzzed against the installed systemd 252 (issue 21, "the
// suite to keep"): seeded mutations of the fixture corpora (test/fixtures/*.txt) and expressions
// built from their grammar's pieces go through init/systemd-analyze and /usr/bin/systemd-analyze
// with a fixed --base-time. The normalized form, the next elapses, the error line and the exit
// code must agree. A batch that differs is split down to the single expressions that differ;
// every disagreement is a failure that names the expression and the seed.
// Bounded in `npm test`; `npm run fuzz -- --minutes N` runs it for N minutes; FUZZ_SEED replays.

import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseTimespanRaw } from '../../src/units/values/timespan.js';
import { FUZZ_MINUTES, FUZZ_SEED, keepGoing, mutateText, prng, type Rand } from './prng.js';

const HERE = import.meta.dirname;
const REAL = '/usr/bin/systemd-analyze';
const OURS = resolve(HERE, '../../init/systemd-analyze');
const BUILT = resolve(HERE, '../../dist/cli/analyze.js');
const BASE = '--base-time=2026-03-07 12:00:00 UTC';
const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata'];
/** Bounded run: this many of each, in batches (two process runs per batch and tool). */
const BOUNDED = { calendar: 1200, timespan: 150 };
const BATCH = 150;
const BATCH_SPANS = 60;

const corpus = (file: string): string[] => readFileSync(resolve(HERE, '../fixtures', file), 'utf8').replace(/\n$/, '').split('\n');

const CAL_ALPHABET = '0123456789*-:.,/~ _+ZTU';
const CAL_TOKENS = ['Mon', 'Tue', 'Sun', 'Monday', '..', '~', '/', '*', ',', ' UTC', ' Europe/Berlin', ' Mars/Phobos', '-02-29', 'daily', '24', '60', '1970', '2199', '2200', '9999', '0.5', '.000001', '~07', ' '];
const SPAN_ALPHABET = '0123456789 .smhdwyMµ-+e';
const SPAN_TOKENS = ['s', 'sec', 'min', 'm', 'h', 'hr', 'd', 'w', 'M', 'y', 'us', 'usec', 'ms', 'ns', 'nsec', 'µs', 'months', 'years', ' ', '.', '1', '0.5', 'infinity', '18446744073709551615', '99999999999999'];

function generated(rand: Rand, base: string[], alphabet: string, tokens: readonly string[]): string {
  let s = rand.chance(0.2) ? rand.pick(base) + ' ' + rand.pick(base) : rand.pick(base);
  for (let n = 1 + rand.int(3); n > 0; n--) s = mutateText(rand, s, alphabet, tokens);
  // Expressions are command-line arguments: no NULs; newlines only rarely (both print them back).
  return s.replace(/\0/g, '');
}

interface Outcome {
  stdout: string;
  stderr: string;
  status: number | null;
}

function run(bin: string, tz: string, args: string[]): Outcome {
  const r = spawnSync(bin, args, { env: { ...process.env, TZ: tz, SYSTEMD_COLORS: '0' }, encoding: 'utf8', timeout: 120_000 });
  return { stdout: r.stdout, stderr: r.stderr.split(bin).join('systemd-analyze'), status: r.status };
}

const same = (a: Outcome, b: Outcome): boolean => a.stdout === b.stdout && a.stderr === b.stderr && a.status === b.status;

/** Both tools on `args`; "From now:" never appears with --base-time, so the outputs compare as they are. */
function agree(tz: string, args: string[]): { ok: boolean; real: Outcome; ours: Outcome } {
  const real = run(REAL, tz, args);
  const ours = run(OURS, tz, args);
  return { ok: same(real, ours), real, ours };
}


/** The single expressions of `items` on which the tools differ, found by splitting the batch in halves. */
function differing(items: string[], args: (items: string[]) => string[], tz: string, what: string): string[] {
  const both = agree(tz, args(items));
  if (both.ok) return [];
  if (items.length === 1) return [`TZ=${tz} ${what} ${JSON.stringify(items[0])}\n  systemd: ${JSON.stringify(both.real)}\n  unitd:   ${JSON.stringify(both.ours)}`];
  // Each half is a call of its own (for `timespan`, which stops at the first error, too).
  const half = Math.ceil(items.length / 2);
  return [...differing(items.slice(0, half), args, tz, what), ...differing(items.slice(half), args, tz, what)];
}

const skip = !existsSync(REAL) ? 'systemd-analyze is not installed' : !existsSync(BUILT) ? 'run "npm run build" first' : false;

t.test(`calendar fuzz against systemd-analyze (seed ${FUZZ_SEED})`, { skip, timeout: FUZZ_MINUTES > 0 ? FUZZ_MINUTES * 60_000 + 300_000 : 900_000 }, async (t) => {
  const rand = prng(FUZZ_SEED);
  const base = corpus('calendar-expressions.txt');
  const started = Date.now();
  let done = 0;
  const disagreements: string[] = [];
  while (keepGoing(done, BOUNDED.calendar, started)) {
    const tz = rand.pick(ZONES);
    const batch = Array.from({ length: BATCH }, () => generated(rand, base, CAL_ALPHABET, CAL_TOKENS));
    done += batch.length;
    disagreements.push(...differing(batch, (exprs) => ['calendar', '--iterations=3', BASE, '--', ...exprs], tz, 'calendar'));
  }
  t.same(disagreements, [], `${done} calendar expressions agree with systemd 252 (replay: FUZZ_SEED=${FUZZ_SEED})`);
  t.comment(`seed ${FUZZ_SEED}: ${done} calendar expressions, ${disagreements.length} disagreements`);
});

t.test(`timespan fuzz against systemd-analyze (seed ${FUZZ_SEED})`, { skip, timeout: FUZZ_MINUTES > 0 ? FUZZ_MINUTES * 60_000 + 300_000 : 900_000 }, async (t) => {
  const rand = prng(FUZZ_SEED ^ 0x5a5a5a5a);
  const base = [...corpus('timespan-valid.txt'), ...corpus('timespan-invalid.txt')].filter((s) => s !== '');
  const started = Date.now();
  let done = 0;
  const disagreements: string[] = [];
  while (keepGoing(done, BOUNDED.timespan, started)) {
    // 252's `timespan` stops at the first span it cannot parse. So that a call checks many, the
    // spans unitd's parser accepts go first and one it refuses ends the call; if systemd stops
    // earlier (or later) the outputs differ and the spans are compared one by one.
    // Spans past 2^53 µs (285 years) are left out: unitd holds µs in a JS number, exact only up to
    // there (src/units/values/timespan.ts), where systemd prints the last digit of its 64 bits.
    const candidates = Array.from({ length: BATCH_SPANS }, () => generated(rand, base, SPAN_ALPHABET, SPAN_TOKENS)).filter((s) => {
      const r = parseTimespanRaw(s);
      return !r.ok || !Number.isFinite(r.value) || r.value <= Number.MAX_SAFE_INTEGER;
    });
    const accepted = candidates.filter((s) => parseTimespanRaw(s).ok);
    const refused = candidates.filter((s) => !parseTimespanRaw(s).ok);
    for (const batch of [[...accepted, ...refused.slice(0, 1)], ...refused.slice(1, 3).map((s) => [s])]) {
      done += batch.length;
      disagreements.push(...differing(batch, (spans) => ['timespan', '--', ...spans], 'UTC', 'timespan'));
    }
  }
  t.same(disagreements, [], `${done} time spans agree with systemd 252 (replay: FUZZ_SEED=${FUZZ_SEED})`);
  t.comment(`seed ${FUZZ_SEED}: ${done} time spans, ${disagreements.length} disagreements`);
});

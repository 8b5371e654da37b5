// Shared by the fuzzers (test/**/fuzz*.test.ts): one seed source and one seedable generator, so
// every fuzzer reads FUZZ_SEED / FUZZ_MINUTES the same way and prints a seed that replays it.

/** The run's seed: FUZZ_SEED replays a failure; otherwise a fresh random one. */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
/** 0 in `npm test` (a bounded run); N from `npm run fuzz -- --minutes N` (a long run). */
export const FUZZ_MINUTES = Number(process.env.FUZZ_MINUTES ?? 0);

export interface Rand {
  /** [0, 1) */
  (): number;
  int(n: number): number;
  pick<T>(xs: readonly T[]): T;
  chance(p: number): boolean;
}

/** mulberry32: small, seedable, good enough to pick mutations. */
export function prng(seed: number): Rand {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  const rand = next as Rand;
  rand.int = (n) => Math.floor(next() * n);
  rand.pick = (xs) => xs[Math.floor(next() * xs.length)] as (typeof xs)[number];
  rand.chance = (p) => next() < p;
  return rand;
}

/** One text mutation: insert, delete, replace a character, duplicate or splice in a token. */
export function mutateText(rand: Rand, s: string, alphabet: string, tokens: readonly string[]): string {
  const at = rand.int(s.length + 1);
  switch (rand.int(6)) {
    case 0:
      return s.slice(0, at) + alphabet[rand.int(alphabet.length)] + s.slice(at);
    case 1:
      return s.slice(0, at) + s.slice(at + 1 + rand.int(3));
    case 2:
      return s.slice(0, at) + alphabet[rand.int(alphabet.length)] + s.slice(at + 1);
    case 3:
      return s.slice(0, at) + rand.pick(tokens) + s.slice(at);
    case 4: {
      const len = 1 + rand.int(4);
      return s.slice(0, at) + s.slice(at, at + len) + s.slice(at);
    }
    default:
      return s.slice(0, at) + String(rand.int(10) === 0 ? rand.int(2 ** 31) : rand.int(100)) + s.slice(at);
  }
}

/** Time left for a long run, or the bounded count for `npm test`. */
export function keepGoing(done: number, boundedCount: number, startedAt: number): boolean {
  if (FUZZ_MINUTES > 0) return Date.now() < startedAt + FUZZ_MINUTES * 60_000;
  return done < boundedCount;
}

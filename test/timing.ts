// Waiting in tests without keeping the process alive: a pending timer holds a test file's
// process open after its last assertion, and the suite waits for it.

/** `promise`, or `fallback` once `ms` have passed; the timer is cleared when the promise wins. */
export function orAfter<T, F>(promise: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<F>((resolve) => (timer = setTimeout(() => resolve(fallback), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

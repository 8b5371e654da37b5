// Random IDs (InvocationID=, the journal's boot ID, RandomizedDelaySec=) and the few SHA-256
// uses, without loading node:crypto into PID 1 at start: that builtin costs an idle node
// 2.1 MiB of RSS (README "Memory") for what is 16 random bytes per start. The bytes come from
// the kernel's CSPRNG (/dev/urandom, as getrandom(2) without flags), read in blocks; node:crypto
// loads only when /dev/urandom cannot be read or a hash is really needed (long unit names).

import { closeSync, openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';

const builtin = createRequire(import.meta.url);
const crypto = (): typeof import('node:crypto') => builtin('node:crypto') as typeof import('node:crypto');

/** One read serves this many bytes: 16 InvocationIDs. */
const POOL_BYTES = 256;
let pool: Buffer = Buffer.alloc(0);
let used = 0;

function fromUrandom(n: number): Buffer | undefined {
  let fd: number | undefined;
  try {
    fd = openSync('/dev/urandom', 'r');
    const b = Buffer.allocUnsafe(n);
    let off = 0;
    while (off < n) {
      const got = readSync(fd, b, off, n - off, null);
      if (got <= 0) return undefined;
      off += got;
    }
    return b;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** N bytes from the kernel's CSPRNG. Bytes handed out are never handed out again. */
export function randomBytes(n: number): Buffer {
  if (n > POOL_BYTES) return fromUrandom(n) ?? crypto().randomBytes(n);
  if (used + n > pool.length) {
    pool = fromUrandom(POOL_BYTES) ?? crypto().randomBytes(POOL_BYTES);
    used = 0;
  }
  const out = Buffer.from(pool.subarray(used, used + n));
  pool.fill(0, used, used + n);
  used += n;
  return out;
}

/** 128 random bits as 32 hex digits (sd_id128 text: InvocationID=, the boot ID). */
export function randomId128(): string {
  return randomBytes(16).toString('hex');
}

/** SHA-256 of a string (node:crypto, loaded on the first call). */
export function sha256(text: string): Buffer {
  return crypto().createHash('sha256').update(text).digest();
}

// Loads unitd_client.so (src/native/control-sync.c), the clients' blocking control socket,
// with process.dlopen: the require() of an addon path costs a client start a resolve and the
// CommonJS loader's bookkeeping (about 1 ms), dlopen of this small C addon a tenth of that.
// Looked for where unitd-probe is: build/Release (a build from source), then dist/ (a package
// installed with prebuilds). Undefined when neither loads: callers use node:net instead.

import { fileURLToPath } from 'node:url';

export interface ClientBinding {
  /** Connects to an AF_UNIX stream socket; throws an Error with an errno `code` (ENOENT, ECONNREFUSED, ETIMEDOUT...). */
  connect(path: string, timeoutMs: number): number;
  /** Writes all of `text`; 0 waits forever. */
  write(fd: number, text: string, timeoutMs: number): void;
  /** One read(2): empty at end of stream; throws ETIMEDOUT when nothing came in time (0 waits forever). */
  read(fd: number, timeoutMs: number): Buffer;
  close(fd: number): void;
  isatty(fd: number): boolean;
  /** zlib's crc32 (journal records and cursors). */
  crc32(data: Uint8Array | string, initial: number): number;
}

const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CANDIDATES = ['build/Release/unitd_client.so', 'dist/unitd_client.so'];

let loaded: ClientBinding | null | undefined;

export function clientBinding(): ClientBinding | undefined {
  if (loaded === undefined) {
    loaded = null;
    for (const file of CANDIDATES) {
      const module = { exports: {} as ClientBinding };
      try {
        process.dlopen(module, PACKAGE_ROOT + file);
        loaded = module.exports;
        break;
      } catch {
        // not built here, or for another machine: try the next, else node:net
      }
    }
  }
  return loaded ?? undefined;
}

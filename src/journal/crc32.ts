// CRC-32 (IEEE, as zlib computes it) of journal records. A table version in JS serves records
// up to LARGE bytes (nearly all: a log line), so PID 1 never loads node:zlib for its journal
// (1.4 MiB of an idle node's RSS, README "Memory"); larger inputs use zlib.crc32 (native, Node
// 20.15+), loaded on first use. Debian 12's own nodejs is 18, which lacks it: the table does all there.
import { createRequire } from 'node:module';

type Crc32 = (data: Uint8Array) => number;

/** From this many bytes on, the native crc32 is worth loading zlib for. */
const LARGE = 4096;

function tableCrc32(): Crc32 {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return (data) => {
    let crc = 0xffffffff;
    for (let i = 0; i < data.length; i++) crc = table[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
    return (crc ^ 0xffffffff) >>> 0;
  };
}

const table = tableCrc32();
let native: Crc32 | null | undefined;

function nativeCrc32(): Crc32 | null {
  if (native === undefined) {
    const zlib = createRequire(import.meta.url)('node:zlib') as { crc32?: Crc32 };
    native = zlib.crc32 ?? null;
  }
  return native;
}

export const crc32: Crc32 = (data) => (data.length < LARGE ? table(data) : (nativeCrc32() ?? table)(data));

/** For the tests: the fallback used where zlib has no crc32. */
export const crc32Fallback: Crc32 = tableCrc32();

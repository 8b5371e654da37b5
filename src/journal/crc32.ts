// CRC-32 (IEEE, as zlib computes it) of journal records and cursors. From the clients' addon
// (unitd_client.so) when it is there: node:zlib loads the streams with it, a millisecond of
// every journalctl start. Else zlib.crc32 (Node 20.15+), else a table version (Debian 12's own
// nodejs is 18, which lacks zlib.crc32).
import { createRequire } from 'node:module';
import { clientBinding } from '../native/client-binding.js';

/** crc32(data, initial): `initial` continues a CRC, as zlib's second argument does. */
export type Crc32 = (data: Uint8Array | string, initial?: number) => number;

function tableCrc32(): Crc32 {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return (input, initial = 0) => {
    const data = typeof input === 'string' ? Buffer.from(input) : input;
    let crc = ~initial >>> 0;
    for (let i = 0; i < data.length; i++) crc = table[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
    return (crc ^ 0xffffffff) >>> 0;
  };
}

function pick(): Crc32 {
  const addon = clientBinding();
  if (addon !== undefined) return (data, initial = 0) => addon.crc32(data, initial);
  const zlib = createRequire(import.meta.url)('node:zlib') as { crc32?: Crc32 };
  return zlib.crc32 ?? tableCrc32();
}

let chosen: Crc32 | undefined;

export const crc32: Crc32 = (data, initial) => (chosen ??= pick())(data, initial);

let fallback: Crc32 | undefined;

/** For the tests: the fallback used where neither the addon nor zlib has crc32 (its table is built on first use, not at every journalctl start). */
export const crc32Fallback: Crc32 = (data, initial) => (fallback ??= tableCrc32())(data, initial);

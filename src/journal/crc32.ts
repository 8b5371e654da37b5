// CRC-32 (IEEE, as zlib computes it) of journal records and cursors. node:zlib is never loaded
// for small inputs: in the clients it loads the streams (a millisecond of every journalctl
// start), in PID 1 it costs 1.4 MiB of RSS (README "Memory"). So: the clients' addon
// (unitd_client.so) when it is there; else a table version in JS for inputs below LARGE bytes
// (nearly all: a log line) and zlib.crc32 (native, Node 20.15+) for larger ones, loaded on first
// use. Debian 12's own nodejs is 18, which lacks zlib.crc32: the table does all there.
import { createRequire } from 'node:module';
import { clientBinding } from '../native/client-binding.js';

/** crc32(data, initial): `initial` continues a CRC, as zlib's second argument does. */
export type Crc32 = (data: Uint8Array | string, initial?: number) => number;

/** From this many bytes on, the native crc32 is worth loading zlib for. */
const LARGE = 4096;

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
  const table = tableCrc32();
  let zlib: Crc32 | null | undefined;
  const large = (): Crc32 | null => {
    zlib ??= (createRequire(import.meta.url)('node:zlib') as { crc32?: Crc32 }).crc32 ?? null;
    return zlib;
  };
  return (data, initial) => (data.length < LARGE ? table : (large() ?? table))(data, initial);
}

let chosen: Crc32 | undefined;

export const crc32: Crc32 = (data, initial) => (chosen ??= pick())(data, initial);

let fallback: Crc32 | undefined;

/** For the tests: the fallback used where neither the addon nor zlib has crc32 (its table is built on first use, not at every journalctl start). */
export const crc32Fallback: Crc32 = (data, initial) => (fallback ??= tableCrc32())(data, initial);

// CRC-32 (IEEE, as zlib computes it) of journal records. Node 20.15+ has zlib.crc32 in
// native code; Debian 12's own nodejs is 18, which lacks it, so a table version stands in
// there. A named import of a missing export would fail to link, hence the namespace import.
import * as zlib from 'node:zlib';

type Crc32 = (data: Uint8Array) => number;

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

const native = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;

export const crc32: Crc32 = native ? (data) => native(data) : tableCrc32();

/** For the tests: the fallback used where zlib has no crc32. */
export const crc32Fallback: Crc32 = tableCrc32();

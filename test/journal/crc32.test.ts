// Journal records and cursors carry zlib's CRC-32: the addon's (unitd_client.so) and the table
// fallback must give zlib's value for every input, with and without a CRC to continue.
import { crc32 as zlibCrc32 } from 'node:zlib';
import t from 'tap';
import { crc32, crc32Fallback } from '../../src/journal/crc32.js';

const inputs: (Uint8Array | string)[] = [
  '',
  'a',
  'web.service\0web\x001234',
  'ünïcode ☃ and 😀',
  Buffer.from('x'.repeat(1000)),
  new Uint8Array(Array.from({ length: 777 }, (_, i) => (i * 37) & 0xff)).subarray(3, 700),
];

t.test('crc32 and its fallback give zlib\'s value', async (t) => {
  for (const data of inputs) {
    for (const initial of [0, 1, 0xdeadbeef]) {
      const want = zlibCrc32(data, initial);
      t.equal(crc32(data, initial), want, `crc32 of ${data.length} ${typeof data} from ${initial}`);
      t.equal(crc32Fallback(data, initial), want, `fallback of ${data.length} ${typeof data} from ${initial}`);
    }
    t.equal(crc32(data), zlibCrc32(data), 'no initial value: from 0');
  }
});

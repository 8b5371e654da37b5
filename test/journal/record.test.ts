// Records come back exactly as written: binary, invalid UTF-8, no trailing newline, 1 MiB,
// and a damaged record never hides its neighbours.

import t from 'tap';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeRecord, encodeRecord } from '../../src/journal/record.js';
import { JournalStore } from '../../src/journal/store.js';
import { JournalReader } from '../../src/journal/reader.js';
import { listSegments, segmentName } from '../../src/journal/segments.js';
import type { JournalEntry } from '../../src/journal/entry.js';

const dir = mkdtempSync(join(tmpdir(), 'unitd-journal-record-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

function entry(message: Buffer, extra: Partial<JournalEntry> = {}): JournalEntry {
  return { timestamp: 1_700_000_000_123_456, unit: 'nginx.service', identifier: 'nginx', pid: 123, priority: 6, message, ...extra };
}

const awkward: Array<[string, Buffer]> = [
  ['empty', Buffer.alloc(0)],
  ['plain text without trailing newline', Buffer.from('hello world')],
  ['embedded newlines and NULs', Buffer.from('a\nb\0c\r\n')],
  ['invalid UTF-8', Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0x80, 0x41])],
  ['all byte values', Buffer.from(Array.from({ length: 256 }, (_, i) => i))],
  ['bytes that look like a record magic', Buffer.from('UJR1UJR1\x00\x00\x00\x00')],
  ['1 MiB line', Buffer.alloc(1024 * 1024, 'x')],
];

t.test('encode/decode round trip keeps every field and every byte', async (t) => {
  for (const [name, message] of awkward) {
    const original = entry(message, { unit: 'wëird@x.service', identifier: 'ïd', pid: 4_000_000_000, priority: 3 });
    const decoded = decodeRecord(encodeRecord(original), 0);
    t.equal(decoded.kind, 'record', name);
    if (decoded.kind !== 'record') continue;
    t.same({ ...decoded.entry, message: undefined }, { ...original, message: undefined }, `${name}: fields`);
    t.ok(decoded.entry.message.equals(message), `${name}: message bytes`);
  }
});

t.test('a record cut short is incomplete, a flipped byte is corrupt', async (t) => {
  const bytes = encodeRecord(entry(Buffer.from('hello')));
  t.equal(decodeRecord(bytes.subarray(0, bytes.length - 1), 0).kind, 'incomplete');
  const damaged = Buffer.from(bytes);
  damaged[40] ^= 0xff;
  t.equal(decodeRecord(damaged, 0).kind, 'corrupt');
});

t.test('the store writes them and the reader returns them intact, neighbours included', async (t) => {
  const storeDir = join(dir, 'roundtrip');
  const store = new JournalStore({ dir: storeDir, config: { maxUse: 64 * 1024 * 1024, maxFileSize: 8 * 1024 * 1024 } });
  store.append(entry(Buffer.from('before')));
  for (const [, message] of awkward) store.append(entry(message));
  store.append(entry(Buffer.from('after')));
  await store.close();
  const reader = new JournalReader(storeDir);
  const messages = reader.head({}).entries.map((e) => e.message);
  t.equal(messages.length, awkward.length + 2);
  t.equal(messages[0].toString(), 'before');
  awkward.forEach(([name, message], i) => t.ok(messages[i + 1].equals(message), name));
  t.equal(messages.at(-1)?.toString(), 'after');
  const last = reader.tail({}, 3).entries.map((e) => e.message);
  t.ok(last[1].equals(Buffer.alloc(1024 * 1024, 'x')), 'backwards reading finds the 1 MiB record');
  t.equal(last[2].toString(), 'after');
});

t.test('a torn record in the middle of a segment hides only itself', async (t) => {
  const storeDir = join(dir, 'torn');
  const store = new JournalStore({ dir: storeDir });
  store.append(entry(Buffer.from('one')));
  await store.close();
  const [segment] = listSegments(storeDir);
  const torn = encodeRecord(entry(Buffer.from('torn away')));
  appendFileSync(segment.path, torn.subarray(0, 20));
  appendFileSync(segment.path, encodeRecord(entry(Buffer.from('two'))));
  const reader = new JournalReader(storeDir);
  t.same(reader.head({}).entries.map((e) => e.message.toString()), ['one', 'two'], 'forwards');
  t.same(reader.tail({}, 5).entries.map((e) => e.message.toString()), ['one', 'two'], 'backwards');
  // A half-written record at the very end (the writer mid-write) is not shown yet.
  writeFileSync(segment.path, Buffer.concat([readFileSync(segment.path), torn.subarray(0, torn.length - 2)]));
  t.same(reader.tail({}, 5).entries.map((e) => e.message.toString()), ['one', 'two']);
});

t.test('-u, -p and -S read the same entries when other units\' records are stepped over unread', async (t) => {
  const storeDir = join(dir, 'filtered');
  const lines: Array<[string, number, string]> = [
    ['x.service', 6, 'x one'],
    ['other.service', 6, 'other'],
    ['x.service', 3, 'x two'],
    ['x-y.service', 6, 'x-y'],
    ['x.service', 6, 'x three'],
  ];
  const records = lines.map(([unit, priority, text], i) => encodeRecord(entry(Buffer.from(text), { unit, priority, timestamp: 1_700_000_000_000_000 + i })));
  // A flipped message byte of x.service's second line: its CRC fails, so it is hidden either way.
  const damaged = Buffer.from(records[2]);
  damaged[damaged.length - 6] ^= 0xff;
  mkdirSync(storeDir);
  writeFileSync(join(storeDir, segmentName(1)), Buffer.concat([records[0], records[1], damaged, records[3], records[4]]));
  const reader = new JournalReader(storeDir);
  const text = (entries: JournalEntry[]) => entries.map((e) => e.message.toString());
  t.same(text(reader.tail({ units: ['x.service'] }, 10).entries), ['x one', 'x three'], '-n backwards');
  t.same(text(reader.head({ units: ['x.service'] }).entries), ['x one', 'x three'], 'forwards');
  t.same(text(reader.tail({ units: ['x*.service'] }, 2).entries), ['x-y', 'x three'], 'a glob');
  t.same(text(reader.tail({ units: ['x.service', 'other.service'], priority: { min: 0, max: 6 } }, 10).entries), ['x one', 'other', 'x three'], 'two names and -p');
  t.same(text(reader.head({ since: 1_700_000_000_000_003 }).entries), ['x-y', 'x three'], '-S');
});

t.test('_TRANSPORT= survives the round trip; records without it (older ones) decode without it', async (t) => {
  const base = { timestamp: 1, unit: 'a.service', identifier: 'a', pid: 7, priority: 6, message: Buffer.from('m') };
  for (const transport of ['stdout', 'syslog', 'journal', 'driver', 'kernel', 'audit'] as const) {
    const r = decodeRecord(encodeRecord({ ...base, transport }), 0);
    t.equal(r.kind === 'record' ? r.entry.transport : undefined, transport, transport);
  }
  const old = decodeRecord(encodeRecord(base), 0);
  t.notOk(old.kind === 'record' && 'transport' in old.entry, 'a record that names none has none');
});

// The on-disk record format (documented in README.md). Length-prefixed so a message may hold
// any bytes, including newlines and NULs; the length is repeated at the end so readers can walk
// a segment backwards for `journalctl -n`; a CRC lets a reader skip a record torn by a crash
// instead of showing garbage.
//
//   offset size
//        0    4  magic "UJR1"
//        4    4  total record length, header + payload + trailer (u32 LE)
//        8    4  CRC-32 of bytes 12 .. total-4
//       12    8  timestamp, µs since the epoch (u64 LE)
//       20    4  pid (u32 LE)
//       24    1  priority 0..7
//       25    1  flags: bit 0 = a boot stamp follows the header
//       26    2  unit length in bytes (u16 LE)
//       28    2  identifier length in bytes (u16 LE)
//       30    1  _TRANSPORT: index in TRANSPORTS + 1 (0: not recorded, older records)
//       31    1  reserved (0)
//       32   24  (flag bit 0) boot ID (16 bytes), monotonic µs since that boot (u64 LE)
//        .    .  unit (UTF-8), identifier (UTF-8), message (raw bytes)
//  total-4    4  total record length again

import { crc32 } from './crc32.js';
import { TRANSPORTS, type JournalEntry } from './entry.js';

export const RECORD_MAGIC = Buffer.from('UJR1', 'latin1');
/** The magic as one number: compared on every record a reader steps over. */
export const RECORD_MAGIC_WORD = RECORD_MAGIC.readUInt32LE(0);
export const HEADER_SIZE = 32;
export const TRAILER_SIZE = 4;
export const MIN_RECORD_SIZE = HEADER_SIZE + TRAILER_SIZE;
/** Anything claiming to be larger is treated as corruption rather than allocated. */
export const MAX_RECORD_SIZE = 256 * 1024 * 1024;
const MAX_FIELD = 0xffff;
const FLAG_BOOT_STAMP = 1;
const BOOT_STAMP_SIZE = 24;

/** The writer's boot stamp, given apart from the entry so the hot path builds no new object. */
export interface BootStamp {
  bootId: string;
  monotonic: number;
}

export function encodeRecord(entry: JournalEntry, boot?: BootStamp): Buffer {
  const bootId = boot?.bootId ?? entry.bootId;
  const monotonicStamp = boot?.monotonic ?? entry.monotonic;
  const unit = fieldBytes(entry.unit);
  const identifier = fieldBytes(entry.identifier);
  const stamped = bootId !== undefined && /^[0-9a-f]{32}$/.test(bootId);
  const stamp = stamped ? BOOT_STAMP_SIZE : 0;
  const total = HEADER_SIZE + stamp + unit.length + identifier.length + entry.message.length + TRAILER_SIZE;
  const record = Buffer.allocUnsafe(total);
  RECORD_MAGIC.copy(record, 0);
  record.writeUInt32LE(total, 4);
  // Two u32 halves instead of a BigInt: this runs once per log line.
  const timestamp = Math.max(0, Math.floor(entry.timestamp));
  record.writeUInt32LE(timestamp % 0x1_0000_0000, 12);
  record.writeUInt32LE(Math.floor(timestamp / 0x1_0000_0000), 16);
  record.writeUInt32LE(entry.pid >>> 0, 20);
  record.writeUInt8(entry.priority & 7, 24);
  record.writeUInt8(stamped ? FLAG_BOOT_STAMP : 0, 25);
  record.writeUInt16LE(unit.length, 26);
  record.writeUInt16LE(identifier.length, 28);
  record.writeUInt8(entry.transport === undefined ? 0 : TRANSPORTS.indexOf(entry.transport) + 1, 30);
  record.writeUInt8(0, 31);
  let at = HEADER_SIZE;
  if (stamped) {
    record.write(bootId as string, at, 16, 'hex');
    const monotonic = Math.max(0, Math.floor(monotonicStamp ?? 0));
    record.writeUInt32LE(monotonic % 0x1_0000_0000, at + 16);
    record.writeUInt32LE(Math.floor(monotonic / 0x1_0000_0000), at + 20);
    at += BOOT_STAMP_SIZE;
  }
  at += unit.copy(record, at);
  at += identifier.copy(record, at);
  at += entry.message.copy(record, at);
  record.writeUInt32LE(total, at);
  record.writeUInt32LE(crc32(record.subarray(12, total - TRAILER_SIZE)), 8);
  return record;
}

export type DecodeResult =
  | { kind: 'record'; entry: JournalEntry; length: number }
  /** The buffer ends before the record does: read more, or (at end of file) the writer is mid-write. */
  | { kind: 'incomplete'; length: number }
  | { kind: 'corrupt' };

/**
 * The length of the complete, well-framed record at `offset` (magic, both lengths), or -1; the
 * CRC is not checked. Enough to step over it and read its header fields with recordUnit() and
 * friends: readers test those before paying for decodeRecord() (CRC + copies), so a filtered
 * read (`journalctl -u`) costs a few header reads per record of other units. A number, not an
 * object: this runs once per record of the store.
 */
export function framedLength(buffer: Buffer, offset: number): number {
  if (buffer.length - offset < 8 || u32(buffer, offset) !== RECORD_MAGIC_WORD) return -1;
  const total = u32(buffer, offset + 4);
  if (total < MIN_RECORD_SIZE || total > MAX_RECORD_SIZE || buffer.length - offset < total) return -1;
  return u32(buffer, offset + total - TRAILER_SIZE) === total ? total : -1;
}

/**
 * A u32 LE the caller has bounds-checked. Indexing instead of readUInt32LE(): a reader runs
 * this a few times per record of the store in a short-lived process, where V8 still
 * interprets, and a Buffer method call with its own checks costs several times more.
 */
export function u32(buffer: Buffer, at: number): number {
  return (buffer[at] | (buffer[at + 1] << 8) | (buffer[at + 2] << 16)) + buffer[at + 3] * 0x100_0000;
}

/** Why framedLength() said no: the buffer ends early (read more) or the bytes are not a record. */
function unframed(buffer: Buffer, offset: number): DecodeResult {
  if (buffer.length - offset < 8) return { kind: 'incomplete', length: MIN_RECORD_SIZE };
  if (buffer.readUInt32LE(offset) !== RECORD_MAGIC_WORD) return { kind: 'corrupt' };
  const total = buffer.readUInt32LE(offset + 4);
  if (total < MIN_RECORD_SIZE || total > MAX_RECORD_SIZE) return { kind: 'corrupt' };
  return buffer.length - offset < total ? { kind: 'incomplete', length: total } : { kind: 'corrupt' };
}

/** Header fields of a framed record (framedLength() ≥ 0); the CRC is not checked. */
export function recordTimestamp(buffer: Buffer, offset: number): number {
  return u32(buffer, offset + 16) * 0x1_0000_0000 + u32(buffer, offset + 12);
}

export function recordPriority(buffer: Buffer, offset: number): number {
  return buffer[offset + 24];
}

/** The unit name's bytes as a string ('' when the record's fields overrun it: decodeRecord() calls that corrupt). */
export function recordUnit(buffer: Buffer, offset: number): string {
  const start = unitStart(buffer, offset);
  const end = start + (buffer[offset + 26] | (buffer[offset + 27] << 8));
  return end > offset + u32(buffer, offset + 4) - TRAILER_SIZE ? '' : buffer.toString('utf8', start, end);
}

/** Whether the unit field holds exactly `name`'s bytes, without making a string of it. */
export function recordUnitIs(buffer: Buffer, offset: number, name: Buffer): boolean {
  if ((buffer[offset + 26] | (buffer[offset + 27] << 8)) !== name.length) return false;
  const start = unitStart(buffer, offset);
  if (start + name.length > offset + u32(buffer, offset + 4) - TRAILER_SIZE) return false;
  for (let i = 0; i < name.length; i++) if (buffer[start + i] !== name[i]) return false;
  return true;
}

function unitStart(buffer: Buffer, offset: number): number {
  return offset + HEADER_SIZE + ((buffer[offset + 25] & FLAG_BOOT_STAMP) !== 0 ? BOOT_STAMP_SIZE : 0);
}

/** Decodes the record starting at `offset`; the message is a copy, safe to keep. */
export function decodeRecord(buffer: Buffer, offset: number): DecodeResult {
  const total = framedLength(buffer, offset);
  if (total < 0) return unframed(buffer, offset);
  const record = buffer.subarray(offset, offset + total);
  if (crc32(record.subarray(12, total - TRAILER_SIZE)) !== record.readUInt32LE(8)) return { kind: 'corrupt' };
  const unitLength = record.readUInt16LE(26);
  const identifierLength = record.readUInt16LE(28);
  const stamped = (record.readUInt8(25) & FLAG_BOOT_STAMP) !== 0;
  const unitStart = HEADER_SIZE + (stamped ? BOOT_STAMP_SIZE : 0);
  const messageStart = unitStart + unitLength + identifierLength;
  if (messageStart > total - TRAILER_SIZE) return { kind: 'corrupt' };
  const transport = TRANSPORTS[record.readUInt8(30) - 1];
  const stamp = stamped
    ? { bootId: record.toString('hex', HEADER_SIZE, HEADER_SIZE + 16), monotonic: record.readUInt32LE(HEADER_SIZE + 20) * 0x1_0000_0000 + record.readUInt32LE(HEADER_SIZE + 16) }
    : {};
  return {
    kind: 'record',
    length: total,
    entry: {
      ...stamp,
      timestamp: record.readUInt32LE(16) * 0x1_0000_0000 + record.readUInt32LE(12),
      pid: record.readUInt32LE(20),
      priority: record.readUInt8(24),
      unit: record.toString('utf8', unitStart, unitStart + unitLength),
      identifier: record.toString('utf8', unitStart + unitLength, messageStart),
      message: Buffer.from(record.subarray(messageStart, total - TRAILER_SIZE)),
      ...(transport !== undefined ? { transport } : {}),
    },
  };
}

/** Offset of the next plausible record start after a corrupt one, or -1. */
export function findNextMagic(buffer: Buffer, from: number): number {
  return buffer.indexOf(RECORD_MAGIC, from);
}

// Units and identifiers repeat on every line of a service; their bytes are encoded once.
const fieldCache = new Map<string, Buffer>();
const FIELD_CACHE_LIMIT = 1024;

function fieldBytes(text: string): Buffer {
  let bytes = fieldCache.get(text);
  if (bytes !== undefined) return bytes;
  bytes = Buffer.from(text, 'utf8');
  if (bytes.length > MAX_FIELD) bytes = bytes.subarray(0, MAX_FIELD);
  if (fieldCache.size >= FIELD_CACHE_LIMIT) fieldCache.clear();
  fieldCache.set(text, bytes);
  return bytes;
}

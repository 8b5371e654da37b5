// Cursors in journald's text layout, `s=…;i=…;b=…;m=…;t=…;x=…` (sd_journal_get_cursor(3)), so
// scripts that store and hand back `__CURSOR` work unchanged. Here `s` is the segment number
// and `i` the record's byte offset in it (what seeking needs); b, m and t are the record's boot
// ID, monotonic and realtime stamps, and x a hash of the record, as journald's are.

import { crc32 } from './crc32.js';
import type { JournalCursor, StoredEntry } from './entry.js';
import { UNKNOWN_BOOT } from './boots.js';

export function formatCursor(entry: StoredEntry): string {
  const s = entry.cursor.segment.toString(16).padStart(32, '0');
  const x = crc32(entry.message, crc32(`${entry.unit}\0${entry.identifier}\0${entry.pid}`)).toString(16);
  return `s=${s};i=${entry.cursor.offset.toString(16)};b=${entry.bootId || UNKNOWN_BOOT};m=${(entry.monotonic ?? 0).toString(16)};t=${entry.timestamp.toString(16)};x=${x}`;
}

/** The position a cursor names, or undefined when it is not one of ours. */
export function parseCursor(text: string): JournalCursor | undefined {
  const fields = new Map<string, string>();
  for (const part of text.trim().split(';')) {
    const equals = part.indexOf('=');
    if (equals <= 0) return undefined;
    fields.set(part.slice(0, equals), part.slice(equals + 1));
  }
  const s = fields.get('s');
  const i = fields.get('i');
  if (s === undefined || i === undefined || !/^[0-9a-f]{1,32}$/i.test(s) || !/^[0-9a-f]{1,16}$/i.test(i)) return undefined;
  const segment = parseInt(s, 16);
  const offset = parseInt(i, 16);
  return Number.isSafeInteger(segment) && Number.isSafeInteger(offset) ? { segment, offset } : undefined;
}

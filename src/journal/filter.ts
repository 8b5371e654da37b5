// Which entries a reader shows: journalctl's -u, -S/-U, -p and -g, as one predicate.

import type { JournalEntry } from './entry.js';
import type { RecordPrefilter } from './segment-reader.js';
import { globToRegExp, isGlob } from '../units/glob.js';
import { UNKNOWN_BOOT } from './boots.js';
import { recordPriority, recordTimestamp, recordUnit, recordUnitIs } from './record.js';

export interface JournalFilter {
  /** Unit names or fnmatch globs (`nginx*.service`); an entry matches any of them. */
  units?: string[];
  /** Inclusive bounds, µs since the epoch. */
  since?: number;
  until?: number;
  /** Shown priorities: min..max inclusive (numerically, 0 = emerg). */
  priority?: { min: number; max: number };
  /** Tested against the message decoded as UTF-8. */
  grep?: RegExp;
  /** SYSLOG_IDENTIFIER matches (journalctl -t), exact. */
  identifiers?: string[];
  /**
   * journalctl's FIELD=VALUE matches: values of one field are alternatives, fields must all
   * match. Fields the store does not keep match nothing, as in journalctl.
   */
  fields?: Record<string, string[]>;
  /** -b: only this boot's entries (32 hex digits). */
  boot?: string;
}

/** The journal fields an entry has, as journalctl names them. */
export function entryField(entry: JournalEntry, field: string): string | undefined {
  switch (field) {
    case '_PID':
      return String(entry.pid);
    case 'SYSLOG_IDENTIFIER':
      return entry.identifier;
    case '_SYSTEMD_UNIT':
    case 'UNIT':
      return entry.unit || undefined;
    case 'PRIORITY':
      return String(entry.priority);
    case '_TRANSPORT':
      return entry.transport;
    case '_BOOT_ID':
      return entry.bootId || undefined;
    case 'MESSAGE':
      return entry.message.toString('utf8');
    default:
      return undefined;
  }
}

export type EntryPredicate = (entry: JournalEntry) => boolean;

export function compileFilter(filter: JournalFilter): EntryPredicate {
  const units = filter.units?.map((u) => globToRegExp(u, { escapes: true }));
  const { since, until, priority, grep, boot } = filter;
  const identifiers = filter.identifiers && filter.identifiers.length > 0 ? new Set(filter.identifiers) : undefined;
  const fields = Object.entries(filter.fields ?? {}).map(([name, values]) => [name, new Set(values)] as const);
  return (entry) => {
    if (boot !== undefined && (entry.bootId || UNKNOWN_BOOT) !== boot) return false;
    if (since !== undefined && entry.timestamp < since) return false;
    if (until !== undefined && entry.timestamp > until) return false;
    if (priority && (entry.priority < priority.min || entry.priority > priority.max)) return false;
    if (units && units.length > 0 && !units.some((pattern) => pattern.test(entry.unit))) return false;
    if (identifiers && !identifiers.has(entry.identifier)) return false;
    for (const [name, values] of fields) {
      const value = entryField(entry, name);
      if (value === undefined || !values.has(value)) return false;
    }
    if (grep) {
      grep.lastIndex = 0;
      if (!grep.test(entry.message.toString('utf8'))) return false;
    }
    return true;
  };
}


/** Distinct units a prefilter remembers its answer for (a store has about as many as units). */
const UNIT_MEMO_LIMIT = 4096;

/**
 * The part of the filter a record's header answers (-u, -S/-U, -p), or undefined when the
 * filter has none: readers skip records it rejects without a CRC or a decode. compileFilter()
 * still decides on what passes, so this only has to be necessary, never sufficient.
 */
export function compilePrefilter(filter: JournalFilter): RecordPrefilter | undefined {
  const given = filter.units ?? [];
  const units = given.length > 0 ? given.map((u) => globToRegExp(u, { escapes: true })) : undefined;
  // Plain names (`-u x.service`, the usual case) are compared as bytes: most records differ in length alone.
  const names = units && given.every((u) => !isGlob(u) && !u.includes('\\')) ? given.map((u) => Buffer.from(u, 'utf8')) : undefined;
  const { since, until, priority } = filter;
  if (!units && since === undefined && until === undefined && !priority) return undefined;
  // The same few units recur on every line: one pattern test per distinct name.
  const unitMatches = new Map<string, boolean>();
  return (buffer, offset) => {
    if (since !== undefined || until !== undefined) {
      const timestamp = recordTimestamp(buffer, offset);
      if ((since !== undefined && timestamp < since) || (until !== undefined && timestamp > until)) return false;
    }
    if (priority) {
      const level = recordPriority(buffer, offset);
      if (level < priority.min || level > priority.max) return false;
    }
    if (names) {
      let named = false;
      for (let i = 0; i < names.length && !named; i++) named = recordUnitIs(buffer, offset, names[i]);
      if (!named) return false;
    } else if (units) {
      const unit = recordUnit(buffer, offset);
      let matches = unitMatches.get(unit);
      if (matches === undefined) {
        matches = units.some((pattern) => pattern.test(unit));
        if (unitMatches.size >= UNIT_MEMO_LIMIT) unitMatches.clear();
        unitMatches.set(unit, matches);
      }
      if (!matches) return false;
    }
    return true;
  };
}

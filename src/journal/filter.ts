// Which entries a reader shows: journalctl's -u, -S/-U, -p and -g, as one predicate.

import type { JournalEntry } from './entry.js';
import { globToRegExp } from '../units/glob.js';

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
}

export type EntryPredicate = (entry: JournalEntry) => boolean;

export function compileFilter(filter: JournalFilter): EntryPredicate {
  const units = filter.units?.map((u) => globToRegExp(u, { escapes: true }));
  const { since, until, priority, grep } = filter;
  const identifiers = filter.identifiers && filter.identifiers.length > 0 ? new Set(filter.identifiers) : undefined;
  return (entry) => {
    if (since !== undefined && entry.timestamp < since) return false;
    if (until !== undefined && entry.timestamp > until) return false;
    if (priority && (entry.priority < priority.min || entry.priority > priority.max)) return false;
    if (units && units.length > 0 && !units.some((pattern) => pattern.test(entry.unit))) return false;
    if (identifiers && !identifiers.has(entry.identifier)) return false;
    if (grep) {
      grep.lastIndex = 0;
      if (!grep.test(entry.message.toString('utf8'))) return false;
    }
    return true;
  };
}


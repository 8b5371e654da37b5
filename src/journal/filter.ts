// Which entries a reader shows: journalctl's -u, -S/-U, -p and -g, as one predicate.

import type { JournalEntry } from './entry.js';

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
  const units = filter.units?.map(globToRegExp);
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

/** fnmatch(3) without flags, as journalctl matches -u globs: `*`, `?`, `[...]`, `\x`. */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else if (c === '\\' && i + 1 < glob.length) source += escapeRegExp(glob[++i]);
    else if (c === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close < 0) {
        source += '\\[';
        continue;
      }
      let set = glob.slice(i + 1, close);
      if (set.startsWith('!')) set = '^' + set.slice(1);
      source += '[' + set.replace(/\\/g, '\\\\') + ']';
      i = close;
    } else source += escapeRegExp(c);
  }
  return new RegExp(`^${source}$`, 's');
}

export function isGlob(text: string): boolean {
  return /[*?[]/.test(text);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

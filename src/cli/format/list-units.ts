// `systemctl list-units`: a table padded to the widest cell, the LOAD/ACTIVE/SUB
// legend and a count (semantics §8.4, checked against systemd 252).

import type { UnitListEntry } from '../../control/api.js';

export interface ListUnitsOptions {
  /** --all was given (changes the footer). */
  all: boolean;
  /** --state= or --failed was given (changes the footer). */
  stateFilter: boolean;
  legend: boolean;
  /** --plain: no marker column. */
  plain: boolean;
  color: boolean;
  /** Terminal width to fit rows into (DESCRIPTION is ellipsized); undefined on a pipe or with --full. */
  columns?: number;
}

const BAD_LOAD_STATES = ['not-found', 'bad-setting', 'error', 'masked'];

function marker(u: UnitListEntry): string {
  return u.activeState === 'failed' || BAD_LOAD_STATES.includes(u.loadState) ? '●' : ' ';
}

function typeOf(id: string): string {
  const dot = id.lastIndexOf('.');
  return dot < 0 ? '' : id.slice(dot + 1);
}

const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Sorted by type, then name, like systemctl. Types are lowercase ASCII words, which compare the
 * same by code unit as by localeCompare; localeCompare would set up ICU's collator, a quarter
 * of `list-units`' start-up.
 */
export function sortUnits(units: readonly UnitListEntry[]): UnitListEntry[] {
  return [...units].sort((a, b) => byCodeUnits(typeOf(a.id), typeOf(b.id)) || byCodeUnits(a.id, b.id));
}

/** Pad every column but the last to its widest cell, one space apart. */
export function table(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join(' ').trimEnd());
}

/**
 * On a terminal systemd shrinks the table to the screen, ellipsizing the last
 * column (DESCRIPTION) first; on a pipe or with --full nothing is cut.
 */
function fitToWidth(lines: string[], width: number | undefined): string[] {
  if (width === undefined || width <= 0) return lines;
  return lines.map((l) => {
    const chars = [...l];
    return chars.length <= width ? l : chars.slice(0, Math.max(width - 1, 0)).join('') + '…';
  });
}

export function formatListUnits(units: readonly UnitListEntry[], o: ListUnitsOptions): string[] {
  const sorted = sortUnits(units);
  const hasJobs = sorted.some((u) => u.jobId !== undefined);
  const header = ['UNIT', 'LOAD', 'ACTIVE', 'SUB', ...(hasJobs ? ['JOB'] : []), 'DESCRIPTION'];
  const rows = sorted.map((u) => [
    u.id,
    u.loadState,
    u.activeState,
    u.subState,
    ...(hasJobs ? [u.jobType ?? ''] : []),
    u.description !== '' ? u.description : u.id,
  ]);
  const body = fitToWidth(table(o.legend ? [header, ...rows] : rows), o.columns === undefined ? undefined : o.columns - (o.plain ? 0 : 2));
  const red = (s: string): string => (o.color ? `\x1b[0;1;31m${s}\x1b[0m` : s);
  const lines = body.map((line, i) => {
    if (o.plain) return line;
    const u = o.legend ? (i === 0 ? undefined : sorted[i - 1]) : sorted[i];
    const m = u === undefined ? ' ' : marker(u);
    return `${m === '●' ? red(m) : m} ${line}`;
  });
  if (!o.legend) return lines;
  if (sorted.length > 0) {
    lines.push(
      '',
      'LOAD   = Reflects whether the unit definition was properly loaded.',
      'ACTIVE = The high-level unit activation state, i.e. generalization of SUB.',
      'SUB    = The low-level unit activation state, values depend on unit type.',
    );
    if (hasJobs) lines.push('JOB    = Pending job for the unit.');
  }
  if (o.stateFilter) lines.push(`${sorted.length} loaded units listed.`);
  else if (o.all) lines.push(`${sorted.length} loaded units listed.`, "To show all installed unit files use 'systemctl list-unit-files'.");
  else {
    lines.push(
      `${sorted.length} loaded units listed. Pass --all to see loaded but inactive units, too.`,
      "To show all installed unit files use 'systemctl list-unit-files'.",
    );
  }
  return lines;
}

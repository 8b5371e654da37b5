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

/** The red ● of a failed unit or one whose file did not load. */
function marked(u: UnitListEntry): boolean {
  return u.activeState === 'failed' || (u.loadState !== 'loaded' && BAD_LOAD_STATES.includes(u.loadState));
}

function typeOf(id: string): string {
  const dot = id.lastIndexOf('.');
  return dot < 0 ? '' : id.slice(dot + 1);
}

/**
 * Sorted by type, then name, like systemctl: by one key a unit, "TYPE\0NAME" (NUL sorts before
 * any character of a type, so this is the same order), compared by code unit. Types are
 * lowercase ASCII words, which compare the same by code unit as by localeCompare; localeCompare
 * would set up ICU's collator, a quarter of `list-units`' start-up. One key a unit, not two
 * slices per comparison: a client sorts a thousand units while V8 still interprets it.
 */
function sortUnits(units: readonly UnitListEntry[]): UnitListEntry[] {
  const keyed = units.map((u) => ({ key: `${typeOf(u.id)}\0${u.id}`, u }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return keyed.map((k) => k.u);
}

/** Pad every column but the last to its widest cell, one space apart. */
export function table(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join(' ').trimEnd());
}

/**
 * table() given columns instead of rows: plain loops, no per-row arrays or closures, for
 * list-units' thousand rows.
 */
function columnTable(columns: string[][]): string[] {
  const last = columns.length - 1;
  const widths = columns.map((column) => {
    let width = 0;
    for (const cell of column) if (cell.length > width) width = cell.length;
    return width;
  });
  const lines: string[] = [];
  for (let row = 0; row < columns[0].length; row++) {
    let line = '';
    for (let c = 0; c < last; c++) line += columns[c][row].padEnd(widths[c]) + ' ';
    lines.push((line + columns[last][row]).trimEnd());
  }
  return lines;
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
  const head = (title: string): string[] => (o.legend ? [title] : []);
  const columns = [head('UNIT'), head('LOAD'), head('ACTIVE'), head('SUB'), ...(hasJobs ? [head('JOB')] : []), head('DESCRIPTION')];
  const [ids, loads, actives, subs] = columns;
  const jobs = hasJobs ? columns[4] : undefined;
  const descriptions = columns[columns.length - 1];
  for (const u of sorted) {
    ids.push(u.id);
    loads.push(u.loadState);
    actives.push(u.activeState);
    subs.push(u.subState);
    jobs?.push(u.jobType ?? '');
    descriptions.push(u.description !== '' ? u.description : u.id);
  }
  const body = fitToWidth(columnTable(columns), o.columns === undefined ? undefined : o.columns - (o.plain ? 0 : 2));
  if (o.plain) return withLegend(body, sorted.length, hasJobs, o);
  const red = o.color ? `\x1b[0;1;31m●\x1b[0m ` : '● ';
  const offset = o.legend ? 1 : 0;
  const lines: string[] = [];
  for (let i = 0; i < body.length; i++) {
    const u = i < offset ? undefined : sorted[i - offset];
    lines.push((u !== undefined && marked(u) ? red : '  ') + body[i]);
  }
  return withLegend(lines, sorted.length, hasJobs, o);
}

/** The legend and count systemctl prints under the table. */
function withLegend(lines: string[], count: number, hasJobs: boolean, o: ListUnitsOptions): string[] {
  if (!o.legend) return lines;
  if (count > 0) {
    lines.push(
      '',
      'LOAD   = Reflects whether the unit definition was properly loaded.',
      'ACTIVE = The high-level unit activation state, i.e. generalization of SUB.',
      'SUB    = The low-level unit activation state, values depend on unit type.',
    );
    if (hasJobs) lines.push('JOB    = Pending job for the unit.');
  }
  if (o.stateFilter) lines.push(`${count} loaded units listed.`);
  else if (o.all) lines.push(`${count} loaded units listed.`, "To show all installed unit files use 'systemctl list-unit-files'.");
  else {
    lines.push(
      `${count} loaded units listed. Pass --all to see loaded but inactive units, too.`,
      "To show all installed unit files use 'systemctl list-unit-files'.",
    );
  }
  return lines;
}

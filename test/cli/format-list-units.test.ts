// list-units / list-jobs tables, compared with systemd 252's output.

import t from 'tap';

import type { UnitListEntry } from '../../src/control/api.js';
import { formatListJobs } from '../../src/cli/format/list-jobs.js';
import { formatListUnits } from '../../src/cli/format/list-units.js';
import { loadText } from './oracle-fixtures.js';

/** Rows of a captured table back into entries (the description is the rest of the line). */
function parseRows(lines: string[]): UnitListEntry[] {
  const rows: UnitListEntry[] = [];
  for (const l of lines.slice(1)) {
    if (l === '') break;
    const [id, loadState, activeState, subState, ...desc] = l.slice(2).trim().split(/\s+/);
    const description = desc.join(' ');
    rows.push({ id, loadState, activeState, subState, description: description === id ? '' : description });
  }
  // Feed them shuffled: the formatter must sort by type, then name.
  return rows.reverse();
}

const base = { legend: true, plain: false, color: false };

t.test('list-units --all matches systemd 252', async (t) => {
  const { lines } = loadText('list-units-all.txt');
  t.same(formatListUnits(parseRows(lines), { ...base, all: true, stateFilter: false }), lines);
});

t.test('list-units (active only) matches systemd 252, including its footer', async (t) => {
  const { lines } = loadText('list-units.txt');
  t.same(formatListUnits(parseRows(lines), { ...base, all: false, stateFilter: false }), lines);
});

const failed: UnitListEntry = { id: 'fail3.service', loadState: 'loaded', activeState: 'failed', subState: 'failed', description: 'Exits with 3' };
const web: UnitListEntry = { id: 'web.service', loadState: 'loaded', activeState: 'active', subState: 'running', description: 'Demo Web Service' };

t.test('--failed: one row with the marker, the legend and only the count', async (t) => {
  t.same(formatListUnits([failed], { ...base, all: false, stateFilter: true }), [
    '  UNIT          LOAD   ACTIVE SUB    DESCRIPTION',
    '● fail3.service loaded failed failed Exits with 3',
    '',
    'LOAD   = Reflects whether the unit definition was properly loaded.',
    'ACTIVE = The high-level unit activation state, i.e. generalization of SUB.',
    'SUB    = The low-level unit activation state, values depend on unit type.',
    '1 loaded units listed.',
  ]);
});

t.test('no rows: the header and the count only', async (t) => {
  t.same(formatListUnits([], { ...base, all: false, stateFilter: true }), ['  UNIT LOAD ACTIVE SUB DESCRIPTION', '0 loaded units listed.']);
});

t.test('--plain --no-legend: no marker column, no header or footer', async (t) => {
  t.same(formatListUnits([web, failed], { legend: false, plain: true, color: false, all: false, stateFilter: false }), [
    'fail3.service loaded failed failed  Exits with 3',
    'web.service   loaded active running Demo Web Service',
  ]);
});

t.test('list-jobs', async (t) => {
  t.same(formatListJobs([], true), ['No jobs running.']);
  t.same(formatListJobs([{ id: 2453, unit: 'waiter.service', type: 'start', state: 'waiting' }], true), [
    'JOB  UNIT           TYPE  STATE',
    '2453 waiter.service start waiting',
    '',
    '1 jobs listed.',
  ]);
});

// `systemctl list-jobs`: JOB UNIT TYPE STATE, a blank line and a count, or
// "No jobs running." (semantics §8.7).

import type { JobListEntry } from '../../control/api.js';
import { table } from './list-units.js';

export function formatListJobs(jobs: readonly JobListEntry[], legend: boolean): string[] {
  if (jobs.length === 0) return legend ? ['No jobs running.'] : [];
  const sorted = [...jobs].sort((a, b) => a.id - b.id);
  const rows = sorted.map((j) => [String(j.id), j.unit, j.type, j.state]);
  if (!legend) return table(rows);
  return [...table([['JOB', 'UNIT', 'TYPE', 'STATE'], ...rows]), '', `${sorted.length} jobs listed.`];
}

// The state dump SIGUSR2 writes to the log (systemd(1): "When this signal is received the
// systemd system manager will log its complete state in human-readable form"), laid out
// like the start of `systemd-analyze dump`: a Manager header, then a block per unit and
// per job. Built from the manager's public API only.

import type { JobListEntry, Properties, UnitListEntry } from '../control/api.js';

export interface DumpSource {
  listUnits(options: { all: boolean }): Promise<UnitListEntry[]>;
  listJobs(): Promise<JobListEntry[]>;
  unitProperties(units: string[]): Promise<Properties[]>;
}

export async function stateDump(source: DumpSource, version: string): Promise<string> {
  const units = await source.listUnits({ all: true });
  const jobs = await source.listJobs();
  const props = await source.unitProperties(units.map((u) => u.id));
  const lines = [`Manager: systemd ${version}`];
  units.forEach((unit, i) => {
    const p = props[i] ?? {};
    lines.push(`-> Unit ${unit.id}:`);
    lines.push(`\tDescription: ${unit.description}`);
    lines.push(`\tUnit Load State: ${unit.loadState}`);
    lines.push(`\tUnit Active State: ${unit.activeState}`);
    lines.push(`\tSub State: ${unit.subState}`);
    const fragment = p.FragmentPath;
    if (typeof fragment === 'string' && fragment !== '') lines.push(`\tFragment Path: ${fragment}`);
    const mainPid = p.MainPID;
    if ((typeof mainPid === 'number' || typeof mainPid === 'string') && String(mainPid) !== '0') lines.push(`\tMain PID: ${mainPid}`);
  });
  for (const job of jobs) {
    lines.push(`-> Job ${job.id}:`);
    lines.push(`\tAction: ${job.unit} -> ${job.type}`);
    lines.push(`\tState: ${job.state}`);
  }
  return lines.join('\n');
}

// Shared by the systemd-analyze differential tests: run the installed systemd 252's
// systemd-analyze and unitd's init/systemd-analyze on the same arguments and compare
// stdout, stderr and the exit code.

import type { Test } from 'tap';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const HERE = import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname);
export const REAL = '/usr/bin/systemd-analyze';
export const OURS = path.resolve(HERE, '../../init/systemd-analyze');
const BUILT = path.resolve(HERE, '../../dist/cli/analyze.js');
const FIXTURES = path.resolve(HERE, '../fixtures');

export const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York'];
export const BASES = [
  '2026-03-07 12:00:00 UTC', // before the US spring-forward (03-08) and the EU one (03-29)
  '2026-10-24 23:59:59 UTC', // the EU fall-back night follows
  '2026-11-01 05:30:00 UTC', // inside the US fall-back hour
  '2028-02-28 23:00:00 UTC', // a leap day follows
];

export function lines(file: string): string[] {
  // Leading and trailing blanks are part of some expressions: no trimming.
  return fs.readFileSync(path.join(FIXTURES, file), 'utf8').replace(/\n$/, '').split('\n');
}

interface Outcome {
  stdout: string;
  stderr: string;
  status: number | null;
}

export function run(bin: string, tz: string, args: string[]): Outcome {
  const r = spawnSync(bin, args, { env: { ...process.env, TZ: tz }, encoding: 'utf8', timeout: 60_000 });
  // getopt's messages name the program by the path it was run as.
  return { stdout: r.stdout, stderr: r.stderr.split(bin).join('systemd-analyze'), status: r.status };
}

const withoutFromNow = (s: string): string =>
  s
    .split('\n')
    .filter((l) => !l.trimStart().startsWith('From now:'))
    .join('\n');

export function compare(t: Test, tz: string, args: string[], what: string): void {
  let real = run(REAL, tz, args);
  let ours = run(OURS, tz, args);
  t.equal(ours.status, real.status, `${what}: exit code`);
  t.equal(ours.stderr, real.stderr, `${what}: stderr`);
  t.equal(withoutFromNow(ours.stdout), withoutFromNow(real.stdout), `${what}: stdout`);
  // A relative time can tick over between the two runs (the machine is loaded): try again.
  for (let retry = 0; retry < 3 && ours.stdout !== real.stdout; retry++) {
    real = run(REAL, tz, args);
    ours = run(OURS, tz, args);
  }
  t.equal(ours.stdout, real.stdout, `${what}: "From now:" lines`);
}

export const skip = !fs.existsSync(REAL) ? 'systemd-analyze is not installed' : !fs.existsSync(BUILT) ? 'run "npm run build" first' : false;


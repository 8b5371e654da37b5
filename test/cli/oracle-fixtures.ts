// Reads what real systemd 252 printed (captured with the oracle, see
// test/cli/fixtures/oracle/README) back into the raw values unitd's daemon
// sends, so the formatters can be checked against the real layout.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { ExecCommandState, LogLine, Properties, PropertyValue, UnitProcess } from '../../src/control/api.js';
import { parseTimespanRaw } from '../../src/units/values/timespan.js';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'oracle');

const LIST_PROPERTIES = new Set([
  'Names', 'Requires', 'Wants', 'BindsTo', 'PartOf', 'Requisite', 'Conflicts', 'After', 'Before', 'RequiredBy',
  'WantedBy', 'ConsistsOf', 'BoundBy', 'OnFailure', 'Documentation', 'DropInPaths', 'Environment', 'PassEnvironment',
  'UnsetEnvironment', 'CapabilityBoundingSet', 'AmbientCapabilities', 'ExecPaths', 'NoExecPaths', 'ExecSearchPath',
  'ReadWritePaths', 'ReadOnlyPaths', 'InaccessiblePaths', 'SupplementaryGroups', 'RequiresMountsFor', 'Triggers',
  'TriggeredBy', 'Markers', 'JoinsNamespaceOf', 'Upholds', 'UpheldBy', 'RequisiteOf', 'PropagatesReloadTo',
  'ReloadPropagatedFrom', 'PropagatesStopTo', 'StopPropagatedFrom', 'OnSuccess', 'OnSuccessOf', 'OnFailureOf',
  'ReferencedBy', 'References', 'SystemCallArchitectures', 'Features', 'UnitPath', 'RestrictFileSystems',
]);

/** "Sat 2026-11-21 20:47:16 UTC" → µs since the epoch. */
export function parseShownTimestamp(s: string): number {
  const m = /^\w{3} (\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) UTC$/.exec(s);
  if (!m) throw new Error(`not a timestamp: ${s}`);
  return Date.parse(`${m[1]}T${m[2]}Z`) * 1000;
}

/** Split a space-separated list where items may be "double quoted" with backslash escapes. */
function splitList(s: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = re.exec(s); m; m = re.exec(s)) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]);
  return out;
}

function parseExec(s: string): ExecCommandState {
  const field = (name: string): string => {
    const m = new RegExp(` ${name.replace(/[[\]]/g, '\\$&')}=(.*?) ;`).exec(s + ' ;');
    if (!m) throw new Error(`no ${name} in ${s}`);
    return m[1];
  };
  const time = (v: string): number => (v === '[n/a]' ? 0 : parseShownTimestamp(v.slice(1, -1)));
  const code = ['(null)', 'exited', 'killed', 'dumped'].indexOf(field('code'));
  const status = field('status').replace(/ }$/, '');
  return {
    path: field('path'),
    argv: field('argv[]').split(' '),
    ignoreErrors: field('ignore_errors') === 'yes',
    startTimestamp: time(field('start_time')),
    stopTimestamp: time(field('stop_time')),
    pid: Number(field('pid')),
    code,
    status: Number(status.split('/')[0]),
  };
}

/**
 * `show --all` output → Properties. Realtime timestamps are rebuilt from their
 * Monotonic twins (µs precision, so `Duration:` can be checked), anchored so
 * every one still prints the second systemd printed.
 */
export function loadShow(name: string): Properties {
  const lines = readFileSync(join(FIXTURES, `${name}.show.txt`), 'utf8').split('\n').filter((l) => l.includes('='));
  const raw = new Map<string, string[]>();
  for (const l of lines) {
    const i = l.indexOf('=');
    const k = l.slice(0, i);
    raw.set(k, [...(raw.get(k) ?? []), l.slice(i + 1)]);
  }
  let lo = -Infinity;
  let hi = Infinity;
  for (const [k, [v]] of raw) {
    if (!k.endsWith('Timestamp') || v === '') continue;
    const mono = Number(raw.get(`${k}Monotonic`)?.[0] ?? NaN);
    if (!Number.isFinite(mono)) continue;
    const sec = parseShownTimestamp(v);
    lo = Math.max(lo, sec - mono);
    hi = Math.min(hi, sec - mono + 999_999);
  }
  if (lo > hi) throw new Error(`${name}: timestamps do not fit one boot time`);
  const boot = lo;

  const props: Properties = {};
  for (const [k, values] of raw) {
    const v = values[0];
    let value: PropertyValue;
    if (k.startsWith('Exec') && v.startsWith('{')) {
      if (k.endsWith('Ex')) continue; // derived by the formatter, as the daemon does not send them
      value = values.map(parseExec);
    } else if (LIST_PROPERTIES.has(k)) value = v === '' ? [] : splitList(v);
    else if (v === '[not set]') value = null;
    else if (v === 'yes' || v === 'no') value = v === 'yes';
    else if (k.endsWith('Timestamp')) {
      const mono = Number(raw.get(`${k}Monotonic`)?.[0] ?? NaN);
      value = v === '' ? 0 : Number.isFinite(mono) && mono > 0 ? boot + mono : parseShownTimestamp(v);
    } else if (k.endsWith('USec')) {
      if (v === 'infinity') value = Number.POSITIVE_INFINITY;
      else {
        const r = parseTimespanRaw(v);
        value = r.ok ? r.value : v;
      }
    } else if (/^0[0-7]{3}$/.test(v) && (k === 'UMask' || k.endsWith('Mode'))) value = parseInt(v, 8);
    else if (/^-?\d+$/.test(v) && v.length < 16) value = Number(v);
    else value = v;
    props[k] = value;
  }
  return props;
}

export function loadLog(name: string): LogLine[] {
  const text = readFileSync(join(FIXTURES, `${name}.journal.json`), 'utf8');
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, string>)
    .map((j) => ({
      timestamp: Number(j.__REALTIME_TIMESTAMP),
      unit: name + '.service',
      identifier: j.SYSLOG_IDENTIFIER ?? '',
      pid: Number(j._PID ?? 0),
      priority: Number(j.PRIORITY ?? 6),
      message: j.MESSAGE ?? '',
    }));
}

export function loadProcesses(name: string): UnitProcess[] {
  const f = join(FIXTURES, `${name}.procs.txt`);
  if (!existsSync(f)) return [];
  return readFileSync(f, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const [pid, command] = l.split('\t');
      return { pid: Number(pid), command: command.trim(), ppid: 0 };
    });
}

export function loadComm(name: string): string | undefined {
  const f = join(FIXTURES, `${name}.comm.txt`);
  return existsSync(f) ? readFileSync(f, 'utf8').trim() : undefined;
}

/** systemctl's output without its exit-code trailer. */
export function loadText(file: string): { lines: string[]; rc?: number } {
  const lines = readFileSync(join(FIXTURES, file), 'utf8').replace(/\n$/, '').split('\n');
  const last = lines[lines.length - 1];
  if (last.startsWith('rc=')) {
    lines.pop();
    return { lines, rc: Number(last.slice(3)) };
  }
  return { lines };
}

export const HOSTNAME = 'vm';

// `systemctl status UNIT`: the block systemd 252's print_status_info() draws
// (semantics §8.3), from the unit's raw properties, its processes and the
// tail of its log. Labels are right-aligned so every colon sits in column 12.

import type { ExecCommandState, LogLine, Properties, PropertyValue, UnitProcess } from '../../control/api.js';
import { formatExitStatus } from '../../units/values/exit-status.js';
import { signalToString } from '../../units/values/signal.js';
import { formatLogLine } from './log-line.js';
import { nextElapse } from './list-timers.js';
import { formatBytes, formatRelative, formatTimespan, formatTimestamp } from './time.js';

export interface StatusContext {
  nowUsec: number;
  /** Colours only on a terminal, like systemd. */
  color: boolean;
  hostname: string;
  /** Width to ellipsize process and log lines to; undefined for `--full`. */
  columns?: number;
  /** /proc/PID/comm of a local process, for `Main PID: 123 (sleep)`. */
  comm: (pid: number) => string | undefined;
  /** CLOCK_MONOTONIC µs now, to put a timer's monotonic deadline on the wall clock. */
  nowMonotonicUsec?: number;
}

export interface StatusInput {
  props: Properties;
  processes: UnitProcess[];
  log: LogLine[];
  /** ActiveState of the units in Triggers=/TriggeredBy=, for their glyphs. */
  relatedStates?: Record<string, string>;
}

const EXEC_KEYS = ['ExecCondition', 'ExecStartPre', 'ExecStart', 'ExecStartPost', 'ExecReload', 'ExecStop', 'ExecStopPre', 'ExecStopPost'] as const;

const ANSI = {
  red: '\x1b[0;1;31m',
  green: '\x1b[0;1;32m',
  normal: '\x1b[0m',
  bold: '\x1b[0;1;39m',
  yellow: '\x1b[0;1;38;5;185m',
} as const;

function str(p: Properties, k: string): string {
  const v = p[k];
  return typeof v === 'string' ? v : '';
}
function num(p: Properties, k: string): number {
  const v = p[k];
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}
/** A counter that may be unknown ([not set]): null/absent/infinite → undefined. */
function maybeNum(p: Properties, k: string): number | undefined {
  const v = p[k];
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
}
function list(p: Properties, k: string): string[] {
  const v: PropertyValue | undefined = p[k];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}
function execList(p: Properties, k: string): ExecCommandState[] {
  const v = p[k];
  return Array.isArray(v) ? v.filter((x): x is ExecCommandState => typeof x === 'object' && x !== null) : [];
}

/** Unit state → the glyph before the name (unit_active_state_to_glyph): the active state alone decides. */
export function stateGlyph(activeState: string, _loadState?: string): string {
  if (activeState === 'failed') return '×';
  if (activeState === 'reloading') return '↻';
  if (['active', 'activating', 'deactivating'].includes(activeState)) return '●';
  return '○';
}

/** A load error colours the glyph red whatever the state (print_status_info). */
function glyphColor(activeState: string, loadState: string): keyof typeof ANSI | undefined {
  if (activeState === 'failed' || ['error', 'bad-setting', 'not-found'].includes(loadState)) return 'red';
  const g = stateGlyph(activeState);
  if (g === '●' || g === '↻') return 'green';
  return undefined;
}

/** `code=exited, status=3` / `code=killed, signal=KILL`, as status shows a finished process. */
export function formatExit(code: number, status: number): string {
  if (code === 1) return `code=exited, status=${formatExitStatus(status, ['libc', 'systemd'])}`;
  return `code=${code === 2 ? 'killed' : code === 3 ? 'dumped' : String(code)}, signal=${signalToString(status)}`;
}

/** Cut a line to `width` with a trailing ellipsis, as systemd does for process command lines. */
function ellipsizeEnd(s: string, width: number | undefined): string {
  if (width === undefined || s.length <= width) return s;
  return width <= 1 ? '…' : s.slice(0, width - 1) + '…';
}

/** The timestamp `Active:` shows for a state (semantics §8.3 line 4). */
function activeSince(p: Properties): number {
  switch (str(p, 'ActiveState')) {
    case 'active':
    case 'reloading':
      return num(p, 'ActiveEnterTimestamp');
    case 'inactive':
    case 'failed':
      return num(p, 'InactiveEnterTimestamp');
    case 'activating':
      return num(p, 'InactiveExitTimestamp');
    default:
      return num(p, 'ActiveExitTimestamp');
  }
}

function loadedLine(p: Properties): string {
  const load = str(p, 'LoadState');
  const loadError = str(p, 'LoadError');
  if (loadError !== '' && load !== 'loaded') {
    // LoadError is `org.freedesktop.systemd1.X "message"`: status shows the message.
    const m = /^\S+ "(.*)"$/.exec(loadError);
    return `     Loaded: ${load} (Reason: ${m ? m[1] : loadError})`;
  }
  // systemd shows where a generated unit came from (an init script), not the generated file.
  const path = str(p, 'SourcePath') || str(p, 'FragmentPath');
  const fileState = str(p, 'UnitFileState');
  const preset = str(p, 'UnitFilePreset');
  if (path !== '' && fileState !== '') {
    const showPreset = preset !== '' && (fileState === 'enabled' || fileState === 'disabled');
    return `     Loaded: ${load} (${path}; ${fileState}${showPreset ? `; preset: ${preset}` : ''})`;
  }
  if (path !== '') return `     Loaded: ${load} (${path})`;
  return `     Loaded: ${load}`;
}

/** Where systemd would put the unit: instances in `system-<template>.slice`. */
export function defaultCgroup(id: string): string {
  const at = id.indexOf('@');
  if (at > 0) return `/system.slice/system-${id.slice(0, at).replace(/-/g, '\\x2d')}.slice/${id}`;
  return `/system.slice/${id}`;
}

/**
 * `Trigger:` (a timer's next elapse, or n/a), then `TriggeredBy:` and `Triggers:` with the
 * related units' glyphs: print_status_info() puts them right below the Active line.
 */
function triggerLines(input: StatusInput, ctx: StatusContext, c: (color: keyof typeof ANSI | undefined, s: string) => string): string[] {
  const p = input.props;
  const out: string[] = [];
  if (str(p, 'Id').endsWith('.timer')) {
    const next = nextElapse(num(p, 'NextElapseUSecRealtime'), num(p, 'NextElapseUSecMonotonic'), ctx.nowUsec, ctx.nowMonotonicUsec ?? 0);
    out.push(`    Trigger: ${next > 0 ? `${formatTimestamp(next)}; ${formatRelative(next, ctx.nowUsec)}` : 'n/a'}`);
  }
  const glyph = (name: string, fixed?: string): string => {
    const state = input.relatedStates?.[name] ?? 'inactive';
    return c(glyphColor(state, 'loaded'), fixed ?? stateGlyph(state));
  };
  list(p, 'TriggeredBy').forEach((u, i) => out.push(`${i === 0 ? 'TriggeredBy:' : '            '} ${glyph(u)} ${u}`));
  // Triggers: always shows ●, only its colour follows the unit's state.
  list(p, 'Triggers').forEach((u, i) => out.push(`${i === 0 ? '   Triggers:' : '            '} ${glyph(u, '●')} ${u}`));
  return out;
}

/** The lines of one unit's status block, without the trailing newline. */
export function formatStatus(input: StatusInput, ctx: StatusContext): string[] {
  const p = input.props;
  const c = (color: keyof typeof ANSI | undefined, s: string): string =>
    ctx.color && color !== undefined ? `${ANSI[color]}${s}${ANSI.normal}` : s;
  const out: string[] = [];
  const id = str(p, 'Id');
  const description = str(p, 'Description');
  const active = str(p, 'ActiveState');
  const sub = str(p, 'SubState');
  const load = str(p, 'LoadState');

  out.push(`${c(glyphColor(active, load), stateGlyph(active, load))} ${id}${description !== '' && description !== id ? ` - ${description}` : ''}`);
  out.push(loadedLine(p));
  const dropIns = list(p, 'DropInPaths');
  if (dropIns.length > 0) {
    // Grouped by directory, as systemd does: `Drop-In: /dir` then `└─a.conf, b.conf`.
    const byDir = new Map<string, string[]>();
    for (const d of dropIns) {
      const slash = d.lastIndexOf('/');
      const dir = d.slice(0, slash);
      byDir.set(dir, [...(byDir.get(dir) ?? []), d.slice(slash + 1)]);
    }
    let first = true;
    for (const [dir, files] of byDir) {
      out.push(`${first ? '    Drop-In: ' : '             '}${dir}`);
      out.push(`             └─${files.join(', ')}`);
      first = false;
    }
  }
  if (p.Transient === true) out.push('  Transient: yes');

  const result = str(p, 'Result');
  let activeLine = `     Active: ${c(
    active === 'failed' ? 'red' : active === 'active' || active === 'reloading' ? 'green' : undefined,
    sub !== '' && sub !== active ? `${active} (${sub})` : active,
  )}`;
  const freezer = str(p, 'FreezerState');
  if (freezer !== '' && freezer !== 'running') activeLine += ` ${c('yellow', `(${freezer})`)}`;
  if (result !== '' && result !== 'success') activeLine += ` (Result: ${result})`;
  const since = activeSince(p);
  if (since > 0) activeLine += ` since ${formatTimestamp(since)}; ${formatRelative(since, ctx.nowUsec)}`;
  out.push(activeLine);

  const enter = num(p, 'ActiveEnterTimestamp');
  const exit = num(p, 'ActiveExitTimestamp');
  if ((active === 'inactive' || active === 'failed') && enter > 0 && exit > 0 && exit >= enter) {
    out.push(`   Duration: ${formatTimespan(exit - enter, 1000)}`);
  }

  out.push(...triggerLines(input, ctx, c));

  const condTs = num(p, 'ConditionTimestamp');
  if (p.ConditionResult === false && condTs > 0) {
    out.push(`  Condition: start condition failed at ${formatTimestamp(condTs)}; ${formatRelative(condTs, ctx.nowUsec)}`);
  }

  const docs = list(p, 'Documentation');
  docs.forEach((d, i) => out.push(`${i === 0 ? '       Docs: ' : '             '}${d}`));

  // Socket units (print_status_info()): every port, then Accept=yes counters.
  list(p, 'Listen').forEach((l, i) => out.push(`${i === 0 ? '     Listen: ' : '             '}${l}`));
  if (p.Accept === true) {
    const refused = num(p, 'NRefused');
    out.push(`   Accepted: ${num(p, 'NAccepted')}; Connected: ${num(p, 'NConnections')};${refused > 0 ? `   Refused: ${refused}` : ''}`);
  }

  const mainPid = num(p, 'ExecMainPID') || num(p, 'MainPID');
  const running = num(p, 'MainPID') > 0;
  let controlPid = num(p, 'ControlPID');
  for (const key of EXEC_KEYS) {
    for (const e of execList(p, key)) {
      // Only finished processes; the running main process is shown as Main PID.
      if (e.code === 0) continue;
      const clean = e.code === 1 && e.status === 0;
      out.push(`    Process: ${e.pid} ${key}=${e.argv.join(' ')} ${c(clean ? undefined : 'red', `(${formatExit(e.code, e.status)})`)}`);
      if (e.pid === controlPid) controlPid = 0;
    }
  }

  if (mainPid > 0 || controlPid > 0) {
    let line = '';
    if (mainPid > 0) {
      line = `   Main PID: ${mainPid}`;
      const code = num(p, 'ExecMainCode');
      if (running) {
        const comm = ctx.comm(mainPid);
        if (comm !== undefined) line += ` (${comm})`;
      } else if (code > 0) {
        const clean = code === 1 && num(p, 'ExecMainStatus') === 0;
        line += ` ${c(clean ? undefined : 'red', `(${formatExit(code, num(p, 'ExecMainStatus'))})`)}`;
      }
    }
    if (controlPid > 0) {
      line += mainPid > 0 ? `; Control PID: ${controlPid}` : `  Cntrl PID: ${controlPid}`;
      const comm = ctx.comm(controlPid);
      if (comm !== undefined) line += ` (${comm})`;
    }
    out.push(line);
  }

  const statusText = str(p, 'StatusText');
  if (statusText !== '') out.push(`     Status: "${statusText}"`);
  const errno = num(p, 'StatusErrno');
  if (errno > 0) out.push(`      Error: ${errno}`);
  const tasks = maybeNum(p, 'TasksCurrent');
  if (tasks !== undefined) {
    const max = maybeNum(p, 'TasksMax');
    out.push(`      Tasks: ${tasks}${max !== undefined ? ` (limit: ${max})` : ''}`);
  }
  const memory = maybeNum(p, 'MemoryCurrent');
  if (memory !== undefined) out.push(`     Memory: ${formatBytes(memory)}`);
  const cpu = maybeNum(p, 'CPUUsageNSec');
  if (cpu !== undefined) out.push(`        CPU: ${formatTimespan(Math.floor(cpu / 1000), 1000)}`);

  const cgroup = str(p, 'ControlGroup');
  if (cgroup !== '' || input.processes.length > 0) {
    out.push(`     CGroup: ${cgroup || defaultCgroup(id)}`);
    // systemd lists a cgroup's processes flat, sorted by PID, right-aligned to the widest PID.
    const procs = [...input.processes].sort((a, b) => a.pid - b.pid);
    const width = procs.length > 0 ? String(procs[procs.length - 1].pid).length : 0;
    procs.forEach((proc, i) => {
      const prefix = `             ${i === procs.length - 1 ? '└─' : '├─'}${String(proc.pid).padStart(width)} `;
      const room = ctx.columns === undefined ? undefined : Math.max(ctx.columns - prefix.length, 1);
      out.push(prefix + ellipsizeEnd(proc.command, room));
    });
  }

  if (input.log.length > 0) {
    out.push('');
    for (const l of input.log) out.push(formatLogLine(l, ctx.hostname, ctx.columns));
  }
  return out;
}

// journalctl's command line, parsed like getopt_long does it (clustered short options,
// `--opt=value` and `--opt value`, unambiguous long-option prefixes), with journalctl's own
// quirks: `-n` and `-b` take an optional argument that may also be the next word.

import { OUTPUT_MODES, type OutputMode } from './output.js';
import { parseTimestamp } from '../../units/values/timestamp-parse.js';
import { PRIORITY_NAMES } from '../../journal/entry.js';
import { isGlob } from '../../units/glob.js';
import type { BootSelector } from '../../journal/boots.js';

export interface JournalctlOptions {
  units: string[];
  identifiers: string[];
  /** FIELD=VALUE matches other than _SYSTEMD_UNIT= (see JournalFilter.fields). */
  fields: Record<string, string[]>;
  follow: boolean;
  /** undefined: all entries; a number: the last (or with --since, the first) N. */
  lines: number | undefined;
  linesGiven: boolean;
  pagerEnd: boolean;
  noPager: boolean;
  since?: number;
  until?: number;
  priority?: { min: number; max: number };
  grep?: RegExp;
  output: OutputMode;
  /** --output-fields=: the fields cat, verbose, export and the json modes show (absent: all). */
  outputFields?: string[];
  quiet: boolean;
  reverse: boolean;
  all: boolean;
  utc: boolean;
  noHostname: boolean;
  noTail: boolean;
  listBoots: boolean;
  /** -b/--boot: only one boot's entries (absent: every boot). */
  boot?: BootSelector;
  showCursor: boolean;
  /** --cursor= (inclusive) or --after-cursor= (exclusive): where to start. */
  cursor?: { text: string; inclusive: boolean };
  /** --cursor-file=: start after the cursor in it, and write the last shown entry's cursor back. */
  cursorFile?: string;
  kernel: boolean;
  directory?: string;
  help: boolean;
  version: boolean;
}

/** A refused command line. getopt's own complaints carry the program name, journalctl's do not. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly fromGetopt = false,
  ) {
    super(message);
  }
}

type ArgumentKind = 'none' | 'required' | 'optional';

interface OptionSpec {
  long: string;
  short?: string;
  argument: ArgumentKind;
  apply: (options: JournalctlOptions, value: string | undefined) => void;
}

const ignore = () => {};

const SPECS: OptionSpec[] = [
  { long: 'unit', short: 'u', argument: 'required', apply: (o, v) => o.units.push(mangleUnit(v as string)) },
  { long: 'identifier', short: 't', argument: 'required', apply: (o, v) => o.identifiers.push(v as string) },
  { long: 'follow', short: 'f', argument: 'none', apply: (o) => (o.follow = true) },
  { long: 'lines', short: 'n', argument: 'optional', apply: (o, v) => setLines(o, v) },
  // -e also implies -b (this boot, or the boot an earlier -b chose), as journalctl 252 does.
  { long: 'pager-end', short: 'e', argument: 'none', apply: (o) => ((o.pagerEnd = true), (o.boot ??= { offset: 0 })) },
  { long: 'no-pager', argument: 'none', apply: (o) => (o.noPager = true) },
  { long: 'since', short: 'S', argument: 'required', apply: (o, v) => (o.since = timestamp(v as string)) },
  { long: 'until', short: 'U', argument: 'required', apply: (o, v) => (o.until = timestamp(v as string)) },
  { long: 'priority', short: 'p', argument: 'required', apply: (o, v) => (o.priority = priorityRange(v as string)) },
  { long: 'grep', short: 'g', argument: 'required', apply: (o, v) => (o.grep = grepPattern(v as string)) },
  { long: 'output', short: 'o', argument: 'required', apply: (o, v) => (o.output = outputMode(v as string)) },
  // journalctl 252 splits on commas and adds to what an earlier --output-fields= gave.
  { long: 'output-fields', argument: 'required', apply: (o, v) => (o.outputFields = [...(o.outputFields ?? []), ...(v as string).split(',').filter(Boolean)]) },
  { long: 'quiet', short: 'q', argument: 'none', apply: (o) => (o.quiet = true) },
  { long: 'reverse', short: 'r', argument: 'none', apply: (o) => (o.reverse = true) },
  { long: 'all', short: 'a', argument: 'none', apply: (o) => (o.all = true) },
  { long: 'utc', argument: 'none', apply: (o) => (o.utc = true) },
  { long: 'no-hostname', argument: 'none', apply: (o) => (o.noHostname = true) },
  { long: 'no-tail', argument: 'none', apply: (o) => (o.noTail = true) },
  { long: 'list-boots', argument: 'none', apply: (o) => (o.listBoots = true) },
  { long: 'dmesg', short: 'k', argument: 'none', apply: (o) => (o.kernel = true) },
  { long: 'directory', short: 'D', argument: 'required', apply: (o, v) => (o.directory = v) },
  { long: 'help', short: 'h', argument: 'none', apply: (o) => (o.help = true) },
  { long: 'version', argument: 'none', apply: (o) => (o.version = true) },
  { long: 'boot', short: 'b', argument: 'optional', apply: (o, v) => (o.boot = bootSelector(v)) },
  { long: 'show-cursor', argument: 'none', apply: (o) => (o.showCursor = true) },
  { long: 'cursor', short: 'c', argument: 'required', apply: (o, v) => (o.cursor = { text: v as string, inclusive: true }) },
  { long: 'after-cursor', argument: 'required', apply: (o, v) => (o.cursor = { text: v as string, inclusive: false }) },
  { long: 'cursor-file', argument: 'required', apply: (o, v) => (o.cursorFile = v) },
  // Accepted for compatibility; they change nothing here (no catalog, lines never ellipsized).
  { long: 'catalog', short: 'x', argument: 'none', apply: ignore },
  { long: 'full', short: 'l', argument: 'none', apply: ignore },
  { long: 'no-full', argument: 'none', apply: ignore },
  { long: 'merge', short: 'm', argument: 'none', apply: ignore },
  { long: 'system', argument: 'none', apply: ignore },
  { long: 'case-sensitive', argument: 'optional', apply: ignore },
];

export function defaultOptions(): JournalctlOptions {
  return {
    units: [],
    identifiers: [],
    fields: {},
    follow: false,
    lines: undefined,
    linesGiven: false,
    pagerEnd: false,
    noPager: false,
    output: 'short',
    quiet: false,
    reverse: false,
    all: false,
    utc: false,
    noHostname: false,
    noTail: false,
    listBoots: false,
    showCursor: false,
    kernel: false,
    help: false,
    version: false,
  };
}

/** Throws UsageError with journalctl's message for anything it would refuse. */
export function parseOptions(argv: string[]): JournalctlOptions {
  const options = defaultOptions();
  let caseSensitive: boolean | undefined;
  let grepSource: string | undefined;
  const apply = (spec: OptionSpec, value: string | undefined) => {
    if (spec.long === 'case-sensitive') caseSensitive = value === undefined ? true : parseBoolean(value);
    if (spec.long === 'grep') grepSource = value;
    spec.apply(options, value);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      if (i + 1 < argv.length) throw new UsageError('Extraneous arguments starting with ' + argv[i + 1]);
      break;
    }
    if (arg.startsWith('--')) {
      const [name, inline] = splitLong(arg.slice(2));
      const spec = findLong(name, arg);
      if (spec.argument === 'none') {
        if (inline !== undefined) throw new UsageError(`option '--${spec.long}' doesn't allow an argument`, true);
        apply(spec, undefined);
      } else if (inline !== undefined) apply(spec, inline);
      else if (spec.argument === 'required') {
        if (i + 1 >= argv.length) throw new UsageError(`option '--${spec.long}' requires an argument`, true);
        apply(spec, argv[++i]);
      } else apply(spec, takeOptionalNext(spec, argv, i) ? argv[++i] : undefined);
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      for (let k = 1; k < arg.length; k++) {
        const spec = SPECS.find((candidate) => candidate.short === arg[k]);
        if (!spec) throw new UsageError(`invalid option -- '${arg[k]}'`, true);
        const rest = arg.slice(k + 1);
        if (spec.argument === 'none') {
          apply(spec, undefined);
          continue;
        }
        if (rest !== '') apply(spec, rest);
        else if (spec.argument === 'required') {
          if (i + 1 >= argv.length) throw new UsageError(`option requires an argument -- '${arg[k]}'`, true);
          apply(spec, argv[++i]);
        } else apply(spec, takeOptionalNext(spec, argv, i) ? argv[++i] : undefined);
        break;
      }
      continue;
    }
    // journalctl takes FIELD=VALUE matches and paths as positionals; only unit matches are kept.
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(arg);
    // sd_journal_add_match() refuses anything else with EINVAL, and journalctl says so.
    if (!match || /^[0-9]/.test(match[1])) throw new UsageError(`Failed to add match '${arg}': Invalid argument`);
    if (match[1] === '_SYSTEMD_UNIT') options.units.push(match[2]);
    else (options.fields[match[1]] ??= []).push(match[2]);
  }
  // journalctl's smart case: a pattern without capitals matches case-insensitively.
  if (grepSource !== undefined) {
    const insensitive = caseSensitive === undefined ? grepSource === grepSource.toLowerCase() : !caseSensitive;
    options.grep = grepPattern(grepSource, insensitive);
  }
  return options;
}

function splitLong(text: string): [string, string | undefined] {
  const equals = text.indexOf('=');
  return equals < 0 ? [text, undefined] : [text.slice(0, equals), text.slice(equals + 1)];
}

function findLong(name: string, arg: string): OptionSpec {
  const exact = SPECS.find((spec) => spec.long === name);
  if (exact) return exact;
  const prefixed = SPECS.filter((spec) => spec.long.startsWith(name));
  if (prefixed.length === 1 && name !== '') return prefixed[0];
  if (prefixed.length > 1 && name !== '') throw new UsageError(`option '${arg}' is ambiguous`, true);
  throw new UsageError(`unrecognized option '${arg}'`, true);
}

/** `-n 20` and `-b -1`: journalctl peeks at the next word when it looks like the value. */
function takeOptionalNext(spec: OptionSpec, argv: string[], i: number): boolean {
  const next = argv[i + 1];
  if (next === undefined) return false;
  if (spec.long === 'lines') return /^(\+?\d+|all)$/.test(next);
  if (spec.long === 'boot') return /^([-+]?\d+|[0-9a-f]{32})$/i.test(next);
  return false;
}

/** `-b`, `-b -1`, `-b 1`, `-b ID`, `-b ID-1` (journalctl's parse_boot_descriptor). */
function bootSelector(value: string | undefined): BootSelector {
  if (value === undefined || value === '') return { offset: 0 };
  if (/^[-+]?\d+$/.test(value)) return { offset: Number(value) };
  const match = /^([0-9a-f]{32})([-+]\d+)?$/i.exec(value.replace(/^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})/i, '$1$2$3$4$5'));
  if (match) return { id: match[1].toLowerCase(), offset: Number(match[2] ?? 0) };
  throw new UsageError(`Failed to parse boot descriptor '${value}'`);
}

function setLines(options: JournalctlOptions, value: string | undefined): void {
  options.linesGiven = true;
  if (value === undefined) options.lines = 10;
  else if (value === 'all') options.lines = undefined;
  else if (/^\+?\d+$/.test(value)) options.lines = Number(value);
  else throw new UsageError(`Failed to parse lines '${value}'`);
}

function timestamp(value: string): number {
  // systemd's parse_timestamp(), shared with systemd-analyze timestamp.
  const parsed = parseTimestamp(value);
  if (!parsed.ok) throw new UsageError(`Failed to parse timestamp: ${value}`);
  return parsed.value;
}

function priorityLevel(text: string): number | undefined {
  if (/^[0-7]$/.test(text)) return Number(text);
  const index = (PRIORITY_NAMES as readonly string[]).indexOf(text.toLowerCase());
  return index >= 0 ? index : undefined;
}

/** `-p err` shows 0..3; `-p warning..err` (either order) a range. */
function priorityRange(value: string): { min: number; max: number } {
  const parts = value.split('..');
  const levels = parts.map((part) => (part === '' ? undefined : priorityLevel(part)));
  if (parts.length === 1 && levels[0] !== undefined) return { min: 0, max: levels[0] };
  if (parts.length === 2 && levels[0] !== undefined && levels[1] !== undefined) {
    return { min: Math.min(levels[0], levels[1]), max: Math.max(levels[0], levels[1]) };
  }
  throw new UsageError(`Unknown log level ${value}`);
}

function grepPattern(source: string, insensitive = false): RegExp {
  try {
    return new RegExp(source, insensitive ? 'i' : '');
  } catch (error) {
    throw new UsageError(`Bad pattern "${source}": ${(error as Error).message}`);
  }
}

function outputMode(value: string): OutputMode {
  if ((OUTPUT_MODES as readonly string[]).includes(value)) return value as OutputMode;
  throw new UsageError(`Unknown output format '${value}'.`);
}

function parseBoolean(value: string): boolean {
  if (/^(1|yes|y|true|t|on)$/i.test(value)) return true;
  if (/^(0|no|n|false|f|off)$/i.test(value)) return false;
  throw new UsageError(`Bad --case-sensitive= argument "${value}"`);
}

const UNIT_SUFFIXES = /\.(service|socket|target|timer|mount|automount|path|slice|scope|swap|device)$/;

/** journalctl -u nginx means nginx.service (unit_name_mangle); globs are left alone. */
export function mangleUnit(name: string): string {
  if (isGlob(name) || UNIT_SUFFIXES.test(name)) return name;
  return `${name}.service`;
}

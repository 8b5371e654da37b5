// systemctl's command line, parsed the way getopt_long(3) does for systemd:
// options may follow the verb, short options bundle (`-qa`), values attach
// (`-tservice`, `--type=service`) or follow, and `--` ends option parsing.
// Errors use getopt's wording because scripts and people recognise it.

import type { PresetMode } from '../units/presets.js';

// Kept here rather than imported from units/presets.js: that module pulls in the
// whole install machinery, and every systemctl run parses options (startup time).
const PRESET_MODES: readonly PresetMode[] = ['full', 'enable-only', 'disable-only'];

export interface SystemctlOptions {
  types: string[];
  states: string[];
  properties: string[];
  all: number;
  full: boolean;
  quiet: boolean;
  legend: boolean;
  plain: boolean;
  root?: string;
  runtime: boolean;
  now: boolean;
  force: number;
  presetMode: PresetMode;
  noReload: boolean;
  noBlock: boolean;
  wait: boolean;
  jobMode?: string;
  signal?: string;
  killWhom?: string;
  lines?: number;
  output?: string;
  value: boolean;
  reverse: boolean;
  after: boolean;
  before: boolean;
  failed: boolean;
  global: boolean;
  user: boolean;
  system: boolean;
  noPager: boolean;
  noAskPassword: boolean;
  /** --what= for clean, repeated or comma-separated. */
  what: string[];
  host?: string;
  machine?: string;
  help: boolean;
  version: boolean;
}

export function defaultOptions(): SystemctlOptions {
  return {
    types: [],
    states: [],
    properties: [],
    all: 0,
    full: false,
    quiet: false,
    legend: true,
    plain: false,
    runtime: false,
    now: false,
    force: 0,
    presetMode: 'full',
    noReload: false,
    noBlock: false,
    wait: false,
    value: false,
    reverse: false,
    after: false,
    before: false,
    failed: false,
    global: false,
    user: false,
    system: false,
    noPager: false,
    noAskPassword: false,
    what: [],
    help: false,
    version: false,
  };
}

type Setter = (o: SystemctlOptions, value: string) => string | undefined;

interface OptionSpec {
  long: string;
  short?: string;
  takesValue: boolean;
  set: Setter;
}

function commaList(v: string): string[] {
  return v.split(',').filter((x) => x !== '');
}

function flag(apply: (o: SystemctlOptions) => void): Setter {
  return (o) => {
    apply(o);
    return undefined;
  };
}

const OPTIONS: OptionSpec[] = [
  { long: 'help', short: 'h', takesValue: false, set: flag((o) => (o.help = true)) },
  { long: 'version', takesValue: false, set: flag((o) => (o.version = true)) },
  { long: 'type', short: 't', takesValue: true, set: (o, v) => void o.types.push(...commaList(v)) },
  { long: 'state', takesValue: true, set: (o, v) => void o.states.push(...commaList(v)) },
  { long: 'property', short: 'p', takesValue: true, set: (o, v) => void o.properties.push(...commaList(v)) },
  { long: 'all', short: 'a', takesValue: false, set: flag((o) => o.all++) },
  { long: 'full', short: 'l', takesValue: false, set: flag((o) => (o.full = true)) },
  { long: 'quiet', short: 'q', takesValue: false, set: flag((o) => (o.quiet = true)) },
  { long: 'no-pager', takesValue: false, set: flag((o) => (o.noPager = true)) },
  { long: 'no-legend', takesValue: false, set: flag((o) => (o.legend = false)) },
  { long: 'legend', takesValue: true, set: (o, v) => void (o.legend = !['no', 'false', '0', 'off'].includes(v)) },
  { long: 'plain', takesValue: false, set: flag((o) => (o.plain = true)) },
  { long: 'root', takesValue: true, set: (o, v) => void (o.root = v) },
  { long: 'runtime', takesValue: false, set: flag((o) => (o.runtime = true)) },
  { long: 'now', takesValue: false, set: flag((o) => (o.now = true)) },
  { long: 'force', short: 'f', takesValue: false, set: flag((o) => o.force++) },
  {
    long: 'preset-mode',
    takesValue: true,
    set: (o, v) => {
      if (!(PRESET_MODES as readonly string[]).includes(v)) return `Failed to parse preset mode: ${v}.`;
      o.presetMode = v as PresetMode;
      return undefined;
    },
  },
  { long: 'no-reload', takesValue: false, set: flag((o) => (o.noReload = true)) },
  { long: 'no-block', takesValue: false, set: flag((o) => (o.noBlock = true)) },
  { long: 'wait', takesValue: false, set: flag((o) => (o.wait = true)) },
  { long: 'job-mode', takesValue: true, set: (o, v) => void (o.jobMode = v) },
  { long: 'signal', short: 's', takesValue: true, set: (o, v) => void (o.signal = v) },
  { long: 'kill-whom', takesValue: true, set: (o, v) => void (o.killWhom = v) },
  {
    long: 'lines',
    short: 'n',
    takesValue: true,
    set: (o, v) => {
      if (!/^\d+$/.test(v)) return `Failed to parse lines '${v}'`;
      o.lines = Number(v);
      return undefined;
    },
  },
  { long: 'output', short: 'o', takesValue: true, set: (o, v) => void (o.output = v) },
  { long: 'value', takesValue: false, set: flag((o) => (o.value = true)) },
  {
    long: 'P',
    short: 'P',
    takesValue: true,
    set: (o, v) => {
      o.value = true;
      o.properties.push(...commaList(v));
      return undefined;
    },
  },
  { long: 'reverse', takesValue: false, set: flag((o) => (o.reverse = true)) },
  { long: 'after', takesValue: false, set: flag((o) => (o.after = true)) },
  { long: 'before', takesValue: false, set: flag((o) => (o.before = true)) },
  { long: 'failed', takesValue: false, set: flag((o) => (o.failed = true)) },
  { long: 'global', takesValue: false, set: flag((o) => (o.global = true)) },
  { long: 'user', takesValue: false, set: flag((o) => (o.user = true)) },
  { long: 'system', takesValue: false, set: flag((o) => (o.system = true)) },
  { long: 'no-ask-password', takesValue: false, set: flag((o) => (o.noAskPassword = true)) },
  {
    long: 'what',
    takesValue: true,
    set: (o, v) => {
      if (v === '') return '--what= requires arguments.';
      o.what.push(...commaList(v));
      return undefined;
    },
  },
  { long: 'host', short: 'H', takesValue: true, set: (o, v) => void (o.host = v) },
  { long: 'machine', short: 'M', takesValue: true, set: (o, v) => void (o.machine = v) },
];

export interface ParsedCommandLine {
  options: SystemctlOptions;
  /** Verb first, then its arguments. */
  args: string[];
}

export class UsageError extends Error {}

function findLong(name: string): OptionSpec | undefined {
  // `-P` has no long form; keep it out of long matching.
  return OPTIONS.find((o) => o.long === name && o.long !== 'P');
}

/** Parse argv (without node and script). Throws UsageError with the message to print. */
export function parseSystemctlArgs(argv: readonly string[], program = 'systemctl'): ParsedCommandLine {
  const options = defaultOptions();
  const args: string[] = [];
  const apply = (spec: OptionSpec, value: string): void => {
    const err = spec.set(options, value);
    if (err !== undefined) throw new UsageError(err);
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      args.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      const spec = findLong(name);
      if (!spec) throw new UsageError(`${program}: unrecognized option '${eq >= 0 ? a.slice(0, eq) : a}'`);
      if (spec.takesValue) {
        let value: string | undefined = eq >= 0 ? a.slice(eq + 1) : undefined;
        if (value === undefined) {
          if (i + 1 >= argv.length) throw new UsageError(`${program}: option '--${name}' requires an argument`);
          value = argv[++i];
        }
        apply(spec, value);
      } else {
        if (eq >= 0) throw new UsageError(`${program}: option '--${name}' doesn't allow an argument`);
        apply(spec, '');
      }
      continue;
    }
    if (a.startsWith('-') && a !== '-') {
      for (let j = 1; j < a.length; j++) {
        const c = a[j];
        const spec = OPTIONS.find((o) => o.short === c);
        if (!spec) throw new UsageError(`${program}: invalid option -- '${c}'`);
        if (spec.takesValue) {
          let value = a.slice(j + 1);
          if (value === '') {
            if (i + 1 >= argv.length) throw new UsageError(`${program}: option requires an argument -- '${c}'`);
            value = argv[++i];
          }
          apply(spec, value);
          break;
        }
        apply(spec, '');
      }
      continue;
    }
    args.push(a);
  }
  return { options, args };
}

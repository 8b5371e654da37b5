// systemd-analyze for unitd: the verbs that work without a running manager
// (`calendar`, `timespan`, `timestamp`, `verify`), with systemd 252's options,
// messages and exit codes. Verbs that would ask the manager over D-Bus fail the
// way systemd-analyze does where no systemd is PID 1.

import { pathToFileURL } from 'node:url';
import { CliIO, processIO } from './io.js';
import { nowUsec } from './format/time.js';
import { verbCalendar, verbTimespan, verbTimestamp, TimeVerbOptions } from './analyze/time-verbs.js';
import { parseTimestamp } from '../units/values/timestamp-parse.js';

const PROGRAM = 'systemd-analyze';
const EXIT_FAILURE = 1;

/** Long options of systemd-analyze 252 and whether each takes an argument. */
const LONG_OPTIONS: Readonly<Record<string, 'none' | 'required' | 'optional'>> = {
  help: 'none',
  version: 'none',
  quiet: 'none',
  order: 'none',
  require: 'none',
  root: 'required',
  image: 'required',
  'recursive-errors': 'required',
  offline: 'required',
  threshold: 'required',
  'security-policy': 'required',
  system: 'none',
  user: 'none',
  global: 'none',
  'from-pattern': 'required',
  'to-pattern': 'required',
  fuzz: 'required',
  'no-pager': 'none',
  man: 'optional',
  generators: 'optional',
  host: 'required',
  machine: 'required',
  iterations: 'required',
  'base-time': 'required',
  unit: 'required',
  json: 'required',
  profile: 'required',
  table: 'none',
  'no-legend': 'none',
};
const SHORT_WITH_ARGUMENT = new Set(['H', 'M', 'U']);
const SHORT_FLAGS = new Set(['h', 'q']);

/** Verbs that need the service manager (over D-Bus): systemd-analyze cannot run them here. */
const MANAGER_VERBS = new Set([
  'time',
  'blame',
  'critical-chain',
  'plot',
  'dot',
  'log-level',
  'log-target',
  'service-watchdogs',
  'dump',
  'get-log-level',
  'set-log-level',
  'get-log-target',
  'set-log-target',
  'unit-paths',
  'exit-status',
  'capability',
  'condition',
  'syscall-filter',
  'filesystems',
  'security',
  'inspect-elf',
  'cat-config',
  'unit-files',
  'malloc',
]);

class UsageError extends Error {}

interface ParsedArgs {
  options: Map<string, string | true>;
  positional: string[];
}

/** GNU getopt_long with argument permutation, as systemd-analyze parses its command line. */
function parseArgs(argv: readonly string[], invokedAs: string): ParsedArgs {
  const options = new Map<string, string | true>();
  const positional: string[] = [];
  for (let k = 0; k < argv.length; k++) {
    const arg = argv[k];
    if (arg === '--') {
      positional.push(...argv.slice(k + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const given = arg.slice(2, eq < 0 ? undefined : eq);
      const exact = Object.hasOwn(LONG_OPTIONS, given) ? [given] : [];
      const matches = exact.length ? exact : Object.keys(LONG_OPTIONS).filter((n) => n.startsWith(given));
      if (matches.length === 0) throw new UsageError(`${invokedAs}: unrecognized option '--${given}'`);
      if (matches.length > 1) throw new UsageError(`${invokedAs}: option '--${given}' is ambiguous`);
      const name = matches[0];
      const kind = LONG_OPTIONS[name];
      if (eq >= 0) {
        if (kind === 'none') throw new UsageError(`${invokedAs}: option '--${name}' doesn't allow an argument`);
        options.set(name, arg.slice(eq + 1));
      } else if (kind === 'required') {
        if (k + 1 >= argv.length) throw new UsageError(`${invokedAs}: option '--${name}' requires an argument`);
        options.set(name, argv[++k]);
      } else options.set(name, true);
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      for (let c = 1; c < arg.length; c++) {
        const ch = arg[c];
        if (SHORT_WITH_ARGUMENT.has(ch)) {
          const value = c + 1 < arg.length ? arg.slice(c + 1) : argv[++k];
          if (value === undefined) throw new UsageError(`${invokedAs}: option requires an argument -- '${ch}'`);
          options.set(ch, value);
          break;
        }
        if (!SHORT_FLAGS.has(ch)) throw new UsageError(`${invokedAs}: invalid option -- '${ch}'`);
        options.set(ch, true);
      }
      continue;
    }
    positional.push(arg);
  }
  return { options, positional };
}

const HELP = `${PROGRAM} [OPTIONS...] COMMAND ...

Profile systemd, show unit dependencies, check unit files.

Commands:
  calendar SPEC...           Validate repetitive calendar time events
  timestamp TIMESTAMP...     Validate a timestamp
  timespan SPAN...           Validate a time span
  verify FILE...             Check unit files for correctness

Options:
  -h --help                  Show this help
     --version               Show package version
     --iterations=N          Show the specified number of iterations
     --base-time=TIMESTAMP   Calculate calendar times relative to specified time
`;

/** safe_atou(): a decimal unsigned int, optional leading blanks and '+'. */
function parseIterations(text: string): number | undefined {
  const m = /^[ \t\n\r]*\+?(\d+)$/.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  return n <= 0xffff_ffff ? n : undefined;
}

/** `invokedAs` is argv[0]: getopt's messages start with the path the program was run as. */
export async function main(argv: readonly string[], io: CliIO = processIO, invokedAs: string = PROGRAM): Promise<number> {
  let parsed: ParsedArgs;
  try {
    parsed = parseArgs(argv, invokedAs);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(e.message);
    return EXIT_FAILURE;
  }
  const { options, positional } = parsed;
  if (options.has('help') || options.has('h')) {
    io.out(HELP.trimEnd());
    return 0;
  }
  if (options.has('version')) {
    io.out('systemd 252 (unitd)');
    return 0;
  }
  const now = nowUsec();
  const timeOptions: TimeVerbOptions = { iterations: 1, nowUsec: now };
  const iterations = options.get('iterations');
  if (typeof iterations === 'string') {
    const n = parseIterations(iterations);
    if (n === undefined) {
      io.err(`Failed to parse iterations: ${iterations}`);
      return EXIT_FAILURE;
    }
    timeOptions.iterations = n;
  }
  const baseTime = options.get('base-time');
  if (typeof baseTime === 'string') {
    const r = parseTimestamp(baseTime, now);
    if (!r.ok) {
      io.err(`Failed to parse --base-time= parameter: ${baseTime}`);
      return EXIT_FAILURE;
    }
    timeOptions.baseTime = r.value;
  }

  const [verb = 'time', ...args] = positional;
  const needArgs = (): boolean => {
    if (args.length > 0) return true;
    io.err('Too few arguments.');
    return false;
  };
  switch (verb) {
    case 'calendar':
      return needArgs() ? verbCalendar(io, args, timeOptions) : EXIT_FAILURE;
    case 'timespan':
      return needArgs() ? verbTimespan(io, args, timeOptions) : EXIT_FAILURE;
    case 'timestamp':
      return needArgs() ? verbTimestamp(io, args, timeOptions) : EXIT_FAILURE;
    case 'verify': {
      if (!needArgs()) return EXIT_FAILURE;
      const verify = await import('./verbs/verify.js');
      const root = options.get('root');
      return verify.verifyUnits(args, io, {
        root: typeof root === 'string' ? root : undefined,
        warningsFail: options.has('recursive-errors'),
      });
    }
    default:
      if (MANAGER_VERBS.has(verb)) {
        io.err("System has not been booted with systemd as init system (PID 1). Can't operate.");
        io.err('Failed to connect to bus: Host is down');
        return EXIT_FAILURE;
      }
      io.err(`Unknown command verb ${verb}.`);
      return EXIT_FAILURE;
  }
}

export async function runCli(argv: readonly string[]): Promise<void> {
  let rc: number;
  try {
    rc = await main(argv, processIO, process.argv[1] ?? PROGRAM);
  } catch (e) {
    process.stderr.write(`${PROGRAM}: ${(e as Error).message}\n`);
    rc = EXIT_FAILURE;
  }
  process.exitCode = rc;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void runCli(process.argv.slice(2));
}

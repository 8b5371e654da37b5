// systemctl for unitd: parse the command line, pick the verb, run it, exit
// with its status. File verbs act on unit files directly (also with --root);
// runtime verbs talk to the manager.

import { pathToFileURL } from 'node:url';
import * as fs from 'node:fs';
import { CliIO, processIO, writeStd } from './io.js';
import { SystemctlOptions, UsageError, parseSystemctlArgs } from './systemctl-options.js';
import { DEFAULT_VERB, VERBS } from './verbs/registry.js';
import { EXIT_FAILURE } from './verbs/verb.js';
import { openPager, pagedIO, type Pager } from './pager.js';

const VERSION = 'unitd 0.1.0 (systemd 252 compatible)';

const HELP = `systemctl [OPTIONS...] COMMAND ...

Query or send control commands to unitd, the container's service manager.

Unit File Commands:
  list-unit-files [PATTERN...]        List installed unit files
  enable [UNIT...|PATH...]            Enable one or more unit files
  disable UNIT...                     Disable one or more unit files
  reenable UNIT...                    Reenable one or more unit files
  preset UNIT...                      Enable/disable one or more unit files
                                      based on preset configuration
  preset-all                          Enable/disable all unit files based
                                      on preset configuration
  is-enabled UNIT...                  Check whether unit files are enabled
  mask UNIT...                        Mask one or more units
  unmask UNIT...                      Unmask one or more units
  link PATH...                        Link one or more units files into
                                      the search path
  revert UNIT...                      Revert one or more unit files to vendor
                                      version
  add-wants TARGET UNIT...            Add 'Wants' dependency for the target
                                      on specified one or more units
  add-requires TARGET UNIT...         Add 'Requires' dependency for the target
                                      on specified one or more units
  get-default                         Get the name of the default target
  set-default TARGET                  Set the default target
  cat PATTERN...                      Show files and drop-ins of specified units
  edit UNIT...                        Edit one or more unit files
  freeze PATTERN...                   Freeze execution of unit processes
  thaw PATTERN...                     Resume execution of a frozen unit
  clean UNIT...                       Clean runtime, cache, state, logs or
                                      configuration of unit
  list-dependencies [UNIT...]         Recursively show units which are required
                                      or wanted by the units or by which those
                                      units are required or wanted
  verify FILE|UNIT...                 Check unit files for errors

Options:
  -h --help              Show this help
     --version           Show package version
     --root=PATH         Edit unit files in the specified root directory
     --runtime           Edit unit files only until next reboot
     --now               Start or stop unit after enabling or disabling it
     --what=RESOURCES    Which types of resources to remove
     --no-reload         Don't reload daemon after en-/dis-abling unit files
  -f --force             When enabling unit files, override existing symlinks
     --preset-mode=      Apply only enable, only disable, or all presets
  -q --quiet             Suppress output
  -t --type=TYPE         List units of a particular type
     --state=STATE       List units with particular LOAD or SUB or ACTIVE state
     --no-legend         Do not print a legend (column headers and hints)
     --plain             Print unit dependencies as a list instead of a tree
  -a --all               Show all units
`;

/** getopt names the program as it was invoked (argv[0] of the C tool). */
function programName(): string {
  return process.argv[1] ?? 'systemctl';
}

function refusedOption(o: SystemctlOptions): string | undefined {
  if (o.host !== undefined) return 'unitd manages only its own container; -H/--host is not supported.';
  if (o.machine !== undefined) return 'unitd manages only its own container; -M/--machine is not supported.';
  if (o.user) return 'unitd runs the system manager only; --user is not supported.';
  if (o.global) return 'unitd runs the system manager only; --global is not supported.';
  return undefined;
}

export async function main(argv: readonly string[], io: CliIO = processIO): Promise<number> {
  let parsed;
  try {
    parsed = parseSystemctlArgs(argv, programName());
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(e.message);
      return EXIT_FAILURE;
    }
    throw e;
  }
  const { options, args } = parsed;
  if (options.help) {
    const pager = pagerFor(io, options);
    (pager ? pagedIO(pager) : io).out(HELP.trimEnd());
    await pager?.close();
    return 0;
  }
  if (options.version) {
    io.out(VERSION);
    return 0;
  }
  const refused = refusedOption(options);
  if (refused !== undefined) {
    io.err(refused);
    return EXIT_FAILURE;
  }
  const verb = args[0] ?? DEFAULT_VERB;
  const entry = VERBS[verb];
  if (entry === undefined) {
    io.err(`Unknown command verb ${verb}.`);
    return EXIT_FAILURE;
  }
  const count = Math.max(args.length, 1);
  if (count < entry.min) {
    io.err('Too few arguments.');
    return EXIT_FAILURE;
  }
  if (count > entry.max) {
    io.err('Too many arguments.');
    return EXIT_FAILURE;
  }
  if (options.root !== undefined && !entry.offline) {
    io.err(`Verb '${verb}' cannot be used with --root= or --image=.`);
    return EXIT_FAILURE;
  }
  const mod = await entry.load();
  const pager = entry.pages === true ? pagerFor(io, options) : undefined;
  try {
    return await mod.run({ verb, args: args.slice(1), options, io: pager ? pagedIO(pager) : io });
  } finally {
    await pager?.close();
  }
}

/** Only the process's own terminal output is paged; a caller's io (tests, scripts) never is. */
function pagerFor(io: CliIO, options: SystemctlOptions): Pager | undefined {
  return io === processIO ? openPager(options.noPager) : undefined;
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(fs.realpathSync(script)).href;
  } catch {
    return false;
  }
}

/** Run and exit; any unexpected exception becomes one line, never a stack trace. */
export async function runCli(argv: readonly string[]): Promise<void> {
  let rc: number;
  try {
    rc = await main(argv);
  } catch (e) {
    writeStd(2, `systemctl: ${(e as Error).message}\n`);
    rc = EXIT_FAILURE;
  }
  process.exitCode = rc;
}

if (isEntryPoint()) void runCli(process.argv.slice(2));

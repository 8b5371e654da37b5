// verify FILE|UNIT...: load each unit and print its diagnostics as
// systemd-analyze verify does, then check that its commands are executable.

import { accessSync, constants, statSync } from 'node:fs';
import * as path from 'node:path';
import { formatDiagnostic } from '../../units/diagnostics.js';
import { UnitStore, type LoadedUnit } from '../../units/loader.js';
import { strerror } from '../../units/values/errno.js';
import { mangleUnitName } from '../../units/unit-name.js';
import { EXEC_SEARCH_PATH, type ExecCommand } from '../../units/values/command-line.js';
import type { CliIO } from '../io.js';
import { EXIT_FAILURE, VerbContext } from './verb.js';

export interface VerifyOptions {
  root?: string;
  /**
   * Whether parse warnings fail the run. systemd-analyze 252 returns 0 for them unless
   * --recursive-errors= is given (with any mode); `unitd verify` always counts them.
   */
  warningsFail: boolean;
}

/** `unitd verify`: warnings count. */
export function run(ctx: VerbContext): number {
  return verifyUnits(ctx.args, ctx.io, { root: ctx.options.root, warningsFail: true });
}

export function verifyUnits(args: readonly string[], io: CliIO, options: VerifyOptions): number {
  let rc = 0;
  // One store per search path: 300 files of one directory share one name map and cache
  // (a store per argument rescanned the directory 300 times).
  const stores = new Map<string, UnitStore>();
  for (const arg of args) {
    // A path is verified in place: its directory goes first on the search path.
    const isPath = arg.includes('/');
    const env = isPath ? `${path.dirname(path.resolve(arg))}:` : process.env.SYSTEMD_UNIT_PATH;
    const key = env ?? '';
    let store = stores.get(key);
    if (store === undefined) stores.set(key, (store = new UnitStore({ root: options.root, unitPathEnv: env })));
    const m = mangleUnitName(isPath ? path.basename(arg) : arg, { allowGlobs: false });
    if (m === undefined || m.invalid) {
      io.err(`Failed to prepare filename ${arg}: Invalid argument`);
      rc = EXIT_FAILURE;
      continue;
    }
    const unit = store.load(m.name);
    for (const d of unit.diagnostics) io.err(formatDiagnostic(d));
    if (options.warningsFail && unit.diagnostics.length > 0) rc = EXIT_FAILURE;
    if (unit.loadState !== 'loaded') {
      if (unit.loadError) io.err(unit.loadError.message);
      rc = EXIT_FAILURE;
      continue;
    }
    for (const problem of [...socketProblems(unit, store), ...commandProblems(unit, options.root)]) {
      io.err(problem);
      rc = EXIT_FAILURE;
    }
  }
  return rc;
}

/** verify_socket() of systemd 252: an Accept=no socket's service must load. */
function socketProblems(unit: LoadedUnit, store: UnitStore): string[] {
  const socket = unit.config?.socket;
  if (socket === undefined || socket.accept) return [];
  const name = socket.service ?? unit.id.replace(/\.socket$/, '.service');
  const service = store.load(name);
  return service.loadState === 'loaded' ? [] : [`${unit.id}: service ${service.id} not loaded, socket cannot be started.`];
}

/**
 * verify_executables() of systemd 252: every command of a service or socket, except those
 * whose failure is ignored (`-`), must name an executable regular file.
 */
function commandProblems(unit: LoadedUnit, root: string | undefined): string[] {
  const section = unit.config?.service ?? unit.config?.socket?.exec;
  if (section === undefined) return [];
  const lists: ExecCommand[][] = [
    section.execCondition,
    section.execStartPre,
    section.execStart,
    section.execStartPost,
    section.execReload,
    section.execStop,
    section.execStopPost,
  ];
  const problems: string[] = [];
  for (const command of lists.flat()) {
    if (command.flags.includes('ignore-failure')) continue;
    const errno = executableErrno(command.path, root);
    if (errno !== undefined) problems.push(`${unit.id}: Command ${command.path} is not executable: ${strerror(errno)}`);
  }
  return problems;
}

/** Why `file` (absolute, or a bare name looked up as systemd does) cannot be executed; undefined if it can. */
function executableErrno(file: string, root: string | undefined): string | undefined {
  const candidates = path.isAbsolute(file) ? [file] : EXEC_SEARCH_PATH.map((dir) => path.join(dir, file));
  let first: string | undefined;
  for (const candidate of candidates) {
    const onDisk = root === undefined ? candidate : path.join(root, candidate);
    try {
      if (statSync(onDisk).isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
      accessSync(onDisk, constants.X_OK);
      return undefined;
    } catch (e) {
      first ??= (e as NodeJS.ErrnoException).code ?? 'EINVAL';
    }
  }
  return first;
}

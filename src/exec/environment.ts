// The environment systemd gives a spawned process (semantics §5.2, systemd.exec(5)
// "Environment variables in spawned processes"), and $VAR expansion in command lines.

import { readFileSync } from 'node:fs';
import { expandCommandVariables } from '../units/values/command-line.js';
import { parseEnvironmentFile } from '../units/values/environment-file.js';
import type { ExecSettings } from './settings.js';
import { lookupUser, isNologinShell } from './users.js';

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** What the manager knows about one spawn that ends up in the environment. */
export interface EnvironmentContext {
  unit: string;
  invocationId: string;
  settings: ExecSettings;
  /** Manager environment block: DefaultEnvironment= and `systemctl set-environment`. */
  managerEnvironment: string[];
  /** The daemon's own process environment, source of PassEnvironment=. */
  processEnvironment: Record<string, string | undefined>;
  notifySocket?: string;
  mainPid?: number;
  pidFile?: string;
  watchdogUSec?: number;
  /** ExecStop/ExecStopPost only. */
  serviceResult?: string;
  exitCode?: string;
  exitStatus?: string;
  /** Directory env vars already computed by the directory setup. */
  directories?: Record<string, string>;
  /** Ignore User= for this command (`+`, `!`). */
  ignoreUser: boolean;
  /** The command is one of ExecStart= (RootDirectoryStartOnly= limits the root to those). */
  startCommand?: boolean;
}

/** Default manager environment: PATH plus LANG when the daemon has one (observed show-environment). */
export function defaultManagerEnvironment(processEnv: Record<string, string | undefined>): string[] {
  const env = [`PATH=${DEFAULT_PATH}`];
  if (processEnv.LANG) env.push(`LANG=${processEnv.LANG}`);
  return env;
}

class EnvBlock {
  private readonly vars = new Map<string, string>();
  set(name: string, value: string): void {
    this.vars.delete(name); // keep "later wins" order
    this.vars.set(name, value);
  }
  assign(assignment: string): void {
    const eq = assignment.indexOf('=');
    if (eq > 0) this.set(assignment.slice(0, eq), assignment.slice(eq + 1));
  }
  unset(entry: string): void {
    const eq = entry.indexOf('=');
    if (eq < 0) this.vars.delete(entry);
    else if (this.vars.get(entry.slice(0, eq)) === entry.slice(eq + 1)) this.vars.delete(entry.slice(0, eq));
  }
  toList(): string[] {
    return [...this.vars].map(([k, v]) => `${k}=${v}`);
  }
}

export class EnvironmentFileError extends Error {
  constructor(
    readonly path: string,
    cause: unknown,
  ) {
    super(`Failed to load environment files: ${path}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'EnvironmentFileError';
  }
}

/** Build the exact environment of one process; EnvironmentFile= is read now, just before the spawn. */
export function buildEnvironment(ctx: EnvironmentContext): string[] {
  const env = new EnvBlock();
  for (const a of ctx.managerEnvironment) env.assign(a);
  env.set('INVOCATION_ID', ctx.invocationId);
  if (ctx.notifySocket) env.set('NOTIFY_SOCKET', ctx.notifySocket);
  if (ctx.mainPid !== undefined && ctx.mainPid > 0) env.set('MAINPID', String(ctx.mainPid));
  if (ctx.pidFile) env.set('PIDFILE', ctx.pidFile);
  if (ctx.watchdogUSec && Number.isFinite(ctx.watchdogUSec) && ctx.watchdogUSec > 0) {
    env.set('WATCHDOG_USEC', String(ctx.watchdogUSec));
  }
  if (ctx.serviceResult !== undefined) env.set('SERVICE_RESULT', ctx.serviceResult);
  if (ctx.exitCode) env.set('EXIT_CODE', ctx.exitCode);
  if (ctx.exitStatus) env.set('EXIT_STATUS', ctx.exitStatus);
  for (const [k, v] of Object.entries(ctx.directories ?? {})) env.set(k, v);
  const user = ctx.settings.user && !ctx.ignoreUser ? lookupUser(ctx.settings.user) : undefined;
  if (user) {
    env.set('USER', user.name);
    env.set('LOGNAME', user.name);
    env.set('HOME', user.home);
    if (!isNologinShell(user.shell)) env.set('SHELL', user.shell);
  }
  for (const name of ctx.settings.passEnvironment) {
    const value = ctx.processEnvironment[name];
    if (value !== undefined) env.set(name, value);
  }
  for (const a of ctx.settings.environment) env.assign(a);
  for (const file of ctx.settings.environmentFiles) {
    let text: string;
    try {
      text = readFileSync(file.path, 'utf8');
    } catch (err) {
      if (file.optional) continue;
      throw new EnvironmentFileError(file.path, err);
    }
    for (const [name, value] of parseEnvironmentFile(text, file.path).assignments) env.set(name, value);
  }
  for (const u of ctx.settings.unsetEnvironment) env.unset(u);
  // Our process-tracking marker (DESIGN "Process tracking without cgroups"); set last so units cannot drop it.
  env.set('UNITD_UNIT', ctx.unit);
  return env.toList();
}

/** $VAR / ${VAR} expansion of a command line against the environment the process gets. */
export function expandWords(words: string[], env: string[]): string[] {
  const vars: Record<string, string> = {};
  for (const a of env) {
    const eq = a.indexOf('=');
    if (eq > 0) vars[a.slice(0, eq)] = a.slice(eq + 1);
  }
  return expandCommandVariables(words, vars);
}

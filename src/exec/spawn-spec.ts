// One command of a unit + its exec settings → the SpawnSpec native spawn takes.

import { accessSync, constants as fsConstants, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildEnvironment, expandWords, DEFAULT_PATH, type EnvironmentContext } from './environment.js';
import type { SpawnSpec, StdioSpec } from './native.js';
import type { ExecCommand, ExecSettings, StdioSetting } from './settings.js';
import { terminalFor, terminalInput } from './terminal.js';
import { lookupUser } from './users.js';

/** A setup step failed in the manager before anything was forked; carries systemd's exit code. */
export class ExecSetupError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'ExecSetupError';
  }
}

export interface PreparedSpawn {
  spec: SpawnSpec;
  /** The command line as logged (`/bin/sh -c ...`). */
  commandLine: string;
  /** stdout/stderr pipes carry journal output. */
  capture: boolean;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, fsConstants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Bare names are looked up in the fixed system PATH (systemd.service(5) "Command lines"),
 * inside RootDirectory= when there is one; the result is the path as seen there.
 */
export function resolveExecutable(name: string, root = ''): string | undefined {
  if (name.startsWith('/')) return name;
  for (const dir of DEFAULT_PATH.split(':')) {
    const candidate = join(dir, name);
    if (isExecutable(join(root || '/', candidate))) return candidate;
  }
  return undefined;
}

/** stdin on the terminal: StandardOutput=inherit then shares it, as a bidirectional stream (setup_output()). */
function stdioFor(setting: StdioSetting, stream: 'stdin' | 'stdout', ttyInput = false): StdioSpec {
  switch (setting.kind) {
    case 'tty':
    case 'tty-force':
    case 'tty-fail':
      return { kind: 'tty' };
    case 'null':
    case 'socket': // replaced by the socket's fd when one is passed (manager/run-command.ts)
      return { kind: 'null' };
    case 'data':
      return stream === 'stdin' ? { kind: 'data', data: setting.data } : { kind: 'null' };
    case 'inherit':
      return stream === 'stdin' ? { kind: 'null' } : ttyInput ? { kind: 'tty' } : { kind: 'inherit' };
    case 'journal':
      return stream === 'stdin' ? { kind: 'null' } : { kind: 'pipe' };
    case 'file':
      return { kind: 'file', path: setting.path, mode: stream === 'stdin' ? 'read' : setting.mode === 'read' ? 'write' : setting.mode };
  }
}

function stderrFor(settings: ExecSettings): StdioSpec {
  const ttyInput = terminalInput(settings) !== undefined;
  const out = stdioFor(settings.standardOutput, 'stdout', ttyInput);
  // systemd dup()s stdout to stderr when StandardError= is inherit or names the same journal
  // target: one stream, so stdout and stderr lines keep their relative order.
  if (settings.standardError.kind !== 'inherit') {
    const err = stdioFor(settings.standardError, 'stdout', ttyInput);
    return err.kind === 'pipe' && out.kind === 'pipe' ? { kind: 'stdout' } : err;
  }
  // A second open of stdout's file must not clobber what stdout writes.
  if (out.kind === 'file') return { ...out, mode: 'append' };
  if (out.kind === 'pipe') return { kind: 'stdout' };
  return out;
}

export function prepareSpawn(ctx: EnvironmentContext, command: ExecCommand): PreparedSpawn {
  const env = buildEnvironment(ctx);
  const argv = command.noExpand ? command.argv : expandWords(command.argv, env);
  const s = ctx.settings;
  // `+` runs with full privileges: no root directory, no NoNewPrivileges= (systemd.service(5)).
  const restricted = command.privileges !== 'full';
  const root = restricted && s.rootDirectory !== undefined && (!s.rootDirectoryStartOnly || ctx.startCommand === true) ? s.rootDirectory : undefined;
  // RootImage= needs loop devices and a mount namespace, which unitd does not set up in a
  // container: running the service in / instead would run it in the wrong tree, so the start
  // fails as systemd's does when it cannot set the image up (226/NAMESPACE).
  if (restricted && s.notApplied.includes('RootImage')) {
    throw new ExecSetupError(226, `Failed to set up mount namespacing: RootImage= is not supported by unitd in a container (use RootDirectory= on an unpacked tree)`);
  }
  const path = resolveExecutable(command.path, root);
  if (!path) {
    throw new ExecSetupError(203, `Failed to locate executable ${command.path}: No such file or directory`);
  }
  const useCredentials = command.privileges === 'normal';
  const spec: SpawnSpec = {
    path,
    argv: argv.length > 0 ? argv : [command.path],
    env,
    setsid: true,
    umask: s.umask,
    stdin: stdioFor(s.standardInput, 'stdin'),
    stdout: stdioFor(s.standardOutput, 'stdout', terminalInput(s) !== undefined),
    stderr: stderrFor(s),
  };
  const terminal = terminalFor(s, spec);
  if (terminal !== undefined) spec.terminal = terminal;
  if (useCredentials && s.user) spec.user = userOrGroupId(s.user);
  if (useCredentials && s.group) spec.group = userOrGroupId(s.group);
  if (useCredentials && s.supplementaryGroups.length > 0) spec.supplementaryGroups = s.supplementaryGroups.map(userOrGroupId);
  if (s.limits.length > 0) {
    const value = (n: number): number | 'infinity' => (Number.isFinite(n) ? n : 'infinity');
    spec.rlimits = s.limits.map((l) => ({ resource: l.resource, soft: value(l.soft), hard: value(l.hard) }));
  }
  if (root !== undefined) spec.rootDirectory = root;
  if (restricted && s.noNewPrivileges) spec.noNewPrivileges = true;
  // Capabilities and secure bits are sandboxing: a `+` command runs without them (systemd.service(5)).
  if (restricted && s.capabilityBoundingSet !== undefined) spec.capabilityBoundingSet = s.capabilityBoundingSet;
  if (restricted && s.ambientCapabilities.length > 0) spec.ambientCapabilities = s.ambientCapabilities;
  if (restricted && s.secureBits !== 0) spec.secureBits = s.secureBits;
  if (s.cpuScheduling !== undefined) spec.cpuScheduling = { ...s.cpuScheduling, resetOnFork: s.cpuSchedulingResetOnFork };
  if (s.ioPriority !== undefined) spec.ioPriority = s.ioPriority;
  if (s.ignoreSigpipe) spec.ignoreSigpipe = true;
  if (s.cpuAffinity !== undefined && s.cpuAffinity.length > 0) spec.cpuAffinity = s.cpuAffinity;
  if (s.nice !== undefined) spec.nice = s.nice;
  if (s.oomScoreAdjust !== undefined) spec.oomScoreAdjust = s.oomScoreAdjust;
  if (s.workingDirectory) {
    let dir = s.workingDirectory.path;
    if (dir === '~') dir = (s.user && useCredentials ? lookupUser(s.user)?.home : undefined) ?? '/root';
    spec.cwd = s.workingDirectory.missingOk && !existsSync(join(root ?? '/', dir)) ? '/' : dir;
  } else {
    spec.cwd = '/';
  }
  return {
    spec,
    commandLine: [path, ...spec.argv.slice(1)].join(' '),
    capture: spec.stdout?.kind === 'pipe' || spec.stderr?.kind === 'pipe',
  };
}

/**
 * User=65534 names uid 65534, not a user called "65534" (systemd.exec(5): a name or a
 * numeric id). The spawn looks a number up by id and a string by name.
 */
export function userOrGroupId(value: string): string | number {
  return /^\d{1,10}$/.test(value) && Number(value) <= 0xfffffffe ? Number(value) : value;
}

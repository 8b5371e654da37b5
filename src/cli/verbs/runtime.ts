// The runtime verbs (those that talk to the daemon) behind systemctl's verb
// registry: adapts the dispatcher's context to RuntimeVerbContext, then runs
// the verb's own module. Loaded lazily, so file verbs never pay for it.

import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';

import { connectControl } from '../../control/client.js';
import { controlSocketPath } from '../../control/paths.js';
import { nowUsec } from '../format/time.js';
import * as env from './environment.js';
import * as isState from './is-state.js';
import * as job from './job.js';
import { kill } from './kill.js';
import * as list from './list.js';
import * as mgr from './manager-verbs.js';
import { DEFAULT_RUNTIME_OPTIONS, type RuntimeOptions, type RuntimeVerb, type RuntimeVerbContext } from './runtime-context.js';
import { show } from './show.js';
import { status } from './status.js';
import type { VerbContext } from './verb.js';

/** Verb name → implementation, systemd's aliases included. */
export const RUNTIME_VERBS: Record<string, RuntimeVerb> = {
  start: job.start,
  stop: job.stop,
  restart: job.restart,
  reload: job.reload,
  'try-restart': job.tryRestart,
  condrestart: job.tryRestart,
  'reload-or-restart': job.reloadOrRestart,
  'force-reload': job.tryReloadOrRestart,
  'try-reload-or-restart': job.tryReloadOrRestart,
  kill,
  'is-active': isState.isActive,
  'is-failed': isState.isFailed,
  'is-system-running': isState.isSystemRunning,
  status,
  show,
  'reset-failed': mgr.resetFailed,
  'list-units': list.listUnits,
  'list-jobs': list.listJobs,
  cancel: list.cancel,
  'daemon-reload': mgr.daemonReload,
  // unitd has nothing to re-execute; like a reload it re-reads every unit (semantics §8.7).
  'daemon-reexec': mgr.daemonReload,
  'show-environment': env.showEnvironment,
  'set-environment': env.setEnvironment,
  'unset-environment': env.unsetEnvironment,
  poweroff: mgr.poweroff,
  halt: mgr.halt,
  reboot: mgr.reboot,
  exit: mgr.exit,
};

function readComm(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trimEnd();
  } catch {
    return undefined;
  }
}

/** Build the runtime context for this process from the dispatcher's parsed options. */
export function processRuntimeContext(ctx: VerbContext): RuntimeVerbContext {
  const o = ctx.options;
  const options: RuntimeOptions = {
    ...DEFAULT_RUNTIME_OPTIONS,
    properties: o.properties,
    all: o.all > 0,
    value: o.value,
    lines: o.lines ?? DEFAULT_RUNTIME_OPTIONS.lines,
    signal: o.signal,
    killWhom: o.killWhom,
    states: o.states,
    types: o.types,
    failed: o.failed,
    legend: o.legend,
    plain: o.plain,
    full: o.full,
    noBlock: o.noBlock,
    jobMode: o.jobMode ?? DEFAULT_RUNTIME_OPTIONS.jobMode,
    quiet: o.quiet,
  };
  const isTTY = process.stdout.isTTY === true;
  // The dispatcher's io writes whole lines; runtime verbs write text ending in a newline.
  const lineWriter = (write: (line: string) => void) => (text: string) => {
    write(text.endsWith('\n') ? text.slice(0, -1) : text);
  };
  return {
    options,
    out: lineWriter((l) => ctx.io.out(l)),
    err: lineWriter((l) => ctx.io.err(l)),
    isTTY,
    columns: isTTY ? process.stdout.columns : undefined,
    connect: () => connectControl(controlSocketPath()),
    comm: readComm,
    hostname: hostname(),
    nowUsec,
    booted: () => existsSync('/run/systemd/system'),
  };
}

export async function run(ctx: VerbContext): Promise<number> {
  const verb = RUNTIME_VERBS[ctx.verb];
  // Verbs not written yet (isolate, list-timers, ...) keep the registry's plain refusal.
  if (verb === undefined) return (await import('./runtime-unavailable.js')).run(ctx);
  return verb(processRuntimeContext(ctx), ctx.args);
}

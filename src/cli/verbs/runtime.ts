// The runtime verbs (those that talk to the daemon) behind systemctl's verb
// registry: adapts the dispatcher's context to RuntimeVerbContext, then runs
// the verb's own module. Loaded lazily, so file verbs never pay for it.

import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';

import { connectControl } from '../../control/client.js';
import { controlSocketPath } from '../../control/paths.js';
import { colorsEnabled } from '../colors.js';
import { isTerminal } from '../io.js';
import { DEFAULT_RUNTIME_OPTIONS, type RuntimeOptions, type RuntimeVerb, type RuntimeVerbContext } from './runtime-context.js';
import type { VerbContext } from './verb.js';

/**
 * Verb name → loader of its implementation, systemd's aliases included. Each
 * verb imports only its own module: `is-active` must not pay for `status`'s
 * formatters (client start-up time is the point, issue 6).
 */
export const RUNTIME_VERBS: Record<string, () => Promise<RuntimeVerb>> = {
  start: async () => (await import('./job.js')).start,
  stop: async () => (await import('./job.js')).stop,
  restart: async () => (await import('./job.js')).restart,
  reload: async () => (await import('./job.js')).reload,
  'try-restart': async () => (await import('./job.js')).tryRestart,
  condrestart: async () => (await import('./job.js')).tryRestart,
  'reload-or-restart': async () => (await import('./job.js')).reloadOrRestart,
  'force-reload': async () => (await import('./job.js')).tryReloadOrRestart,
  'try-reload-or-restart': async () => (await import('./job.js')).tryReloadOrRestart,
  kill: async () => (await import('./kill.js')).kill,
  'is-active': async () => (await import('./is-state.js')).isActive,
  'is-failed': async () => (await import('./is-state.js')).isFailed,
  'is-system-running': async () => (await import('./is-state.js')).isSystemRunning,
  status: async () => (await import('./status.js')).status,
  show: async () => (await import('./show.js')).show,
  'reset-failed': async () => (await import('./manager-verbs.js')).resetFailed,
  'list-units': async () => (await import('./list.js')).listUnits,
  'list-jobs': async () => (await import('./list.js')).listJobs,
  cancel: async () => (await import('./list.js')).cancel,
  'daemon-reload': async () => (await import('./manager-verbs.js')).daemonReload,
  // unitd has nothing to re-execute; like a reload it re-reads every unit (semantics §8.7).
  'daemon-reexec': async () => (await import('./manager-verbs.js')).daemonReexec,
  'show-environment': async () => (await import('./environment.js')).showEnvironment,
  'set-environment': async () => (await import('./environment.js')).setEnvironment,
  'unset-environment': async () => (await import('./environment.js')).unsetEnvironment,
  poweroff: async () => (await import('./manager-verbs.js')).poweroff,
  halt: async () => (await import('./manager-verbs.js')).halt,
  reboot: async () => (await import('./manager-verbs.js')).reboot,
  exit: async () => (await import('./manager-verbs.js')).exit,
  isolate: async () => (await import('./more-verbs.js')).isolate,
  default: async () => (await import('./more-verbs.js')).isolateSpecial('default.target'),
  rescue: async () => (await import('./more-verbs.js')).isolateSpecial('rescue.target'),
  emergency: async () => (await import('./more-verbs.js')).isolateSpecial('emergency.target'),
  'list-timers': async () => (await import('./more-verbs.js')).listTimers,
  'list-sockets': async () => (await import('./list-sockets.js')).listSockets,
  freeze: async () => (await import('./freeze-clean.js')).freeze,
  thaw: async () => (await import('./freeze-clean.js')).thaw,
  clean: async () => (await import('./freeze-clean.js')).clean,
  'import-environment': async () => (await import('./more-verbs.js')).importEnvironment,
};

/** The verbs that enqueue jobs: systemctl runs the password agent beside them (password-agent.ts). */
const JOB_VERBS = new Set(['start', 'stop', 'reload', 'restart', 'try-restart', 'condrestart', 'reload-or-restart', 'try-reload-or-restart', 'force-reload', 'isolate', 'default', 'rescue', 'emergency']);

/** Mirrors autostart.ts AUTOSTART_VERBS, so other verbs never import that module. */
const AUTOSTART_CANDIDATES: ReadonlySet<string> = new Set(['start', 'restart', 'reload-or-restart', 'isolate']);

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
    wait: o.wait,
    jobMode: o.jobMode ?? DEFAULT_RUNTIME_OPTIONS.jobMode,
    quiet: o.quiet,
    what: o.what,
  };
  const isTTY = isTerminal(1);
  // The dispatcher's io writes whole lines; runtime verbs write text ending in a newline.
  const lineWriter = (write: (line: string) => void) => (text: string) => {
    write(text.endsWith('\n') ? text.slice(0, -1) : text);
  };
  return {
    options,
    out: lineWriter((l) => ctx.io.out(l)),
    err: lineWriter((l) => ctx.io.err(l)),
    isTTY,
    color: colorsEnabled(),
    columns: isTTY ? process.stdout.columns : undefined,
    // A verb that starts units may launch unitd when none runs (autostart.ts).
    // Only verbs that may start units load autostart.ts (it pulls in child_process): read verbs stay fast.
    // Blocking calls, except for job verbs: they wait for several jobs at once (one enqueueJob
    // per unit in flight together, as systemctl enqueues them all before waiting), which blocking
    // calls would turn into one after the other.
    connect: async () =>
      ctx.options.root || !AUTOSTART_CANDIDATES.has(ctx.verb)
        ? connectControl(controlSocketPath(), undefined, { blocking: !JOB_VERBS.has(ctx.verb) })
        : (await import('../autostart.js')).connectOrAutostart(ctx.verb),
    comm: readComm,
    hostname: hostname(),
    nowUsec: () => Date.now() * 1000,
    booted: () => existsSync('/run/systemd/system'),
  };
}


export async function run(ctx: VerbContext): Promise<number> {
  const load = RUNTIME_VERBS[ctx.verb];
  // A verb the registry knows but no module implements keeps the plain refusal.
  if (load === undefined) return (await import('./runtime-unavailable.js')).run(ctx);
  const agent = JOB_VERBS.has(ctx.verb) ? (await import('../password-agent.js')).openPasswordAgent(ctx.options.noAskPassword) : undefined;
  try {
    return await (await load())(processRuntimeContext(ctx), ctx.args);
  } finally {
    await agent?.close();
  }
}

// start, stop, restart, reload and their try-/or- variants: enqueue one job
// per unit, wait for all of them (unless --no-block), and explain failures in
// the words of systemd's bus-wait-for-jobs.c.

import { JOB_MODES, type JobMode, type JobOutcome, type JobType } from '../../control/api.js';
import { ControlCallError } from '../../control/client.js';
import { errorMessage, exitStatusForBusError, withDaemon } from './daemon-errors.js';
import type { DaemonConnection, RuntimeVerb, RuntimeVerbContext } from './runtime-context.js';
import { expandUnitArgs } from './unit-args.js';

/** Service Result → the reason in "Job for X failed because <reason>." */
const RESULT_EXPLANATIONS: Record<string, string> = {
  protocol: 'the service did not take the steps required by its unit configuration',
  timeout: 'a timeout was exceeded',
  'exit-code': 'the control process exited with error code',
  signal: 'a fatal signal was delivered to the control process',
  'core-dump': 'a fatal signal was delivered causing the control process to dump core',
  watchdog: 'the service failed to send watchdog ping',
  'start-limit-hit': 'start of the service was attempted too often',
  resources: 'of unavailable resources or another system error',
};

/** The lines systemctl prints for a finished job that did not succeed, or [] when it did. */
export function explainJobResult(unit: string, result: string, serviceResult: string | undefined): string[] {
  switch (result) {
    case 'done':
    case 'skipped':
      return [];
    case 'canceled':
      return [`Job for ${unit} canceled.`];
    case 'timeout':
      return [`Job for ${unit} timed out.`];
    case 'dependency':
      return [`A dependency job for ${unit} failed. See 'journalctl -xe' for details.`];
    case 'invalid':
      return [`${unit} is not active, cannot reload.`];
    case 'assert':
      return [`Assertion failed on job for ${unit}.`];
    case 'unsupported':
      return [`Operation on or unit type of ${unit} not supported on this system.`];
    case 'collected':
      return [`Queued job for ${unit} was garbage collected.`];
    case 'once':
      return [`Unit ${unit} was started already once and can't be started again.`];
  }
  // check_wait_response(): only a service gets the explained form; other types a generic line.
  if (!unit.endsWith('.service')) return ['Job failed. See "journalctl -xe" for details.'];
  const hint = `See "systemctl status ${unit}" and "journalctl -xeu ${unit}" for details.`;
  const reason = serviceResult !== undefined ? RESULT_EXPLANATIONS[serviceResult] : undefined;
  if (reason === undefined) return [`Job for ${unit} failed.`, hint];
  const lines = [`Job for ${unit} failed because ${reason}.`, hint];
  if (serviceResult === 'start-limit-hit') {
    lines.push(`To force a start use "systemctl reset-failed ${unit}"`, `followed by "systemctl start ${unit}" again.`);
  }
  return lines;
}

function parseJobMode(ctx: RuntimeVerbContext): JobMode | undefined {
  const mode = ctx.options.jobMode;
  if ((JOB_MODES as readonly string[]).includes(mode)) return mode as JobMode;
  ctx.err(`Unknown job mode ${mode}.\n`);
  return undefined;
}

const NO_HINT_ERRORS = new Set([
  'org.freedesktop.systemd1.NoSuchUnit',
  'org.freedesktop.systemd1.UnitMasked',
  'org.freedesktop.systemd1.JobTypeNotApplicable',
]);

async function runOne(ctx: RuntimeVerbContext, d: DaemonConnection, verb: string, type: JobType, mode: JobMode, unit: string): Promise<number> {
  let outcome: JobOutcome;
  try {
    outcome = await d.enqueueJob({ unit, type, mode, wait: !ctx.options.noBlock });
  } catch (err) {
    ctx.err(`Failed to ${verb} ${unit}: ${errorMessage(err)}\n`);
    const busError = err instanceof ControlCallError ? err.busError : '';
    if (!NO_HINT_ERRORS.has(busError)) ctx.err(`See system logs and 'systemctl status ${unit}' for details.\n`);
    return exitStatusForBusError(busError);
  }
  if (outcome.result === undefined) return 0;
  let serviceResult: string | undefined;
  if (outcome.result === 'failed') {
    const [props] = await d.unitProperties([unit]);
    serviceResult = typeof props?.Result === 'string' ? props.Result : undefined;
  }
  const lines = explainJobResult(unit, outcome.result, serviceResult);
  if (lines.length === 0) return 0;
  if (!ctx.options.quiet || outcome.result !== 'failed') ctx.err(lines.join('\n') + '\n');
  return 1;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * `--wait`: block until every unit is inactive or failed again; 1 when one of
 * them ended failed. The protocol has no unit-change stream yet, so this polls
 * the daemon (a few requests a second, for as long as the user asked to wait).
 */
async function waitUntilInactive(d: DaemonConnection, units: string[]): Promise<number> {
  const pending = new Set(units);
  let rc = 0;
  while (pending.size > 0) {
    const names = [...pending];
    const props = await d.unitProperties(names);
    names.forEach((name, i) => {
      const state = props[i]?.ActiveState;
      if (state === 'inactive' || state === 'failed') {
        pending.delete(name);
        if (state === 'failed') rc = 1;
      }
    });
    if (pending.size > 0) await sleep(200);
  }
  return rc;
}

/**
 * warn_triggering_units(): after a stop, name the active units that can start it again (a
 * socket, timer or path in its TriggeredBy=); nothing for a masked unit.
 */
async function warnTriggeringUnits(ctx: RuntimeVerbContext, d: DaemonConnection, units: string[]): Promise<void> {
  const props = await d.unitProperties(units);
  for (const [i, unit] of units.entries()) {
    const p = props[i];
    const by = Array.isArray(p?.TriggeredBy) ? (p.TriggeredBy as unknown[]).filter((u): u is string => typeof u === 'string') : [];
    if (p?.LoadState === 'masked' || by.length === 0) continue;
    const states = await d.unitProperties(by);
    const active = by.filter((_, j) => states[j]?.ActiveState === 'active' || states[j]?.ActiveState === 'reloading');
    if (active.length > 0) ctx.err(`Warning: Stopping ${unit}, but it can still be activated by:\n${active.map((u) => `  ${u}\n`).join('')}`);
  }
}

/** A job verb: `verb` is the word used in "Failed to <verb> X", `type` the job sent. */
export function jobVerb(verb: string, type: JobType): RuntimeVerb {
  return (ctx, args) =>
    withDaemon(ctx, async (d) => {
      if (args.length === 0) {
        ctx.err('Too few arguments.\n');
        return 1;
      }
      const mode = parseJobMode(ctx);
      if (mode === undefined) return 1;
      const units = await expandUnitArgs(ctx, d, args);
      const codes = await Promise.all(units.map((u) => runOne(ctx, d, verb, type, mode, u)));
      const rc = codes.find((c) => c !== 0) ?? 0;
      if (rc === 0 && type === 'stop' && !ctx.options.noBlock && !ctx.options.quiet) await warnTriggeringUnits(ctx, d, units);
      if (rc !== 0 || !ctx.options.wait || type === 'stop') return rc;
      return waitUntilInactive(d, units);
    });
}

export const start = jobVerb('start', 'start');
export const stop = jobVerb('stop', 'stop');
export const restart = jobVerb('restart', 'restart');
export const reload = jobVerb('reload', 'reload');
export const tryRestart = jobVerb('try-restart', 'try-restart');
export const reloadOrRestart = jobVerb('reload-or-restart', 'reload-or-restart');
export const tryReloadOrRestart = jobVerb('try-reload-or-restart', 'try-reload-or-restart');

// daemon-reload, reset-failed and the shutdown family (poweroff, halt,
// reboot, exit N), which return as soon as the daemon has queued them.

import { errorMessage, withDaemon } from './daemon-errors.js';
import type { RuntimeVerb } from './runtime-context.js';
import { expandUnitArgs } from './unit-args.js';

// Without a booted manager (no /run/systemd/system: a `docker build` step, a
// maintainer script) there is nothing to reload, and the next start reads the
// files afresh: succeed quietly, and never start a daemon just to reload it.
export const daemonReload: RuntimeVerb = (ctx) =>
  !ctx.booted() ? Promise.resolve(0) : withDaemon(ctx, async (d) => {
    try {
      await d.daemonReload();
      return 0;
    } catch (err) {
      ctx.err(`Failed to reload daemon: ${errorMessage(err)}\n`);
      return 1;
    }
  });

// systemd's systemctl says the same words for a failed reexec (daemon_reload() serves both verbs).
export const daemonReexec: RuntimeVerb = (ctx) =>
  !ctx.booted() ? Promise.resolve(0) : withDaemon(ctx, async (d) => {
    try {
      await d.daemonReexec();
      return 0;
    } catch (err) {
      ctx.err(`Failed to reload daemon: ${errorMessage(err)}\n`);
      return 1;
    }
  });

export const resetFailed: RuntimeVerb = (ctx, args) =>
  withDaemon(ctx, async (d) => {
    if (args.length === 0) {
      try {
        await d.resetFailed();
        return 0;
      } catch (err) {
        ctx.err(`Failed to reset failed state: ${errorMessage(err)}\n`);
        return 1;
      }
    }
    let rc = 0;
    for (const unit of await expandUnitArgs(ctx, d, args)) {
      try {
        await d.resetFailed(unit);
      } catch (err) {
        ctx.err(`Failed to reset failed state of unit ${unit}: ${errorMessage(err)}\n`);
        rc = 1;
      }
    }
    return rc;
  });

function shutdownVerb(kind: 'poweroff' | 'halt' | 'reboot' | 'exit'): RuntimeVerb {
  return (ctx, args) => {
    let exitCode: number | undefined;
    if (kind === 'exit' && args.length > 0) {
      if (!/^\d+$/.test(args[0]) || Number(args[0]) > 255) {
        ctx.err(`Invalid exit code.\n`);
        return Promise.resolve(1);
      }
      exitCode = Number(args[0]);
    }
    return withDaemon(ctx, async (d) => {
      try {
        await d.shutdown(kind, exitCode);
        return 0;
      } catch (err) {
        ctx.err(`Failed to start ${kind === 'exit' ? 'exit' : kind}.target: ${errorMessage(err)}\n`);
        return 1;
      }
    });
  };
}

export const poweroff = shutdownVerb('poweroff');
export const halt = shutdownVerb('halt');
export const reboot = shutdownVerb('reboot');
export const exit = shutdownVerb('exit');

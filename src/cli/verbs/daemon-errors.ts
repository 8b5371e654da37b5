// How systemctl words a missing daemon and a daemon's refusal, so scripts
// that grep systemd's messages keep working.

import { ControlCallError, DaemonUnavailableError } from '../../control/client.js';
import { strerror } from '../../units/values/errno.js';
import type { DaemonConnection, RuntimeVerbContext } from './runtime-context.js';


/** Thrown inside a verb to end it with systemctl's message and exit code. */
export class VerbExit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

/**
 * Connect, or print what systemd 252 prints without a manager and exit 1:
 * not booted with systemd → the "Can't operate." line and `Host is down`;
 * booted but no socket → `Failed to connect to bus: <strerror>`.
 */
export async function connectOrExplain(ctx: RuntimeVerbContext): Promise<DaemonConnection> {
  try {
    return await ctx.connect();
  } catch (err) {
    if (!(err instanceof DaemonUnavailableError)) throw err;
    if (!ctx.booted()) {
      ctx.err("System has not been booted with systemd as init system (PID 1). Can't operate.\n");
      ctx.err('Failed to connect to bus: Host is down\n');
    } else {
      ctx.err(`Failed to connect to bus: ${strerror(err.code)}\n`);
    }
    throw new VerbExit(1);
  }
}

/** systemd's translate_bus_error_to_exit_status(): which refusals get which LSB code. */
export function exitStatusForBusError(busError: string): number {
  switch (busError) {
    case 'org.freedesktop.DBus.Error.AccessDenied':
    case 'org.freedesktop.systemd1.OnlyByDependency':
    case 'org.freedesktop.systemd1.NoIsolation':
    case 'org.freedesktop.systemd1.TransactionIsDestructive':
      return 4;
    case 'org.freedesktop.systemd1.NoSuchUnit':
      return 5;
    case 'org.freedesktop.systemd1.JobTypeNotApplicable':
    case 'org.freedesktop.DBus.Error.NotSupported':
      return 3;
    case 'org.freedesktop.systemd1.LoadFailed':
      return 6;
    default:
      return 1;
  }
}

/** The text after "Failed to …: " for an error from the daemon. */
export function errorMessage(err: unknown): string {
  if (err instanceof ControlCallError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}

/** Run a verb body, turning VerbExit into its code; the connection is always closed. */
export async function withDaemon(ctx: RuntimeVerbContext, body: (d: DaemonConnection) => Promise<number>): Promise<number> {
  let d: DaemonConnection | undefined;
  try {
    d = await connectOrExplain(ctx);
    return await body(d);
  } catch (err) {
    if (err instanceof VerbExit) return err.code;
    if (err instanceof ControlCallError && err.message === 'Connection reset by peer') {
      ctx.err('Failed to connect to bus: Connection reset by peer\n');
      return 1;
    }
    throw err;
  } finally {
    d?.close();
  }
}

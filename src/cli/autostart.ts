// Without a running unitd (PID 1 is something else: `docker run --init`, tini,
// a shell), a verb that starts units launches one in the background first, so
// `systemctl start x` works anyway. The daemon is detached (it outlives this
// client and is adopted by PID 1), becomes a subreaper for its services, logs
// to /run/unitd/unitd.log, and boots only sysinit.target: enabled units are not
// started behind the user's back (`systemctl start multi-user.target` does that).
//
// Never for reads (is-active, status, show, ...: they answer as systemd does
// without a manager), never with --root (file verbs only), never with a private
// UNITD_RUNTIME_DIR (tests, side-by-side managers), never as non-root, never
// when /usr/sbin/policy-rc.d forbids starting services (docker build), never
// when a real systemd is PID 1, and never with UNITD_AUTOSTART=0.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, closeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectControl, DaemonUnavailableError, type ControlClient } from '../control/client.js';
import { controlSocketPath, DEFAULT_RUNTIME_DIR } from '../control/paths.js';

export const AUTOSTART_VERBS: ReadonlySet<string> = new Set(['start', 'restart', 'reload-or-restart', 'isolate']);
export const AUTOSTART_LOG = join(DEFAULT_RUNTIME_DIR, 'unitd.log');

export function autostartAllowed(verb: string, env: NodeJS.ProcessEnv = process.env): boolean {
  if (!AUTOSTART_VERBS.has(verb)) return false;
  if (env.UNITD_AUTOSTART === '0') return false;
  if (env.UNITD_RUNTIME_DIR !== undefined && env.UNITD_RUNTIME_DIR !== '') return false;
  if ((process.getuid?.() ?? 0) !== 0) return false;
  try {
    if (readFileSync('/proc/1/comm', 'utf8').trim() === 'systemd') return false;
  } catch {
    /* no /proc: go ahead */
  }
  return !policyForbidsStart();
}

/**
 * invoke-rc.d(8)'s policy layer: an /usr/sbin/policy-rc.d that answers 101
 * ("action forbidden") is how Debian images say "start no services here",
 * typically during `docker build`. A manager must not be launched then either.
 */
export function policyForbidsStart(helper = '/usr/sbin/policy-rc.d'): boolean {
  if (!existsSync(helper)) return false;
  const r = spawnSync(helper, ['unitd', 'start'], { stdio: 'ignore', timeout: 5000 });
  return r.status === 101;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Launch unitd detached and wait (bounded) for its control socket. */
async function launchDaemon(timeoutMs: number): Promise<void> {
  const { spawn } = await import('node:child_process');
  const unitd = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'init', 'unitd');
  mkdirSync(DEFAULT_RUNTIME_DIR, { recursive: true, mode: 0o755 });
  const log = openSync(AUTOSTART_LOG, 'a');
  try {
    const child = spawn(process.execPath, [unitd, '--unit=sysinit.target'], {
      detached: true,
      stdio: ['ignore', log, log],
      env: { ...process.env, UNITD_AUTOSTARTED: '1' },
    });
    child.unref();
  } finally {
    closeSync(log);
  }
  const end = Date.now() + timeoutMs;
  while (!existsSync(controlSocketPath()) && Date.now() < end) await sleep(20);
}

/** Connect; when there is no daemon and the verb may start one, start it and connect again. */
export async function connectOrAutostart(verb: string, timeoutMs = 10_000): Promise<ControlClient> {
  try {
    return await connectControl(controlSocketPath());
  } catch (err) {
    if (!(err instanceof DaemonUnavailableError) || !autostartAllowed(verb)) throw err;
  }
  await launchDaemon(timeoutMs);
  let last: unknown;
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    try {
      return await connectControl(controlSocketPath());
    } catch (err) {
      last = err;
      await sleep(50);
    }
  }
  throw last instanceof Error ? last : new Error('unitd did not come up');
}

// Where the control socket lives. Tests and non-PID-1 daemons move it with
// UNITD_RUNTIME_DIR so several managers can run side by side.
//
// As root unitd is the system manager and lives in /run/unitd. As any other uid
// (image USER, OpenShift's arbitrary uid) it is that user's manager and, as systemd's
// user manager does with $XDG_RUNTIME_DIR/systemd, lives where that user can write:
// $XDG_RUNTIME_DIR/unitd, else /run/unitd when the user may write there, else
// /tmp/unitd-UID. Clients look in the same order, then in PID 1's /tmp/unitd-UID
// (root's `docker exec -u 0` into a non-root container).

import { accessSync, constants as fsConstants, existsSync, lstatSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const DEFAULT_RUNTIME_DIR = '/run/unitd';

function explicitDir(env: NodeJS.ProcessEnv): string | undefined {
  const dir = env.UNITD_RUNTIME_DIR;
  return dir !== undefined && dir !== '' ? dir : undefined;
}

function xdgDir(env: NodeJS.ProcessEnv): string | undefined {
  const xdg = env.XDG_RUNTIME_DIR;
  // systemd ignores a relative $XDG_RUNTIME_DIR (sd_path: "not absolute").
  return xdg !== undefined && xdg.startsWith('/') ? join(xdg, 'unitd') : undefined;
}

/** /tmp/unitd-UID: the last resort of a non-root manager (systemd-tmpfiles-like private name per uid). */
export function tmpRuntimeDir(uid: number): string {
  return `/tmp/unitd-${uid}`;
}

/** The uid PID 1 runs as (from /proc/1/status), or undefined when unreadable. */
function pid1Uid(): number | undefined {
  try {
    const m = /^Uid:\s+(\d+)/m.exec(readFileSync('/proc/1/status', 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

function ownUid(): number {
  return process.getuid?.() ?? 0;
}

/** A directory we may create entries in: it exists and is writable, or its nearest existing ancestor is. */
export function writableOrCreatable(dir: string): boolean {
  for (let candidate = dir; ; candidate = dirname(candidate)) {
    try {
      accessSync(candidate, fsConstants.W_OK | fsConstants.X_OK);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || candidate === '/') return false;
    }
  }
}

/**
 * A /tmp/unitd-UID someone else made first (or a symlink planted there) is not ours: a client
 * must not talk to it and the manager must not use it.
 */
function ownedBy(dir: string, uid: number): boolean {
  try {
    const st = lstatSync(dir);
    return st.isDirectory() && (st.uid === uid || st.uid === 0);
  } catch {
    return false;
  }
}

/** Where the running manager keeps its control socket, as a client finds it (same order as the manager picks). */
export function runtimeDir(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = explicitDir(env);
  if (explicit !== undefined) return explicit;
  const uid = ownUid();
  const candidates: { dir: string; owner?: number }[] = [];
  const xdg = xdgDir(env);
  if (xdg !== undefined) candidates.push({ dir: xdg });
  candidates.push({ dir: DEFAULT_RUNTIME_DIR });
  if (uid !== 0) candidates.push({ dir: tmpRuntimeDir(uid), owner: uid });
  const init = pid1Uid();
  if (init !== undefined && init !== 0 && init !== uid) candidates.push({ dir: tmpRuntimeDir(init), owner: init });
  for (const { dir, owner } of candidates) {
    if (owner !== undefined && !ownedBy(dir, owner)) continue;
    if (existsSync(join(dir, 'control.sock'))) return dir;
  }
  return DEFAULT_RUNTIME_DIR;
}

/**
 * The runtime directory the manager itself uses (created by the caller): UNITD_RUNTIME_DIR,
 * /run/unitd as root, else the first of $XDG_RUNTIME_DIR/unitd, a writable /run/unitd,
 * /tmp/unitd-UID. Throws when /tmp/unitd-UID exists but is not this user's.
 */
export function managerRuntimeDir(env: NodeJS.ProcessEnv = process.env, uid: number = ownUid()): string {
  const explicit = explicitDir(env);
  if (explicit !== undefined) return explicit;
  if (uid === 0) return DEFAULT_RUNTIME_DIR;
  const xdg = xdgDir(env);
  if (xdg !== undefined) return xdg;
  if (writableOrCreatable(DEFAULT_RUNTIME_DIR)) return DEFAULT_RUNTIME_DIR;
  const dir = tmpRuntimeDir(uid);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const st = lstatSync(dir);
  if (!st.isDirectory() || st.uid !== uid) throw new Error(`${dir} exists and does not belong to uid ${uid}`);
  return dir;
}

export function controlSocketPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(runtimeDir(env), 'control.sock');
}

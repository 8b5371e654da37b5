// sd_notify(3) messages: the per-service datagram socket and the parsed fields.

import { mkdirSync } from 'node:fs';
import { sha256 } from './random-id.js';
import { join } from 'node:path';

export interface NotifyFields {
  ready: boolean;
  reloading: boolean;
  stopping: boolean;
  status?: string;
  errno?: number;
  mainPid?: number;
  watchdog?: 'ping' | 'trigger';
  watchdogUSec?: number;
  extendTimeoutUSec?: number;
  monotonicUSec?: number;
  /** FDSTORE=1: keep the fds sent along (fd-store.ts). */
  fdStore: boolean;
  /** FDSTOREREMOVE=1: drop the stored fds named FDNAME=. */
  fdStoreRemove: boolean;
  /** FDPOLL=0: do not drop stored fds on hang-up (sd_pid_notify_with_fds(3)). */
  fdPoll: boolean;
  fdName?: string;
  /** All assignments, for logging. */
  raw: Map<string, string>;
}

const MAX_STATUS = 4096;

/** Newline-separated KEY=VALUE; unknown keys ignored, the last duplicate wins. */
export function parseNotifyMessage(data: Buffer): NotifyFields {
  const raw = new Map<string, string>();
  for (const line of data.toString('utf8').split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) raw.set(line.slice(0, eq), line.slice(eq + 1));
  }
  const uint = (key: string): number | undefined => {
    const v = raw.get(key);
    return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
  };
  const fields: NotifyFields = {
    ready: raw.get('READY') === '1',
    reloading: raw.get('RELOADING') === '1',
    stopping: raw.get('STOPPING') === '1',
    fdStore: raw.get('FDSTORE') === '1',
    fdStoreRemove: raw.get('FDSTOREREMOVE') === '1',
    fdPoll: raw.get('FDPOLL') !== '0',
    raw,
  };
  const fdName = raw.get('FDNAME');
  if (fdName !== undefined) fields.fdName = fdName;
  const status = raw.get('STATUS');
  if (status !== undefined) fields.status = status.slice(0, MAX_STATUS);
  const errno = uint('ERRNO');
  if (errno !== undefined) fields.errno = errno;
  const mainPid = uint('MAINPID');
  if (mainPid !== undefined && mainPid > 0) fields.mainPid = mainPid;
  const wd = raw.get('WATCHDOG');
  if (wd === '1') fields.watchdog = 'ping';
  else if (wd === 'trigger') fields.watchdog = 'trigger';
  const wdUsec = uint('WATCHDOG_USEC');
  if (wdUsec !== undefined) fields.watchdogUSec = wdUsec;
  const extend = uint('EXTEND_TIMEOUT_USEC');
  if (extend !== undefined) fields.extendTimeoutUSec = extend;
  const mono = uint('MONOTONIC_USEC');
  if (mono !== undefined) fields.monotonicUSec = mono;
  return fields;
}

/** Socket path for a unit; sun_path holds 108 bytes, so long names are hashed. */
export function notifySocketPath(runtimeDir: string, unit: string): string {
  const dir = join(runtimeDir, 'notify');
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const direct = join(dir, unit);
  if (Buffer.byteLength(direct) < 100) return direct;
  return join(dir, sha256(unit).toString('hex').slice(0, 32));
}

// PID 1's file descriptors, shared out. Every client connection (control socket, journal
// stdout stream) holds one of PID 1's fds, and a spawn needs fds too (pipe2, the exec-status
// pipe, the service's output stream). A container started with a low `--ulimit nofile=` would
// let clients use the whole limit: then spawns fail with EMFILE and a Restart=always service
// ends in its start limit. So each kind of client connection gets at most a share of the soft
// RLIMIT_NOFILE, and half of it always stays for PID 1's own work.

import { readFileSync } from 'node:fs';

/** The share of RLIMIT_NOFILE one kind of client connection may hold; two kinds use half at most. */
export const CLIENT_FD_SHARE = 0.25;
/** Never fewer connections than this, however low the limit (root must still get in). */
const MIN_CONNECTIONS = 8;

/** The soft "Max open files" of this process, or undefined when unlimited or unreadable. */
export function openFilesLimit(limitsText?: string): number | undefined {
  let text = limitsText;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/limits', 'utf8');
    } catch {
      return undefined;
    }
  }
  const soft = /^Max open files\s+(\S+)/m.exec(text)?.[1];
  return soft !== undefined && /^\d+$/.test(soft) ? Number(soft) : undefined;
}

/** `configured` connections, lowered to this kind's share of the open-files limit. */
export function connectionCap(configured: number, limit: number | undefined = openFilesLimit()): number {
  if (limit === undefined) return configured;
  return Math.min(configured, Math.max(MIN_CONNECTIONS, Math.floor(limit * CLIENT_FD_SHARE)));
}

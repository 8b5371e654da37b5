// A service's file-descriptor store (FDSTORE=1 on the notify socket, FileDescriptorStoreMax=):
// fds a service hands to PID 1 to get them back at its next start, after the socket units'
// fds, with LISTEN_FDS/LISTEN_FDNAMES. The store outlives restarts of the service and is
// closed when the service stops for good. Unless FDPOLL=0 came along, a stored fd is watched
// for EPOLLHUP/EPOLLERR and dropped when its peer goes away (systemd's on_fd_store_io()).

import { closeSync, fstatSync } from 'node:fs';
import { isValidFdName } from '../units/values/fd-name.js';
import { HangupWatch } from '../native/index.js';
import { keptFd } from './serialize-fields.js';
import { PRIORITY } from './log-sink.js';
import type { PassedFds } from './unit-type.js';

/** The name a stored fd gets when FDNAME= is missing or invalid (sd_pid_notify_with_fds(3)). */
const DEFAULT_FD_NAME = 'stored';

interface StoredFd {
  fd: number;
  name: string;
  /** Device and inode of a socket: the same socket sent twice is stored once (same_fd()). */
  socketId: string | undefined;
  /** FDPOLL= was not 0: a hang-up or error removes the fd. */
  poll: boolean;
}

export interface StoredFdSnapshot {
  fd: number;
  name: string;
  /** Missing in snapshots of older programs: polled, systemd's default. */
  poll?: boolean;
}

type Log = (message: string, priority: number) => void;

export class FdStore {
  private readonly entries: StoredFd[] = [];
  /** Created with the first polled fd, closed when the store empties. */
  private watch: HangupWatch | undefined;

  constructor(private readonly log: Log) {}

  get size(): number {
    return this.entries.length;
  }

  /**
   * FDSTORE=1: keeps `fds` (taken over from the notify socket) up to `max` entries, closing
   * the rest; a socket already in the store is not stored twice. `poll` false is FDPOLL=0.
   */
  add(fds: number[], fdName: string | undefined, max: number, poll = true): void {
    let name = DEFAULT_FD_NAME;
    if (fdName !== undefined) {
      if (isValidFdName(fdName)) name = fdName;
      else this.log('Passed FDNAME= name is invalid, ignoring.', PRIORITY.warning);
    }
    for (let i = 0; i < fds.length; i++) {
      const fd = fds[i];
      const socketId = socketIdentity(fd);
      if (socketId !== undefined && this.entries.some((e) => e.socketId === socketId)) {
        closeQuietly(fd);
        continue;
      }
      if (this.entries.length >= max) {
        this.log(`Cannot store more fds than FileDescriptorStoreMax=${max}, closing remaining.`, PRIORITY.warning);
        fds.slice(i).forEach(closeQuietly);
        return;
      }
      this.push({ fd, name, socketId, poll });
      this.log(`Added fd ${fd} (${name}) to fd store.`, PRIORITY.debug);
    }
  }

  /** FDSTOREREMOVE=1 with FDNAME=: closes every stored fd of that name. */
  remove(fdName: string | undefined): void {
    if (fdName === undefined || !isValidFdName(fdName)) {
      this.log('FDSTOREREMOVE=1 requested, but no valid file descriptor name passed, ignoring.', PRIORITY.warning);
      return;
    }
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const entry = this.entries[i];
      if (entry.name !== fdName) continue;
      this.log(`Got explicit request to remove fd ${entry.fd} (${entry.name}), closing.`, PRIORITY.debug);
      this.unlink(i);
    }
  }

  /** EPOLLHUP or EPOLLERR on a stored fd: its peer is gone, so it is worth nothing at the next start. */
  private hungUp(fd: number, error: boolean): void {
    const i = this.entries.findIndex((e) => e.fd === fd);
    if (i < 0) return;
    this.log(`Received ${error ? 'EPOLLERR' : 'EPOLLHUP'} on stored fd ${fd} (${this.entries[i].name}), closing.`, PRIORITY.debug);
    this.unlink(i);
  }

  private push(entry: StoredFd): void {
    if (entry.poll) {
      try {
        this.watch ??= new HangupWatch((fd, error) => this.hungUp(fd, error));
        // false: not pollable (a memfd or regular file), which systemd accepts unwatched.
        entry.poll = this.watch.add(entry.fd);
      } catch (error) {
        this.log(`Failed to watch stored fd ${entry.fd}: ${(error as Error).message}`, PRIORITY.warning);
        entry.poll = false;
      }
    }
    this.entries.push(entry);
  }

  private unlink(index: number): void {
    const [entry] = this.entries.splice(index, 1);
    if (entry.poll) this.watch?.remove(entry.fd);
    closeQuietly(entry.fd);
    if (this.entries.length === 0) this.closeWatch();
  }

  private closeWatch(): void {
    this.watch?.close();
    this.watch = undefined;
  }

  /** The stored fds in the order they came, for the next start. */
  passed(): PassedFds | undefined {
    if (this.entries.length === 0) return undefined;
    return { fds: this.entries.map((e) => e.fd), names: this.entries.map((e) => e.name) };
  }

  /** daemon-reexec: the stored fds, named to keep across execve (service_serialize()'s fd-store-fd=). */
  snapshot(keep: (fd: number) => void): StoredFdSnapshot[] {
    return this.entries.map((e) => {
      keep(e.fd);
      return { fd: e.fd, name: e.name, poll: e.poll };
    });
  }

  /** The store as the previous program had it; an fd no longer open here is dropped. */
  restore(list: StoredFdSnapshot[] | undefined): void {
    for (const s of list ?? []) {
      const fd = keptFd(s.fd);
      if (fd !== undefined) this.push({ fd, name: s.name, socketId: socketIdentity(fd), poll: s.poll ?? true });
    }
  }

  /** The service stopped for good (or went away): close everything. */
  release(): void {
    if (this.entries.length === 0) return;
    this.log(`Releasing ${this.entries.length} fds from fd store.`, PRIORITY.debug);
    for (const entry of this.entries.splice(0)) closeQuietly(entry.fd);
    this.closeWatch();
  }
}

function socketIdentity(fd: number): string | undefined {
  try {
    const st = fstatSync(fd);
    return st.isSocket() ? `${st.dev}:${st.ino}` : undefined;
  } catch {
    return undefined;
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed: nothing leaks
  }
}

/** Socket units' fds first, then the store's (service_collect_fds()). */
export function joinPassedFds(sockets: PassedFds | undefined, stored: PassedFds | undefined): PassedFds | undefined {
  if (!stored) return sockets;
  if (!sockets) return stored;
  return { fds: [...sockets.fds, ...stored.fds], names: [...sockets.names, ...stored.names] };
}

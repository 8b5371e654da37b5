// Peer credentials of the control socket and the child-subreaper flag.

import type { Socket } from 'node:net';
import { native } from './binding.js';
import type { Credentials } from './datagram.js';
import { MAX_FD, expectInteger } from './validate.js';

/** SO_PEERCRED of a connected unix stream socket: who connected, per the kernel. */
export function peerCredentials(fd: number): Credentials {
  expectInteger(fd, 'fd', 0, MAX_FD);
  return native.peerCredentials(fd);
}

/**
 * SO_PEERCRED of a connected net.Socket (unix stream), or undefined when it has no descriptor
 * any more. libuv keeps the fd on the socket's handle, which is not public API: read defensively.
 */
export function socketPeerCredentials(socket: Socket): Credentials | undefined {
  const handle: unknown = (socket as unknown as { _handle?: unknown })._handle;
  if (typeof handle !== 'object' || handle === null || !('fd' in handle) || typeof handle.fd !== 'number' || handle.fd < 0) return undefined;
  try {
    return peerCredentials(handle.fd);
  } catch {
    return undefined;
  }
}

/** PR_SET_CHILD_SUBREAPER: orphans of our descendants come to us instead of to PID 1. */
export function setChildSubreaper(): void {
  native.setChildSubreaper();
}

export function isChildSubreaper(): boolean {
  return native.isChildSubreaper();
}

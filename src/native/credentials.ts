// Peer credentials of the control socket and the child-subreaper flag.

import { native } from './binding.js';
import type { Credentials } from './datagram.js';
import { MAX_FD, expectInteger } from './validate.js';

/** SO_PEERCRED of a connected unix stream socket: who connected, per the kernel. */
export function peerCredentials(fd: number): Credentials {
  expectInteger(fd, 'fd', 0, MAX_FD);
  return native.peerCredentials(fd);
}

/** PR_SET_CHILD_SUBREAPER: orphans of our descendants come to us instead of to PID 1. */
export function setChildSubreaper(): void {
  native.setChildSubreaper();
}

export function isChildSubreaper(): boolean {
  return native.isChildSubreaper();
}

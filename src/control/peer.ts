// Who is on the other end of a control connection. The kernel knows
// (SO_PEERCRED) but Node does not expose it, so this asks the native addon
// when it is built. Everything about credentials goes through this one file.

import type { Socket } from 'node:net';

export interface PeerCredentials {
  pid: number;
  uid: number;
  gid: number;
}

type PeerCredentialsFn = (fd: number) => PeerCredentials | undefined;

let lookup: Promise<PeerCredentialsFn | undefined> | undefined;

// The addon is optional at this layer: a missing or half-built native module
// must not stop the control server, so it is loaded by a specifier tsc does not
// resolve and checked for shape at run time.
function credentialsFnOf(mod: unknown): PeerCredentialsFn | undefined {
  if (typeof mod !== 'object' || mod === null) return undefined;
  const holder = 'native' in mod && typeof mod.native === 'object' && mod.native !== null ? mod.native : mod;
  if (!('peerCredentials' in holder) || typeof holder.peerCredentials !== 'function') return undefined;
  const fn = holder.peerCredentials as (fd: number) => unknown;
  return (fd) => {
    const c = fn(fd);
    if (typeof c !== 'object' || c === null) return undefined;
    const { pid, uid, gid } = c as Record<string, unknown>;
    return typeof pid === 'number' && typeof uid === 'number' && typeof gid === 'number' ? { pid, uid, gid } : undefined;
  };
}

async function loadNative(): Promise<PeerCredentialsFn | undefined> {
  // index.js is the addon's public face once it exists; binding.js exports `native` today.
  for (const specifier of ['../native/index.js', '../native/binding.js']) {
    try {
      const fn = credentialsFnOf(await import(specifier));
      if (fn !== undefined) return fn;
    } catch {
      // not built, or not there yet
    }
  }
  return undefined;
}

/** libuv keeps the descriptor on the socket's handle; it is not public API, so read it defensively. */
function socketFd(socket: Socket): number | undefined {
  const handle: unknown = (socket as unknown as { _handle?: unknown })._handle;
  if (typeof handle === 'object' && handle !== null && 'fd' in handle && typeof handle.fd === 'number' && handle.fd >= 0) {
    return handle.fd;
  }
  return undefined;
}

/** Whether peers can be identified at all (the native addon is there). */
export async function peerCredentialsAvailable(): Promise<boolean> {
  lookup ??= loadNative();
  return (await lookup) !== undefined;
}

/** The peer's credentials, or undefined when they cannot be known (no native addon). */
export async function peerCredentials(socket: Socket): Promise<PeerCredentials | undefined> {
  lookup ??= loadNative();
  const fn = await lookup;
  const fd = socketFd(socket);
  if (fn === undefined || fd === undefined) return undefined;
  try {
    return fn(fd);
  } catch {
    return undefined;
  }
}

// The address forms of ListenStream=/ListenDatagram=/ListenSequentialPacket= (systemd.socket(5),
// socket_address_parse()): a port, IPv4:port, [IPv6]:port (with %ifname), a unix path or an
// abstract @name; and how systemd prints each one (Listen= in show, LISTEN in list-sockets).

import { isIPv4, isIPv6 } from 'node:net';

export const SOCKET_KINDS = ['Stream', 'Datagram', 'SequentialPacket'] as const;
export type SocketKind = (typeof SOCKET_KINDS)[number];

/** Listen*= kinds, named as systemd prints them in `Listen=` (`/run/x (FIFO)`). */
export const SOCKET_PORT_KINDS = ['Stream', 'Datagram', 'SequentialPacket', 'FIFO', 'Special', 'Netlink', 'MessageQueue', 'USBFunction'] as const;
export type SocketPortKind = (typeof SOCKET_PORT_KINDS)[number];

export type SocketAddress =
  /** `host` undefined: a bare port, bound to [::] (dual stack unless BindIPv6Only=ipv6-only). */
  | { family: 'inet6'; host: string | undefined; port: number; scope?: string }
  | { family: 'inet'; host: string; port: number }
  | { family: 'unix'; path: string }
  /** Abstract namespace: `name` without the leading `@`. */
  | { family: 'abstract'; name: string };

export type AddressParse = { ok: true; address: SocketAddress } | { ok: false; error: string };

function parsePort(text: string): number | undefined {
  if (!/^[0-9]+$/.test(text)) return undefined;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : undefined;
}

/** One Listen*= value (already specifier-expanded). */
export function parseSocketAddress(value: string, kind: SocketKind): AddressParse {
  const fail = (error: string): AddressParse => ({ ok: false, error });
  if (value.startsWith('vsock:')) return fail(`AF_VSOCK sockets are not supported in a container: ${value}`);
  if (value.startsWith('/')) {
    if (Buffer.byteLength(value) > 107) return fail(`Socket path too long: ${value}`);
    return { ok: true, address: { family: 'unix', path: value } };
  }
  if (value.startsWith('@')) {
    if (Buffer.byteLength(value) > 107) return fail(`Abstract socket name too long: ${value}`);
    return { ok: true, address: { family: 'abstract', name: value.slice(1) } };
  }
  if (kind === 'SequentialPacket') return fail(`Address family not supported, ignoring: ${value}`);
  const bare = parsePort(value);
  if (bare !== undefined) return { ok: true, address: { family: 'inet6', host: undefined, port: bare } };
  const v6 = /^\[([^\]%]+)(?:%([^\]]+))?\]:([0-9]+)$/.exec(value) ?? /^\[([^\]%]+)\]%?([^:]*)?:([0-9]+)$/.exec(value);
  if (v6) {
    const port = parsePort(v6[3]);
    if (!isIPv6(v6[1]) || port === undefined) return fail(`Failed to parse address value, ignoring: ${value}`);
    return { ok: true, address: { family: 'inet6', host: v6[1], port, ...(v6[2] ? { scope: v6[2] } : {}) } };
  }
  const v4 = /^([0-9.]+):([0-9]+)$/.exec(value);
  if (v4) {
    const port = parsePort(v4[2]);
    if (!isIPv4(v4[1]) || port === undefined) return fail(`Failed to parse address value, ignoring: ${value}`);
    return { ok: true, address: { family: 'inet', host: v4[1], port } };
  }
  return fail(`Failed to parse address value, ignoring: ${value}`);
}

/** How systemd prints an address (socket_address_print()): `[::]:22`, `127.0.0.1:80`, `/run/x.sock`, `@name`. */
export function formatSocketAddress(a: SocketAddress): string {
  switch (a.family) {
    case 'inet6':
      return `[${a.host ?? '::'}]:${a.port}${a.scope ? `%${a.scope}` : ''}`;
    case 'inet':
      return `${a.host}:${a.port}`;
    case 'unix':
      return a.path;
    case 'abstract':
      return `@${a.name}`;
  }
}

/** The node a unix socket puts in the file system, if any. */
export function socketPath(a: SocketAddress): string | undefined {
  return a.family === 'unix' ? a.path : undefined;
}

// [Socket] (systemd.socket(5)): what a socket unit listens on, its socket options, and the
// service it activates. Exec (systemd.exec(5)) and kill (systemd.kill(5)) keys of the section
// go to a service-shaped section through SERVICE_KEYS, so both types parse them alike.

import { isValidFdName } from '../values/fd-name.js';
import { expandSpecifiers } from '../values/specifiers.js';
import { parseSocketAddress, type SocketKind, type SocketPortKind } from '../values/socket-address.js';
import { bool, enumeration, mode, timespan, unsigned, type KeyContext, type KeyHandler, type KeyTable } from './key-handler.js';
import { simplifyAbsolutePath } from './path-keys.js';
import { SERVICE_KEYS } from './service-keys.js';
import type { SocketSection } from './types.js';

const BIND_IPV6_ONLY = ['default', 'both', 'ipv6-only'] as const;

/** IPTOS= names (systemd's ip_tos_table, the IPTOS_* bits of <netinet/ip.h>); a number 0..255 also goes. */
const IP_TOS_NAMES: Readonly<Record<string, number>> = { 'low-delay': 0x10, throughput: 0x08, reliability: 0x04, 'low-cost': 0x02 };

/** config_parse_ip_tos(). */
function parseIpTos(value: string): number | undefined {
  const named = IP_TOS_NAMES[value];
  if (named !== undefined) return named;
  return /^\d+$/.test(value) && Number(value) <= 0xff ? Number(value) : undefined;
}

function expand(value: string, ctx: KeyContext): string | undefined {
  const r = expandSpecifiers(value, ctx.specifiers);
  if (r.ok) return r.value;
  ctx.warn(`Failed to resolve unit specifiers in ${value}, ignoring: ${r.error}`);
  return undefined;
}

/** ListenStream=/ListenDatagram=/ListenSequentialPacket=: an address (config_parse_socket_listen). */
function addressPort(kind: SocketKind): KeyHandler<SocketSection> {
  return (s, value, ctx) => {
    if (value === '') {
      s.ports = []; // an empty assignment clears every Listen*=
      return;
    }
    const text = expand(value, ctx);
    if (text === undefined) return;
    const r = parseSocketAddress(text, kind);
    if (!r.ok) {
      ctx.warn(r.error);
      return;
    }
    s.ports.push({ kind, address: r.address, text: text });
  };
}

/** ListenFIFO=/ListenSpecial=/ListenMessageQueue=/ListenUSBFunction=: a path; ListenNetlink=: `family group`. */
function pathPort(kind: SocketPortKind): KeyHandler<SocketSection> {
  return (s, value, ctx) => {
    if (value === '') {
      s.ports = [];
      return;
    }
    const text = expand(value, ctx);
    if (text === undefined) return;
    if (kind === 'Netlink' || kind === 'MessageQueue') {
      s.ports.push({ kind, text });
      return;
    }
    const path = simplifyAbsolutePath(`Listen${kind}`, text, ctx.warn);
    if (path !== undefined) s.ports.push({ kind, text: path });
  };
}

/** parse_size() with base 1024: `8M` = 8 MiB. */
function byteSize(set: (s: SocketSection, v: number) => void): KeyHandler<SocketSection> {
  const factors: Record<string, number> = { '': 1, B: 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 };
  return (s, value, ctx) => {
    const m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*([BKMG]?)\s*$/.exec(value);
    const v = m ? Math.floor(Number(m[1]) * factors[m[2]]) : NaN;
    if (Number.isFinite(v) && v <= 0x7fffffff) set(s, v);
    else ctx.warn(`Failed to parse ${ctx.key}=, ignoring: ${value}`);
  };
}

const seconds = (usec: number): number => Math.floor(usec / 1_000_000);

export const SOCKET_KEYS: KeyTable<SocketSection> = {
  ListenStream: addressPort('Stream'),
  ListenDatagram: addressPort('Datagram'),
  ListenSequentialPacket: addressPort('SequentialPacket'),
  ListenFIFO: pathPort('FIFO'),
  ListenSpecial: pathPort('Special'),
  ListenNetlink: pathPort('Netlink'),
  ListenMessageQueue: pathPort('MessageQueue'),
  ListenUSBFunction: pathPort('USBFunction'),
  Accept: bool((s, v) => (s.accept = v)),
  Service: (s, value, ctx) => {
    const r = expand(value, ctx);
    if (r === undefined) return;
    if (!r.endsWith('.service') || r.includes('@.')) {
      ctx.warn(`Unit must be of type service, ignoring: ${value}`);
      return;
    }
    s.service = r;
  },
  BindIPv6Only: enumeration(BIND_IPV6_ONLY, 'bind IPv6 only value', (s, v) => (s.bindIPv6Only = v)),
  Backlog: unsigned((s, v) => (s.backlog = Math.min(v, 2147483647))),
  SocketUser: (s, value, ctx) => (s.socketUser = value === '' ? undefined : expand(value, ctx)),
  SocketGroup: (s, value, ctx) => (s.socketGroup = value === '' ? undefined : expand(value, ctx)),
  SocketMode: mode((s, v) => (s.socketMode = v)),
  DirectoryMode: mode((s, v) => (s.directoryMode = v)),
  RemoveOnStop: bool((s, v) => (s.removeOnStop = v)),
  Symlinks: (s, value, ctx) => {
    if (value === '') {
      s.symlinks = [];
      return;
    }
    for (const word of value.split(/\s+/).filter(Boolean)) {
      const text = expand(word, ctx);
      const path = text === undefined ? undefined : simplifyAbsolutePath('Symlinks', text, ctx.warn);
      if (path !== undefined) s.symlinks.push(path);
    }
  },
  FileDescriptorName: (s, value, ctx) => {
    const name = expand(value, ctx);
    if (name === undefined) return;
    if (!isValidFdName(name)) ctx.warn(`Invalid file descriptor name, ignoring: ${value}`);
    else s.fileDescriptorName = name === '' ? undefined : name;
  },
  ReusePort: bool((s, v) => (s.reusePort = v)),
  FreeBind: bool((s, v) => (s.freeBind = v)),
  Transparent: bool((s, v) => (s.transparent = v)),
  Broadcast: bool((s, v) => (s.broadcast = v)),
  PassCredentials: bool((s, v) => (s.passCredentials = v)),
  PassSecurity: bool((s, v) => (s.passSecurity = v)),
  KeepAlive: bool((s, v) => (s.keepAlive = v)),
  KeepAliveTimeSec: timespan((s, v) => (s.keepAliveTimeUSec = v)),
  KeepAliveIntervalSec: timespan((s, v) => (s.keepAliveIntervalUSec = v)),
  KeepAliveProbes: unsigned((s, v) => (s.keepAliveProbes = v)),
  NoDelay: bool((s, v) => (s.noDelay = v)),
  DeferAcceptSec: timespan((s, v) => (s.deferAcceptUSec = v)),
  IPTOS: (s, value, ctx) => {
    const v = parseIpTos(value.trim());
    if (v === undefined) ctx.warn(`Failed to parse IP TOS value, ignoring: ${value}`);
    else s.ipTos = v;
  },
  // config_parse_int: any int; the kernel refuses what is out of range when it is applied.
  IPTTL: (s, value, ctx) => {
    const v = value.trim();
    if (/^[-+]?\d+$/.test(v) && Math.abs(Number(v)) <= 0x7fffffff) s.ipTtl = Number(v);
    else ctx.warn(`Failed to parse int value, ignoring: ${value}`);
  },
  ReceiveBuffer: byteSize((s, v) => (s.receiveBuffer = v)),
  SendBuffer: byteSize((s, v) => (s.sendBuffer = v)),
  Mark: unsigned((s, v) => (s.mark = v)),
  Priority: unsigned((s, v) => (s.priority = v)),
  Writable: bool((s, v) => (s.writable = v)),
  FlushPending: bool((s, v) => (s.flushPending = v)),
  MaxConnections: unsigned((s, v) => (s.maxConnections = v)),
  MaxConnectionsPerSource: unsigned((s, v) => (s.maxConnectionsPerSource = v)),
  TimeoutSec: timespan((s, v) => (s.timeoutUSec = v === 0 ? Number.POSITIVE_INFINITY : v)),
  TriggerLimitIntervalSec: timespan((s, v) => (s.triggerLimitIntervalUSec = v)),
  TriggerLimitBurst: unsigned((s, v) => (s.triggerLimitBurst = v)),
  // ExecStopPre= runs before the ports close: kept in the service-shaped section's stop list.
  ExecStopPre: (s, value, ctx) => SERVICE_KEYS.ExecStop(s.exec, value, ctx),
};

/** The socket's exec and kill keys (User=, ExecStartPre=, KillMode= ...), parsed as a service's. */
export function socketExecKey(key: string): KeyHandler<SocketSection> | undefined {
  const handler = SERVICE_KEYS[key];
  if (!handler || key === 'ExecStart' || key === 'ExecStop' || key === 'ExecReload' || key === 'ExecCondition') return undefined;
  return (s, value, ctx) => handler(s.exec, value, ctx);
}

/** Keep-alive seconds as setsockopt takes them (0: the kernel's default). */
export function keepAliveSeconds(usec: number): number | undefined {
  return usec > 0 && Number.isFinite(usec) ? Math.max(1, seconds(usec)) : undefined;
}

/** socket_verify(): the refusals of systemd 252, in its words. */
export function socketRefusal(s: SocketSection): string | undefined {
  if (s.ports.length === 0) return 'Unit has no Listen setting (ListenStream=, ListenDatagram=, ListenFIFO=, ...). Refusing.';
  const addressed = s.ports.filter((p) => p.address !== undefined);
  if (s.accept && addressed.some((p) => p.kind === 'Datagram')) return 'Unit configured for accepting sockets, but sockets are non-accepting. Refusing.';
  if (s.accept && s.maxConnections <= 0) return 'MaxConnection= setting too small. Refusing.';
  if (s.accept && s.service !== undefined) return 'Explicit service configuration for accepting socket units not supported. Refusing.';
  const nodes = s.ports.filter((p) => p.kind === 'FIFO' || p.kind === 'Special' || p.address?.family === 'unix');
  if (s.symlinks.length > 0 && nodes.length !== 1) return 'Unit has symlinks set but none or more than one node in the file system. Refusing.';
  return undefined;
}

// %-specifiers of unit files (systemd.unit(5) "Specifiers"), with the values the
// system manager uses. The loader fills a SpecifierContext per unit; host facts
// (hostname, machine id, os-release ...) are read lazily and may be overridden.

import { readFileSync } from 'node:fs';
import os from 'node:os';
import { dirname } from 'node:path';
import { parseUnitName, unescapeUnitString } from '../unit-name.js';
import { ParseResult, ok, fail } from './result.js';
import { STRERROR } from './errno.js';

export interface HostFacts {
  hostname: string;
  prettyHostname?: string;
  machineId?: string;
  bootId?: string;
  kernelRelease: string;
  architecture: string;
  osRelease: Record<string, string>;
}

export interface SpecifierContext {
  /** Full unit name, e.g. `spec@foo\x2dbar-baz.service`. */
  unitName: string;
  /** Path of the fragment the unit was loaded from (%y / %Y). */
  fragmentPath?: string;
  /** Host facts; read from the running system when absent. */
  host?: Partial<HostFacts>;
}

/** Specifiers `[Install]` accepts (systemd.unit(5)); the others are errors there. */
export const INSTALL_SPECIFIERS = 'abBgGHijlmnNopuUvwW';

/** systemd's architecture names for Node's process.arch values. */
const ARCHITECTURES: Record<string, string> = {
  x64: 'x86-64',
  ia32: 'x86',
  arm64: 'arm64',
  arm: 'arm',
  ppc64: os.endianness() === 'LE' ? 'ppc64-le' : 'ppc64',
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loongarch64',
  mips: 'mips',
  mipsel: 'mips-le',
};

export function systemdArchitecture(arch: string = process.arch): string {
  return ARCHITECTURES[arch] ?? arch;
}

function readTrimmed(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** os-release(5) as key → value, unquoted; /etc first, then /usr/lib. */
export function readOsRelease(): Record<string, string> {
  const text = readTrimmed('/etc/os-release') ?? readTrimmed('/usr/lib/os-release') ?? '';
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line.trim());
    if (!m) continue;
    let v = m[2];
    if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) v = v.slice(1, -1);
    out[m[1]] = v.replace(/\\(.)/g, '$1');
  }
  return out;
}

let cachedHost: HostFacts | undefined;

/** Facts about this machine, read once. */
export function readHostFacts(): HostFacts {
  if (cachedHost) return cachedHost;
  const id128 = (s: string | undefined): string | undefined => {
    const v = s?.replace(/-/g, '').toLowerCase();
    return v !== undefined && /^[0-9a-f]{32}$/.test(v) ? v : undefined;
  };
  const machineInfo = readTrimmed('/etc/machine-info') ?? '';
  const pretty = /^PRETTY_HOSTNAME=["']?(.*?)["']?$/m.exec(machineInfo)?.[1];
  cachedHost = {
    hostname: os.hostname(),
    prettyHostname: pretty,
    machineId: id128(readTrimmed('/etc/machine-id')),
    bootId: id128(readTrimmed('/proc/sys/kernel/random/boot_id')),
    kernelRelease: os.release(),
    architecture: systemdArchitecture(),
    osRelease: readOsRelease(),
  };
  return cachedHost;
}

type Resolver = (ctx: SpecifierContext) => ParseResult<string>;

function nameParts(ctx: SpecifierContext): { prefix: string; instance?: string; stem: string } {
  const p = parseUnitName(ctx.unitName);
  const dot = ctx.unitName.lastIndexOf('.');
  const stem = dot > 0 ? ctx.unitName.slice(0, dot) : ctx.unitName;
  if (!p) return { prefix: stem, stem };
  return { prefix: p.prefix, instance: p.instance, stem };
}

function unescaped(s: string): ParseResult<string> {
  const u = unescapeUnitString(s);
  return u === undefined ? fail(STRERROR.EINVAL) : ok(u);
}

/** `%f`: "/" plus the unescaped instance (or prefix); systemd's unit_name_path_unescape(). */
function pathUnescaped(s: string): ParseResult<string> {
  if (s === '' || s === '-') return ok('/');
  const u = unescapeUnitString(s);
  if (u === undefined) return fail(STRERROR.EINVAL);
  return ok(u.startsWith('/') ? u : '/' + u);
}

function lastComponent(prefix: string): string {
  const dash = prefix.lastIndexOf('-');
  return dash < 0 ? prefix : prefix.slice(dash + 1);
}

function host<K extends keyof HostFacts>(ctx: SpecifierContext, key: K): HostFacts[K] {
  const given = ctx.host?.[key];
  return given !== undefined ? (given as HostFacts[K]) : readHostFacts()[key];
}

function osField(field: string): Resolver {
  return (ctx) => ok(host(ctx, 'osRelease')[field] ?? '');
}

const RESOLVERS: Record<string, Resolver> = {
  n: (ctx) => ok(ctx.unitName),
  N: (ctx) => ok(nameParts(ctx).stem),
  p: (ctx) => ok(nameParts(ctx).prefix),
  P: (ctx) => unescaped(nameParts(ctx).prefix),
  i: (ctx) => ok(nameParts(ctx).instance ?? ''),
  I: (ctx) => unescaped(nameParts(ctx).instance ?? ''),
  j: (ctx) => ok(lastComponent(nameParts(ctx).prefix)),
  J: (ctx) => unescaped(lastComponent(nameParts(ctx).prefix)),
  f: (ctx) => {
    const parts = nameParts(ctx);
    return pathUnescaped(parts.instance !== undefined ? parts.instance : parts.prefix);
  },
  t: () => ok('/run'),
  S: () => ok('/var/lib'),
  C: () => ok('/var/cache'),
  L: () => ok('/var/log'),
  E: () => ok('/etc'),
  T: () => ok('/tmp'),
  V: () => ok('/var/tmp'),
  // The system manager runs as root: these describe it, not User= (systemd.unit(5)).
  h: () => ok('/root'),
  u: () => ok('root'),
  U: () => ok('0'),
  g: () => ok('root'),
  G: () => ok('0'),
  s: () => ok('/bin/sh'),
  H: (ctx) => ok(host(ctx, 'hostname')),
  l: (ctx) => ok(host(ctx, 'hostname').split('.')[0]),
  q: (ctx) => ok(host(ctx, 'prettyHostname') ?? host(ctx, 'hostname').split('.')[0]),
  m: (ctx) => {
    const id = host(ctx, 'machineId');
    return id === undefined ? fail(STRERROR.ENOMEDIUM) : ok(id);
  },
  b: (ctx) => {
    const id = host(ctx, 'bootId');
    return id === undefined ? fail(STRERROR.ENOENT) : ok(id);
  },
  v: (ctx) => ok(host(ctx, 'kernelRelease')),
  a: (ctx) => ok(host(ctx, 'architecture')),
  o: osField('ID'),
  w: osField('VERSION_ID'),
  W: osField('VARIANT_ID'),
  B: osField('BUILD_ID'),
  A: osField('IMAGE_VERSION'),
  M: osField('IMAGE_ID'),
  y: (ctx) => ok(ctx.fragmentPath ?? ''),
  Y: (ctx) => ok(ctx.fragmentPath !== undefined ? dirname(ctx.fragmentPath) : ''),
  d: (ctx) => ok(`/run/credentials/${ctx.unitName}`),
};

/**
 * Expand every `%x` in `text`. An unknown specifier fails with errno text
 * "Invalid slot" (EBADSLT), which callers put into systemd's messages. A lone
 * `%` at the very end stays, as in systemd. `allowed` limits the set ([Install]).
 */
export function expandSpecifiers(text: string, ctx: SpecifierContext, allowed?: string): ParseResult<string> {
  if (!text.includes('%')) return ok(text);
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c !== '%') {
      out += c;
      continue;
    }
    const spec = text[i + 1];
    if (spec === undefined) {
      out += '%';
      break;
    }
    i++;
    if (spec === '%') {
      out += '%';
      continue;
    }
    const resolver = RESOLVERS[spec];
    if (resolver === undefined || (allowed !== undefined && !allowed.includes(spec))) return fail(STRERROR.EBADSLT);
    const r = resolver(ctx);
    if (!r.ok) return r;
    out += r.value;
  }
  return ok(out);
}

// Condition*= and Assert*= (systemd.unit(5) "Conditions and Asserts"), checked
// when a start job is about to run. Plain entries are ANDed; `|` entries are
// ORed among themselves (at least one must hold when any exist); `!` negates.
// Container answers: Virtualization is `container`/`docker`, Security, FirstBoot
// and NeedsUpdate are false, ACPower is true; KernelCommandLine reads
// /proc/cmdline (the host's, as systemd in a container does without its own).

import { accessSync, constants, readdirSync, readFileSync, statSync, lstatSync, existsSync } from 'node:fs';
import { hostname, arch as osArch } from 'node:os';
import { dirname } from 'node:path';
import type { UnitCondition } from './unit-type.js';
import { globToRegExp } from '../units/glob.js';
import { capabilityFromName } from '../units/values/capabilities.js';

export interface ConditionContext {
  /** The manager's environment (NAME=value). */
  environment: string[];
  /** Virtualization answer: 'docker' or 'container'. */
  virtualization?: string;
}

/** The first failed entry (for the message), or undefined when the set holds. */
export function failedCondition(list: readonly UnitCondition[], ctx: ConditionContext): UnitCondition | undefined {
  let triggers = 0;
  let firstTrigger: UnitCondition | undefined;
  let anyTriggerHolds = false;
  for (const c of list) {
    const holds = evaluate(c, ctx);
    if (c.trigger) {
      triggers++;
      firstTrigger ??= c;
      if (holds) anyTriggerHolds = true;
    } else if (!holds) return c;
  }
  if (triggers > 0 && !anyTriggerHolds) return firstTrigger;
  return undefined;
}

/** `ConditionPathExists=!/x` as systemd writes it in messages. */
export function describeCondition(prefix: 'Condition' | 'Assert', c: UnitCondition): string {
  return `${prefix}${c.kind}=${c.trigger ? '|' : ''}${c.negate ? '!' : ''}${c.value}`;
}

function evaluate(c: UnitCondition, ctx: ConditionContext): boolean {
  let r: boolean;
  try {
    r = test(c.kind, c.value, ctx);
  } catch {
    r = false;
  }
  return c.negate ? !r : r;
}

function isDir(p: string): boolean {
  return statSync(p).isDirectory();
}

function mountPoint(p: string): boolean {
  if (!existsSync(p)) return false;
  if (p === '/') return true;
  const st = statSync(p);
  const parent = statSync(dirname(p));
  if (st.dev !== parent.dev) return true;
  // Bind mounts on the same device: ask the mount table.
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n');
  return mounts.some((l) => l.split(' ')[4] === p);
}

function readWrite(p: string): boolean {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n');
  let best = '';
  let opts = '';
  for (const l of mounts) {
    const f = l.split(' ');
    const mp = f[4];
    if (!mp) continue;
    if ((p === mp || p.startsWith(mp.endsWith('/') ? mp : mp + '/')) && mp.length >= best.length) {
      best = mp;
      opts = f[5] ?? '';
    }
  }
  return existsSync(p) && !opts.split(',').includes('ro');
}

function architecture(): string {
  const map: Record<string, string> = { x64: 'x86-64', ia32: 'x86', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64-le', s390x: 's390x', riscv64: 'riscv64' };
  return map[osArch()] ?? osArch();
}

function kernelCommandLine(value: string): boolean {
  let cmdline = '';
  try {
    cmdline = readFileSync('/proc/cmdline', 'utf8');
  } catch {
    return false;
  }
  const words = cmdline.trim().split(/\s+/);
  if (value.includes('=')) return words.includes(value);
  return words.some((w) => w === value || w.startsWith(value + '='));
}

function userMatches(value: string): boolean {
  const uid = process.getuid?.() ?? 0;
  if (value === '@system') return uid < 1000;
  if (/^\d+$/.test(value)) return Number(value) === uid;
  const passwd = readFileSync('/etc/passwd', 'utf8').split('\n');
  return passwd.some((l) => {
    const f = l.split(':');
    return f[0] === value && Number(f[2]) === uid;
  });
}

function groupMatches(value: string): boolean {
  const gids = new Set([process.getgid?.() ?? 0, ...(process.getgroups?.() ?? [])]);
  if (/^\d+$/.test(value)) return gids.has(Number(value));
  const group = readFileSync('/etc/group', 'utf8').split('\n');
  return group.some((l) => {
    const f = l.split(':');
    return f[0] === value && gids.has(Number(f[2]));
  });
}

/** Best effort: the capability is in our bounding set. */
function hasCapability(value: string): boolean {
  const index = capabilityFromName(value);
  if (index === undefined) return false;
  const status = readFileSync('/proc/self/status', 'utf8');
  const m = /^CapBnd:\s*([0-9a-f]+)/m.exec(status);
  if (!m) return false;
  return ((BigInt(`0x${m[1]}`) >> BigInt(index)) & 1n) === 1n;
}

/** Best effort: cgroup v2 lists its controllers; v1 has a hierarchy per controller. */
function controllerAvailable(value: string): boolean {
  try {
    const list = readFileSync('/sys/fs/cgroup/cgroup.controllers', 'utf8').trim().split(/\s+/);
    return value.split(/\s+/).every((c) => list.includes(c));
  } catch {
    return value.split(/\s+/).every((c) => existsSync(`/sys/fs/cgroup/${c}`));
  }
}

function virtualization(value: string, ctx: ConditionContext): boolean {
  const v = ctx.virtualization ?? (existsSync('/.dockerenv') ? 'docker' : 'container');
  const yes = ['1', 'yes', 'true', 'on', 'y', 't'];
  const no = ['0', 'no', 'false', 'off', 'n', 'f'];
  if (yes.includes(value)) return true;
  if (no.includes(value)) return false;
  return value === 'container' || value === v;
}

function test(kind: string, value: string, ctx: ConditionContext): boolean {
  switch (kind) {
    case 'PathExists':
      return existsSync(value);
    case 'PathExistsGlob': {
      const dir = dirname(value);
      const re = globToRegExp(value.slice(dir.length + (dir === '/' ? 0 : 1)));
      if (/[*?[]/.test(dir)) return false;
      return readdirSync(dir).some((n) => re.test(n));
    }
    case 'PathIsDirectory':
      return isDir(value);
    case 'PathIsSymbolicLink':
      return lstatSync(value).isSymbolicLink();
    case 'PathIsMountPoint':
      return mountPoint(value);
    case 'PathIsReadWrite':
      return readWrite(value);
    case 'PathIsEncrypted':
      return false;
    case 'DirectoryNotEmpty':
      return isDir(value) && readdirSync(value).some((n) => !n.startsWith('.'));
    case 'FileNotEmpty': {
      const st = statSync(value);
      return st.isFile() && st.size > 0;
    }
    case 'FileIsExecutable': {
      const st = statSync(value);
      if (!st.isFile()) return false;
      accessSync(value, constants.X_OK);
      return true;
    }
    case 'Virtualization':
      return virtualization(value, ctx);
    case 'Host': {
      if (/^[0-9a-f]{32}$/i.test(value)) {
        try {
          return readFileSync('/etc/machine-id', 'utf8').trim().toLowerCase() === value.toLowerCase();
        } catch {
          return false;
        }
      }
      return globToRegExp(value).test(hostname());
    }
    case 'KernelCommandLine':
      return kernelCommandLine(value);
    case 'Environment': {
      if (value.includes('=')) return ctx.environment.includes(value);
      return ctx.environment.some((e) => e.startsWith(value + '='));
    }
    case 'User':
      return userMatches(value);
    case 'Group':
      return groupMatches(value);
    case 'Architecture':
      return value === 'native' || value === architecture();
    case 'Capability':
      return hasCapability(value);
    case 'ControlGroupController':
      return controllerAvailable(value);
    case 'Security':
    case 'NeedsUpdate':
      return false;
    case 'FirstBoot':
      // Never a first boot: FirstBoot=no holds, FirstBoot=yes does not.
      return ['0', 'no', 'false', 'off', 'n', 'f'].includes(value);
    case 'ACPower':
      return !['0', 'no', 'false', 'off', 'n', 'f'].includes(value);
    default:
      // Unknown or not meaningful here (Memory=, CPUs=, OSRelease=, Credential=, ...): hold.
      return true;
  }
}

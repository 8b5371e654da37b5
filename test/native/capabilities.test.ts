// Capabilities, secure bits and scheduling of spawn(), read from the started process's
// /proc/PID/status, /proc/PID/sched and ioprio; refusals (run under setpriv without the
// privilege) fail with systemd's exit status for the step.

import t from 'tap';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn, type SpawnSpec } from '../../src/native/index.js';
import { ExitCollector, killQuietly, statusField } from './helpers.js';

const exits = new ExitCollector();
const started: number[] = [];
t.teardown(() => {
  started.forEach((pid) => killQuietly(pid));
  exits.close();
});

const CAP_SETPCAP = 8;
const CAP_NET_BIND_SERVICE = 10;
const CAP_SYS_NICE = 23;
const hex = (mask: bigint): string => mask.toString(16).padStart(16, '0');
/** Our own bounding set (a container may lack some, e.g. CAP_SYS_RESOURCE): what a child keeps by default. */
const ALL = statusField(process.pid, 'CapBnd');
const own = BigInt(`0x${ALL}`);

async function sleeper(extra: Partial<SpawnSpec>): Promise<number> {
  const spec: SpawnSpec = { path: '/bin/sleep', argv: ['sleep', '30'], env: [], ...extra };
  const { pid } = spawn(spec);
  started.push(pid);
  for (let waited = 0; waited < 5000; waited += 5) {
    if (readFileSync(`/proc/${pid}/cmdline`, 'utf8') === 'sleep\x0030\x00') return pid;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`sleep (pid ${pid}) did not finish execve within 5 s`);
}

function caps(pid: number): Record<string, string> {
  return Object.fromEntries(['CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb'].map((f) => [f, statusField(pid, f)]));
}

async function stop(pid: number): Promise<void> {
  killQuietly(pid, 'SIGTERM');
  await exits.exitOf(pid);
}

const needed = [CAP_SETPCAP, CAP_NET_BIND_SERVICE, CAP_SYS_NICE, 6, 7, 21].every((cap) => (BigInt(`0x${statusField(process.pid, 'CapEff')}`) >> BigInt(cap)) & 1n);
const rootSkip = process.getuid?.() === 0 && needed ? false : 'needs root with CAP_SETPCAP, CAP_SETUID/GID, CAP_SYS_NICE, CAP_SYS_ADMIN';

t.test('bounding set: kept capabilities only, for root; empty drops all', { skip: rootSkip }, async (t) => {
  let pid = await sleeper({ capabilityBoundingSet: [CAP_NET_BIND_SERVICE, CAP_SYS_NICE] });
  const kept = hex((1n << 10n) | (1n << 23n));
  t.same(caps(pid), { CapInh: hex(0n), CapPrm: kept, CapEff: kept, CapBnd: kept, CapAmb: hex(0n) });
  await stop(pid);
  pid = await sleeper({ capabilityBoundingSet: [] });
  t.same(caps(pid), { CapInh: hex(0n), CapPrm: hex(0n), CapEff: hex(0n), CapBnd: hex(0n), CapAmb: hex(0n) });
  await stop(pid);
  pid = await sleeper({});
  t.equal(caps(pid).CapBnd, ALL, 'nothing asked: the whole bounding set');
  await stop(pid);
});

t.test('ambient capabilities survive the change to nobody (keep-caps), and nothing else does', { skip: rootSkip }, async (t) => {
  const bind = hex(1n << 10n);
  let pid = await sleeper({ user: 'nobody', ambientCapabilities: [CAP_NET_BIND_SERVICE] });
  t.equal(statusField(pid, 'Uid'), '65534\t65534\t65534\t65534');
  t.same(caps(pid), { CapInh: bind, CapPrm: bind, CapEff: bind, CapBnd: ALL, CapAmb: bind });
  await stop(pid);
  pid = await sleeper({ ambientCapabilities: [CAP_NET_BIND_SERVICE] });
  t.same(caps(pid), { CapInh: bind, CapPrm: ALL, CapEff: ALL, CapBnd: ALL, CapAmb: bind }, 'root: inheritable and ambient raised');
  await stop(pid);
  pid = await sleeper({ user: 'nobody' });
  t.same(caps(pid), { CapInh: hex(0n), CapPrm: hex(0n), CapEff: hex(0n), CapBnd: ALL, CapAmb: hex(0n) }, 'without AmbientCapabilities= nobody has none');
  await stop(pid);
});

t.test('secure bits: noroot leaves root without capabilities after execve', { skip: rootSkip }, async (t) => {
  const pid = await sleeper({ secureBits: 1 << 0 });
  t.same(caps(pid), { CapInh: hex(0n), CapPrm: hex(0n), CapEff: hex(0n), CapBnd: ALL, CapAmb: hex(0n) });
  await stop(pid);
  const kept = await sleeper({ secureBits: (1 << 0) | (1 << 1), ambientCapabilities: [CAP_NET_BIND_SERVICE] });
  t.equal(caps(kept).CapEff, hex(1n << 10n), 'noroot + ambient: only the ambient capability');
  await stop(kept);
});

t.test('CPU scheduling policy/priority/reset-on-fork and the I/O class reach the process', { skip: rootSkip }, async (t) => {
  const pid = await sleeper({ cpuScheduling: { policy: 2, priority: 17, resetOnFork: true }, ioPriority: (3 << 13) | 0 });
  const sched = readFileSync(`/proc/${pid}/sched`, 'utf8');
  t.match(sched, /^policy\s+:\s+2$/m, 'SCHED_RR');
  t.match(sched, /^prio\s+:\s+82$/m, 'kernel prio 99 - 17');
  const chrt = await run('/usr/bin/chrt', ['-p', String(pid)]);
  t.match(chrt, /SCHED_RR\|SCHED_RESET_ON_FORK/);
  t.match(chrt, /priority: 17/);
  t.match(await run('/usr/bin/ionice', ['-p', String(pid)]), /^idle$/m);
  await stop(pid);
  const batch = await sleeper({ cpuScheduling: { policy: 3, priority: 0 }, ioPriority: (2 << 13) | 6 });
  t.match(await run('/usr/bin/chrt', ['-p', String(batch)]), /SCHED_BATCH/);
  t.match(await run('/usr/bin/ionice', ['-p', String(batch)]), /best-effort: prio 6/);
  await stop(batch);
});

function run(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(file, args, { timeout: 20_000, env: { ...process.env, NODE_OPTIONS: '' } }, (error, stdout) => (error ? reject(error) : resolve(stdout))),
  );
}

/** spawn-once.ts under `setpriv --bounding-set -CAPS`: a manager without those capabilities. */
async function withoutCaps(drop: string, spec: Partial<SpawnSpec>): Promise<{ exitCode?: number; step?: string; code?: string; status?: string }> {
  const fixture = join(import.meta.dirname, 'fixtures', 'spawn-once.ts');
  const loader = process.execArgv.filter((arg) => arg.includes('@tapjs/typescript'));
  const full: SpawnSpec = { path: '/bin/sleep', argv: ['sleep', '30'], env: [], ...spec };
  const output = await run('/usr/bin/setpriv', [`--bounding-set=${drop}`, '--', process.execPath, ...loader, fixture, JSON.stringify(full)]);
  return JSON.parse(output.trim().split('\n').pop()!) as { exitCode?: number; step?: string; code?: string };
}

t.test('refused by the kernel: systemd\'s exit status for each step', { skip: rootSkip }, async (t) => {
  t.match(await withoutCaps('-setpcap', { capabilityBoundingSet: [CAP_NET_BIND_SERVICE] }), { exitCode: 218, code: 'EPERM', step: 'prctl PR_CAPBSET_DROP' }, 'bounding set without CAP_SETPCAP: 218/CAPABILITIES');
  t.match(await withoutCaps('-sys_nice', { cpuScheduling: { policy: 1, priority: 10 } }), { exitCode: 214, code: 'EPERM' }, 'SCHED_FIFO without CAP_SYS_NICE: 214/SETSCHEDULER');
  t.match(await withoutCaps('-sys_nice,-sys_admin', { ioPriority: (1 << 13) | 0 }), { exitCode: 211, code: 'EPERM' }, 'realtime I/O without CAP_SYS_ADMIN: 211/IOPRIO');
  t.match(await withoutCaps('-setpcap', { secureBits: 1 << 4 }), { exitCode: 218, step: 'capset CAP_SETPCAP' }, 'secure bits without CAP_SETPCAP: 218');
  t.match(await withoutCaps(`-net_bind_service`, { ambientCapabilities: [CAP_NET_BIND_SERVICE] }), { exitCode: 218, code: 'EPERM', step: 'prctl PR_CAP_AMBIENT' }, 'an ambient capability outside the bounding set: 218');
  const kept = await withoutCaps('-setpcap', {});
  t.notOk(kept.exitCode, 'nothing asked: starts without CAP_SETPCAP');
  t.match(kept.status, new RegExp(`CapBnd:\\s+${hex(own & ~(1n << BigInt(CAP_SETPCAP)))}`));
});

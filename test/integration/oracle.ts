// The real systemd 252, booted as PID 1 in private namespaces over an overlay
// of / (systemd-oracle.sh beside this file), to compare unitd's behaviour with.
//
//   const o = await bootOracle({ units: { 'web.service': '...' }, enable: ['web.service'] });
//   const r = await o.ctl('show', '-p', 'ActiveState', 'web.service');   // { stdout, stderr, code }
//   await o.stop();
//
// Every call is bounded in time; stop() kills the namespace's PID 1 by PID,
// which takes everything inside with it.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'systemd-oracle.sh');

export interface OracleResult {
  stdout: string;
  stderr: string;
  code: number;
}

export interface OracleOptions {
  /** filename → content, copied to /etc/systemd/system. */
  units: Record<string, string>;
  /** Units wanted by the oracle's default target. */
  enable?: string[];
  /** Boot timeout, ms (default 30 s). */
  timeoutMs?: number;
}

export interface Oracle {
  /** Host PID of the namespace's PID 1 (systemd). */
  pid: number;
  /** systemctl ARGS inside, without colours or a pager. */
  ctl(...args: string[]): Promise<OracleResult>;
  /** Any command inside. */
  exec(...argv: string[]): Promise<OracleResult>;
  stop(): Promise<void>;
}

/** Why the oracle cannot run here, or undefined when it can. */
export function oracleUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (namespaces, overlay mounts)';
  if (!existsSync('/lib/systemd/systemd')) return 'systemd is not installed (/lib/systemd/systemd)';
  if (!existsSync(SCRIPT)) return `missing ${SCRIPT}`;
  return undefined;
}

function run(argv: string[], timeoutMs: number): Promise<OracleResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
      reject(new Error(`timed out after ${timeoutMs}ms: ${argv.join(' ')}`));
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code: code ?? 1 });
    });
  });
}

export async function bootOracle(options: OracleOptions): Promise<Oracle> {
  const why = oracleUnavailable();
  if (why !== undefined) throw new Error(`systemd oracle unavailable: ${why}`);
  const dir = mkdtempSync(join(tmpdir(), 'oracle-units-'));
  for (const [name, content] of Object.entries(options.units)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true }); // drop-ins: `x.service.d/y.conf`
    writeFileSync(join(dir, name), content);
  }
  let booted: OracleResult;
  try {
    booted = await run([SCRIPT, 'start', dir, ...(options.enable ?? [])], options.timeoutMs ?? 30_000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const pid = Number(booted.stdout.trim().split('\n').pop());
  if (booted.code !== 0 || !Number.isInteger(pid) || pid <= 1) {
    throw new Error(`systemd oracle did not boot (rc ${booted.code}): ${booted.stderr.trim()}`);
  }
  let stopped = false;
  const exec = (...argv: string[]): Promise<OracleResult> => run([SCRIPT, 'ctl', String(pid), ...argv], 20_000);
  return {
    pid,
    exec,
    ctl: (...args) => exec('env', 'SYSTEMD_COLORS=0', 'SYSTEMD_PAGER=', 'systemctl', ...args),
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    },
  };
}

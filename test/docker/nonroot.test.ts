// Non-root mode in a real container: `docker run --user 1000:1000` and `--user 12345` (a uid
// with no passwd entry, as OpenShift gives) with a unit without User= boot to running, answer
// systemctl run as that user, and stop cleanly with exit 0 on `docker stop`.
import { chmodSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { exec, logs, runContainer, stop, type CommandResult, type Container } from './harness.js';
import { APP_IMAGE, describeBuild, ensureAppImage } from './images.js';

t.setTimeout(15 * 60_000);

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function show(r: CommandResult): string {
  return `\`${r.command}\` → ${r.code}\n${r.stdout}${r.stderr}`;
}

async function waitState(c: Container, timeoutMs: number): Promise<string> {
  const started = performance.now();
  let last = '';
  while (performance.now() - started < timeoutMs) {
    const r = await exec(c, ['systemctl', 'is-system-running'], { timeoutMs: 20_000 });
    last = r.stdout.trim() || r.stderr.trim();
    if (last === 'running' || last === 'degraded') break;
    await sleep(250);
  }
  return last;
}

/** hello.service (no User=) and multi-user.target.wants/ linking it, as host files to bind-mount. */
function unitFiles(t: { teardown(fn: () => void): void }): { unit: string; wants: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'unitd-nonroot-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  chmodSync(dir, 0o755);
  const unit = path.join(dir, 'hello.service');
  writeFileSync(unit, `[Unit]
Description=Hello as the container's user
[Service]
ExecStart=/bin/sh -c 'echo "hello as uid $(id -u)"; exec sleep infinity'
`);
  chmodSync(unit, 0o644);
  const wants = path.join(dir, 'wants');
  mkdirSync(wants, { mode: 0o755 });
  symlinkSync('/etc/systemd/system/hello.service', path.join(wants, 'hello.service'));
  return { unit, wants };
}

const image = await ensureAppImage();

if (!image.ok) {
  t.skip(`no Docker engine: ${image.skip}`, () => {});
} else {
  t.comment(describeBuild(image.app));
  for (const user of ['1000:1000', '12345']) {
    const uid = user.split(':')[0];
    t.test(`docker run --user ${user}: a unit without User= boots to running and stops cleanly`, async (t) => {
      const files = unitFiles(t);
      const c = await runContainer(t, APP_IMAGE, {
        name: `unitd-nonroot-${uid}`,
        extraArgs: ['--user', user, '-v', `${files.unit}:/etc/systemd/system/hello.service:ro`, '-v', `${files.wants}:/etc/systemd/system/multi-user.target.wants:ro`],
        stopTimeoutSec: 30,
      });
      const s = await waitState(c, 120_000);
      const { stdout: consoleOut } = await logs(c);
      t.equal(s, 'running', 'is-system-running as that user', { details: consoleOut });
      t.match(consoleOut, new RegExp(`unitd: running as uid ${uid}\\b.*managing this user's units only`), 'the console says which mode');
      const active = await exec(c, ['systemctl', 'is-active', 'hello.service']);
      t.equal(active.stdout.trim(), 'active', 'hello.service runs', { details: show(active) });
      const status = await exec(c, ['systemctl', 'status', 'hello.service']);
      t.equal(status.code, 0, 'systemctl status as that user', { details: show(status) });
      t.match(status.stdout, new RegExp(`hello as uid ${uid}`), 'it runs as the container user');
      const probe = await exec(c, ['env', '-i', '/usr/bin/systemctl', 'is-system-running']);
      t.equal(probe.stdout.trim(), 'running', 'the probe path without any environment', { details: show(probe) });
      const asRoot = await exec(c, ['systemctl', 'is-active', 'hello.service'], { user: '0' });
      t.equal(asRoot.stdout.trim(), 'active', '`docker exec -u 0` finds the non-root manager', { details: show(asRoot) });

      const stopped = await stop(c, 30);
      t.comment(`docker stop took ${stopped.seconds.toFixed(1)} s`);
      t.equal(stopped.exitCode, 0, 'exit 0 after docker stop');
      const after = (await logs(c)).stdout;
      t.match(after, /Stopped hello\.service/, 'hello.service stopped in order', { details: after });
      t.match(after, /unitd: all units stopped, exiting\./, 'unitd finished its orderly stop');
    });
  }
}

// The full image under `docker run --read-only --tmpfs /run --tmpfs /tmp` (Kubernetes'
// readOnlyRootFilesystem), and the stop budget: a PostgreSQL cluster with TimeoutStopSec=30
// (a drop-in) and a service whose ExecStop takes 12 s (longer than the old fixed 9 s budget)
// under `docker stop -t 40` with UNITD_STOP_BUDGET=35s get their whole stop time.
//
// The services' own state stays writable the way a read-only deployment provides it: anonymous
// volumes on /var/lib and /var/log (Docker fills them from the image, as emptyDirs with an
// init copy would be on Kubernetes). Everything unitd writes goes to /run.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { docker, exec, logs, runContainer, stop, type CommandResult, type Container } from './harness.js';
import { describeBuild, ensureImages, FULL_IMAGE } from './images.js';

t.setTimeout(15 * 60_000);

const GRACE_SEC = 40;
const BUDGET = '35s';
const SLOW_STOP_SEC = 12;

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

/**
 * Host files to bind-mount: slow-stop.service (ordered after PostgreSQL, so it stops first and
 * PostgreSQL's stop waits for it), and the cluster's TimeoutStopSec=30 drop-in.
 */
function unitFiles(t: { teardown(fn: () => void): void }): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'unitd-readonly-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  chmodSync(dir, 0o755);
  const unit = path.join(dir, 'slow-stop.service');
  writeFileSync(unit, `[Unit]
Description=A service that needs ${SLOW_STOP_SEC} s to stop
After=postgresql.service postgresql@15-main.service
[Service]
ExecStart=/bin/sleep infinity
ExecStop=/bin/sh -c 'sleep ${SLOW_STOP_SEC}; echo "slow-stop: stopped after ${SLOW_STOP_SEC} s"'
TimeoutStopSec=30
`);
  // The cluster's drop-in also pulls slow-stop.service in: a bind-mounted wants link would
  // resolve on the host.
  const dropIn = path.join(dir, 'timeout.conf');
  writeFileSync(dropIn, '[Unit]\nWants=slow-stop.service\n[Service]\nTimeoutStopSec=30\n');
  for (const f of [unit, dropIn]) chmodSync(f, 0o644);
  return [
    '-v', `${unit}:/etc/systemd/system/slow-stop.service:ro`,
    '-v', `${dropIn}:/etc/systemd/system/postgresql@15-main.service.d/timeout.conf:ro`,
  ];
}

const images = await ensureImages();

if (!images.ok) {
  t.skip(`no Docker engine: ${images.skip}`, () => {});
} else {
  t.comment(describeBuild(images.full));
  t.test('read-only root: the full image boots, journalctl works, and the stop budget is honoured', async (t) => {
    const c = await runContainer(t, FULL_IMAGE, {
      name: 'unitd-readonly',
      tmpfs: ['/run', '/tmp'],
      env: { UNITD_STOP_BUDGET: BUDGET },
      stopTimeoutSec: GRACE_SEC,
      extraArgs: ['--read-only', '-v', '/var/lib', '-v', '/var/log', ...unitFiles(t)],
    });
    const s = await waitState(c, 180_000);
    const boot = (await logs(c)).stdout;
    t.equal(s, 'running', 'is-system-running with a read-only root', { details: boot });
    const rootRo = await exec(c, ['sh', '-c', 'touch /etc/unitd-probe 2>&1; echo $?']);
    t.not(rootRo.stdout.trim().split('\n').pop(), '0', 'the root really is read-only', { details: show(rootRo) });
    for (const unit of ['nginx.service', 'postgresql@15-main.service', 'slow-stop.service']) {
      const r = await exec(c, ['systemctl', 'is-active', unit]);
      t.equal(r.stdout.trim(), 'active', `${unit} is active`, { details: show(r) });
    }
    const journal = await exec(c, ['journalctl', '-u', 'nginx', '--no-pager']);
    t.equal(journal.code, 0, 'journalctl -u nginx answers', { details: show(journal) });
    t.match(journal.stdout, /Start(ing|ed) .*nginx|nginx\.service/i, 'and shows nginx\'s start', { details: show(journal) });
    const budget = await exec(c, ['systemctl', 'show', '-p', 'TimeoutStopUSec', '--value', 'postgresql@15-main.service']);
    t.equal(budget.stdout.trim(), '30s', 'the drop-in gives the cluster TimeoutStopSec=30', { details: show(budget) });

    const stopped = await stop(c, GRACE_SEC);
    t.comment(`docker stop -t ${GRACE_SEC} took ${stopped.seconds.toFixed(1)} s`);
    const after = (await logs(c)).stdout;
    t.equal(stopped.exitCode, 0, 'exit 0: unitd ended the container itself, the engine did not kill it', { details: after });
    t.ok(stopped.seconds >= SLOW_STOP_SEC, `the stop took at least the ${SLOW_STOP_SEC} s ExecStop needs`);
    t.match(after, new RegExp(`slow-stop: stopped after ${SLOW_STOP_SEC} s`), 'the slow ExecStop ran to its end', { details: after });
    t.match(after, /Stopped slow-stop\.service/, 'slow-stop.service stopped', { details: after });
    t.notMatch(after, /Killing|SIGKILL|budget.*(exceeded|expired)/i, 'nothing was killed for lack of time', { details: after });
    t.match(after, /unitd: all units stopped, exiting\./, 'unitd finished its orderly stop');
    const pglog = await docker(['cp', `${c.id}:/var/log/postgresql/postgresql-15-main.log`, '-']);
    t.match(pglog.stdout, /database system is shut down/, 'PostgreSQL logged a clean shutdown', { details: show(pglog).slice(-2000) });
    const order = after.indexOf('Stopped slow-stop.service');
    const pgStopped = after.search(/Stopped .*postgresql@15-main\.service|Stopped PostgreSQL Cluster 15-main/);
    t.ok(order >= 0 && pgStopped > order, 'PostgreSQL stopped after the unit ordered after it', { details: after });
  });
}

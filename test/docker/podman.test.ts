// Podman as the second real engine: the full image (built in Docker from the debootstrap base,
// imported with docker/podman.sh load) run with unitd as /sbin/init, which turns on Podman's
// systemd mode (tmpfs /run and /tmp, container=podman, stop signal SIGRTMIN+3). It boots to
// running, `podman exec c systemctl status nginx` works, and `podman stop` stops every service in
// order, PostgreSQL cleanly, exit 0.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { dockerDir, runCommand, type CommandResult, type RunCommandOptions } from './harness.js';
import { describeBuild, ensureImages, FULL_IMAGE } from './images.js';

t.setTimeout(15 * 60_000);

const GRACE_SEC = 30;
const BUDGET = '25s';
const SERVICES = ['nginx', 'apache2', 'redis-server', 'postgresql@15-main', 'ssh', 'memcached', 'cron'];

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const podman = (args: readonly string[], opts: RunCommandOptions = {}) => runCommand('podman', args, opts);

function show(r: CommandResult): string {
  return `\`${r.command}\` → ${r.code}\n${r.stdout}${r.stderr}`;
}

async function waitRunning(name: string, timeoutMs: number): Promise<string> {
  const started = performance.now();
  let last = '';
  while (performance.now() - started < timeoutMs) {
    const r = await podman(['exec', name, 'systemctl', 'is-system-running'], { timeoutMs: 20_000 });
    last = r.stdout.trim() || r.stderr.trim();
    if (last === 'running' || last === 'degraded') break;
    await sleep(250);
  }
  return last;
}

async function setUp(): Promise<string | undefined> {
  const images = await ensureImages();
  if (!images.ok) return `no Docker engine to build the images in: ${images.skip}`;
  t.comment(describeBuild(images.full));
  const ensure = await runCommand('bash', [path.join(dockerDir, 'podman.sh'), 'ensure'], { timeoutMs: 15 * 60_000 });
  if (ensure.code !== 0) return ensure.stderr.trim() || show(ensure);
  t.comment(ensure.stdout.trim());
  const load = await runCommand('bash', [path.join(dockerDir, 'podman.sh'), 'load', FULL_IMAGE], { timeoutMs: 10 * 60_000 });
  if (load.code !== 0) throw new Error(`podman.sh load failed\n${show(load)}`);
  t.comment(`podman.sh load ${FULL_IMAGE}: ${load.seconds.toFixed(1)} s`);
  return undefined;
}

const skip = await setUp();

if (skip !== undefined) {
  t.skip(`podman cannot run containers here: ${skip}`, () => {});
} else {
  t.test('podman run with unitd as /sbin/init: boots, exec systemctl, podman stop in order', async (t) => {
    const name = `unitd-podman-${process.pid}`;
    t.teardown(async () => {
      await podman(['rm', '-f', '-t', '0', name], { timeoutMs: 60_000 });
    });
    const run = await podman([
      'run', '-d', '--network', 'none', '--name', name, '--no-healthcheck',
      '--stop-timeout', String(GRACE_SEC), '--env', `UNITD_STOP_BUDGET=${BUDGET}`,
      '--entrypoint', '/sbin/init', `localhost/${FULL_IMAGE}`,
    ], { timeoutMs: 120_000 });
    t.equal(run.code, 0, 'podman run starts the container', { details: show(run) });
    if (run.code !== 0) return;

    const s = await waitRunning(name, 180_000);
    const boot = await podman(['logs', name]);
    t.equal(s, 'running', 'is-system-running', { details: boot.stdout + boot.stderr });
    const mode = await podman(['exec', name, 'sh', '-c', 'echo "$container"; stat -f -c %T /run']);
    t.same(mode.stdout.trim().split('\n'), ['podman', 'tmpfs'], "Podman's systemd mode is on (container=podman, tmpfs /run)", { details: show(mode) });
    const signal = await podman(['inspect', '--format', '{{.Config.StopSignal}}', name]);
    t.equal(signal.stdout.trim(), '37', 'the stop signal is SIGRTMIN+3', { details: show(signal) });

    const status = await podman(['exec', name, 'systemctl', 'status', 'nginx', '--no-pager']);
    t.equal(status.code, 0, '`podman exec c systemctl status nginx` exits 0', { details: show(status) });
    t.match(status.stdout, /Active: active \(running\)/, 'and shows nginx running');
    for (const unit of SERVICES) {
      const r = await podman(['exec', name, 'systemctl', 'is-active', `${unit}.service`]);
      t.equal(r.stdout.trim(), 'active', `${unit} is active`, { details: show(r) });
    }

    const stopped = await podman(['stop', '-t', String(GRACE_SEC), name], { timeoutMs: (GRACE_SEC + 60) * 1000 });
    t.equal(stopped.code, 0, 'podman stop returns', { details: show(stopped) });
    t.comment(`podman stop -t ${GRACE_SEC}: ${stopped.seconds.toFixed(1)} s`);
    const exit = await podman(['inspect', '--format', '{{.State.ExitCode}}', name]);
    const out = (await podman(['logs', name])).stdout;
    t.equal(exit.stdout.trim(), '0', 'exit 0: unitd ended the container itself', { details: out });
    const basic = out.indexOf('Stopped target basic.target');
    t.ok(basic > 0, 'basic.target stopped', { details: out });
    for (const unit of SERVICES) {
      const at = out.search(new RegExp(`Stopped ${unit.replace(/[.@]/g, '\\$&')}\\.service`));
      t.ok(at >= 0 && at < basic, `${unit} stopped before basic.target`, { details: out });
    }
    t.match(out, /Exiting container\./, 'the container-halt line of systemd');
    t.match(out, /unitd: all units stopped, exiting\./, 'unitd finished its orderly stop');
    t.notMatch(out, /SIGKILL|Killing process/, 'nothing was killed', { details: out });

    const dir = mkdtempSync(path.join(tmpdir(), 'unitd-podman-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const copy = await podman(['cp', `${name}:/var/log/postgresql/postgresql-15-main.log`, path.join(dir, 'pg.log')]);
    t.equal(copy.code, 0, 'podman cp of the PostgreSQL log', { details: show(copy) });
    const pglog = copy.code === 0 ? readFileSync(path.join(dir, 'pg.log'), 'utf8') : '';
    t.match(pglog, /received smart shutdown request|received fast shutdown request/, 'PostgreSQL got an orderly shutdown request', { details: pglog.slice(-2000) });
    t.match(pglog, /database system is shut down/, 'PostgreSQL logged a clean shutdown', { details: pglog.slice(-2000) });
  });
}

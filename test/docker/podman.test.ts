// Podman as the second real engine: the full image (built in Docker from the debootstrap base,
// imported with docker/podman.sh load) run with unitd as /sbin/init, which turns on Podman's
// systemd mode (tmpfs /run and /tmp, container=podman, stop signal SIGRTMIN+3). It boots to
// running, `podman exec c systemctl status nginx` works, and `podman stop` stops every service in
// order, PostgreSQL cleanly, exit 0.
//
// Rootless when this machine allows it (docker/podman.sh ensure-rootless), else rootful; both
// with UNITD_PODMAN_MODES=rootful,rootless (each mode imports the 1 GB image once: ~25 s).
import path from 'node:path';
import t, { type Test } from 'tap';
import { dockerDir, runCommand, type CommandResult, type RunCommandOptions } from './harness.js';
import { describeBuild, ensureImages, FULL_IMAGE } from './images.js';

t.setTimeout(15 * 60_000);

const GRACE_SEC = 30;
const BUDGET = '25s';
const SERVICES = ['nginx', 'apache2', 'redis-server', 'postgresql@15-main', 'ssh', 'memcached', 'cron'];

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const PODMAN_SH = path.join(dockerDir, 'podman.sh');

type Mode = 'rootful' | 'rootless';
type Podman = (args: readonly string[], opts?: RunCommandOptions) => Promise<CommandResult>;

function podmanFor(mode: Mode): Podman {
  return mode === 'rootful'
    ? (args, opts = {}) => runCommand('podman', args, opts)
    : (args, opts = {}) => runCommand('bash', [PODMAN_SH, 'rootless', ...args], opts);
}

function show(r: CommandResult): string {
  return `\`${r.command}\` → ${r.code}\n${r.stdout}${r.stderr}`;
}

async function waitRunning(podman: Podman, name: string, timeoutMs: number): Promise<string> {
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

/** Sets the engine up in that mode and imports the full image; a reason to skip, or undefined. */
async function setUp(mode: Mode): Promise<string | undefined> {
  const ensure = await runCommand('bash', [PODMAN_SH, mode === 'rootful' ? 'ensure' : 'ensure-rootless'], { timeoutMs: 15 * 60_000 });
  if (ensure.code !== 0) return ensure.stderr.trim() || show(ensure);
  t.comment(ensure.stdout.trim());
  const load = await runCommand('bash', [PODMAN_SH, 'load', ...(mode === 'rootless' ? ['--rootless'] : []), FULL_IMAGE], { timeoutMs: 10 * 60_000 });
  if (load.code !== 0) throw new Error(`podman.sh load failed\n${show(load)}`);
  t.comment(`podman.sh load ${mode} ${FULL_IMAGE}: ${load.seconds.toFixed(1)} s`);
  return undefined;
}

async function modes(): Promise<{ mode: Mode; skip?: string }[]> {
  const asked = (process.env.UNITD_PODMAN_MODES ?? '').split(',').filter((m): m is Mode => m === 'rootful' || m === 'rootless');
  if (asked.length > 0) return Promise.all(asked.map(async (mode) => ({ mode, skip: await setUp(mode) })));
  const rootless = await setUp('rootless');
  if (rootless === undefined) return [{ mode: 'rootless' }];
  t.comment(`rootless podman cannot run here (${rootless}); testing rootful podman`);
  return [{ mode: 'rootful', skip: await setUp('rootful') }];
}

const images = await ensureImages();

if (!images.ok) {
  t.skip(`no Docker engine to build the images in: ${images.skip}`, () => {});
} else {
  t.comment(describeBuild(images.full));
  for (const { mode, skip } of await modes()) {
    const title = `${mode} podman run with unitd as /sbin/init: boots, exec systemctl, podman stop in order`;
    if (skip !== undefined) {
      t.skip(`${title}: podman cannot run containers here: ${skip}`, () => {});
    } else {
      t.test(title, (t) => bootAndStop(t, podmanFor(mode)));
    }
  }
}

async function bootAndStop(t: Test, podman: Podman): Promise<void> {
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

  const s = await waitRunning(podman, name, 180_000);
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

  // To stdout as a tar stream: the log is plain text inside it, and a rootless podman could
  // not write to a host directory of ours.
  const copy = await podman(['cp', `${name}:/var/log/postgresql/postgresql-15-main.log`, '-']);
  t.equal(copy.code, 0, 'podman cp of the PostgreSQL log', { details: show(copy) });
  const pglog = copy.stdout;
  t.match(pglog, /received smart shutdown request|received fast shutdown request/, 'PostgreSQL got an orderly shutdown request', { details: pglog.slice(-2000) });
  t.match(pglog, /database system is shut down/, 'PostgreSQL logged a clean shutdown', { details: pglog.slice(-2000) });
}

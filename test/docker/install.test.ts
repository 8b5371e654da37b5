// Installing unitd without a compiler (issue 20): the npm tarball with prebuilt addons
// (npm run pack) and the .deb (npm run deb) go into images that have no g++, make or
// python, in the two Dockerfile lines of docker/images/install-{npm,deb}; each boots nginx,
// redis and PostgreSQL to `running`, answers systemctl, stops cleanly; a later
// `apt-get install systemd systemd-sysv` leaves unitd's systemctl and init in place;
// install-image is idempotent and --undo (or dpkg -r) reverts it.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import {
  BASE_IMAGE, buildImage, dockerDir, ensureBaseImage, ensureEngine, exec, logs, repoRoot, runContainer, runOnce, stop,
  type CommandResult, type Container,
} from './harness.js';

t.setTimeout(30 * 60_000);

const scratch = mkdtempSync(path.join(tmpdir(), 'unitd-install-test-'));
// Not t.teardown: tap may end the root test while the top level still awaits the engine.
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));

function show(r: CommandResult): string {
  return `\`${r.command}\` → ${r.code}\n${r.stdout}${r.stderr}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The last line a packing script printed: the artefact's path. */
function runScript(script: string, args: string[]): string {
  const out = execFileSync(process.execPath, [path.join(repoRoot, 'scripts', script), ...args], {
    cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10 * 60_000,
  });
  return out.trim().split('\n').pop() ?? '';
}

/** ELF e_machine of a shared object: 62 is x86-64, 183 is AArch64. */
function elfMachine(file: Buffer): number {
  return file.readUInt16LE(18);
}

// dist/ is built by `npm test` before tap runs; rewriting it here would race other tests.
const tarball = runScript('pack.mjs', ['--no-build', '--out', scratch]);
const tarList = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean).map((p) => p.replace(/^package\//, ''));

// Everything slow happens before the first subtest starts, so tap sees them all.
const engine = await ensureEngine();
const base = engine.ok ? await ensureBaseImage() : undefined;
const deb = engine.ok && base?.ok ? runScript('deb.mjs', ['--tarball', tarball, '--out', scratch]) : '';

t.test('the tarball holds only what runs: no tests, bench, TypeScript or source maps; both prebuilds', async (t) => {
  t.same(tarList.filter((p) => /^(test|bench|docker)\/|\.ts$|\.map$|^dist\/node-path$/.test(p)), [], 'nothing but runtime files');
  t.ok(tarList.includes('dist/manager/main.js') && tarList.includes('init/unitd') && tarList.includes('scripts/install.mjs'), 'daemon, launchers, install script');
  const machines: Record<string, number> = {};
  for (const arch of ['x64', 'arm64']) {
    const member = tarList.find((p) => p.startsWith(`prebuilds/linux-${arch}/`) && p.endsWith('.node'));
    if (!member) {
      t.fail(`no prebuild for linux-${arch}`);
      continue;
    }
    machines[arch] = elfMachine(execFileSync('tar', ['xzOf', tarball, `package/${member}`], { maxBuffer: 64 << 20 }));
  }
  t.same(machines, { x64: 62, arm64: 183 }, 'linux-x64 and linux-arm64 (AArch64) objects');
  const dryRun = execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: repoRoot, encoding: 'utf8' });
  const files = (JSON.parse(dryRun) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
  t.same(files.filter((p) => /^(test|bench)\/|\.ts$|\.map$/.test(p)), [], 'npm pack --dry-run lists no test, bench, TypeScript or map');
});

if (!engine.ok) {
  t.skip(`no Docker engine: ${engine.skip}`, () => {});
} else if (!base?.ok) {
  t.fail(`base-image.sh failed: ${base?.reason}`);
} else {
  /** Build context: the image's Dockerfile and, if given, one artefact under a fixed name. */
  async function build(name: string, dir: string, artefact?: { file: string; as: string }, buildArgs: Record<string, string> = {}): Promise<string> {
    const context = mkdtempSync(path.join(scratch, `${dir}-`));
    copyFileSync(path.join(dockerDir, 'images', dir, 'Dockerfile'), path.join(context, 'Dockerfile'));
    if (artefact) copyFileSync(artefact.file, path.join(context, artefact.as));
    const built = await buildImage(name, context, { buildArgs });
    t.comment(`${name}: ${built.cached ? 'reused' : 'built'} in ${built.seconds.toFixed(1)}s`);
    return name;
  }

  async function waitRunning(c: Container): Promise<string> {
    let last = '';
    for (const started = performance.now(); performance.now() - started < 180_000; await sleep(500)) {
      const r = await exec(c, ['systemctl', 'is-system-running'], { timeoutMs: 20_000 });
      last = r.stdout.trim() || r.stderr.trim();
      if (last === 'running' || last === 'degraded') break;
    }
    return last;
  }

  async function bootsAndStops(t: Test, image: string, nodeMajor: string): Promise<void> {
    const c = await runContainer(t, image, { name: image, stopTimeoutSec: 30 });
    const state = await waitRunning(c);
    if (state !== 'running') t.fail(`is-system-running: ${state}\n${show(await exec(c, ['systemctl', 'list-units', '--failed']))}`);
    else t.pass('is-system-running: running');
    const node = await exec(c, ['node', '--version']);
    t.match(node.stdout, new RegExp(`^v${nodeMajor}\\.`), `runs on the image's node ${nodeMajor}`);
    const tools = await exec(c, ['sh', '-c', '! command -v g++ && ! command -v make && ! command -v python3 && echo none']);
    t.equal(tools.stdout.trim(), 'none', 'no compiler, make or python in the image');
    const status = await exec(c, ['systemctl', 'status', '--no-pager', 'nginx', 'redis-server', 'postgresql']);
    t.equal(status.code, 0, 'systemctl status answers, all active', { details: show(status) });
    t.match(status.stdout, /nginx\.service[\s\S]*Active: active \(running\)[\s\S]*redis-server\.service[\s\S]*Active: active \(running\)[\s\S]*postgresql\.service[\s\S]*Active: active/);
    // apt's maintainer scripts run systemctl with PATH=/usr/sbin:/usr/bin:/sbin:/bin.
    const enabled = await exec(c, ['env', '-i', 'PATH=/usr/sbin:/usr/bin:/sbin:/bin', 'systemctl', 'is-enabled', 'nginx', 'redis-server', 'postgresql']);
    t.equal(enabled.stdout.trim().split('\n').join(' '), 'enabled enabled enabled', 'the packages enabled their units through unitd', { details: show(enabled) });
    const probe = await exec(c, ['sh', '-c', 'p=$(dirname "$(readlink -f /usr/bin/systemctl)")/../dist/unitd-probe; test -x "$p" && "$p" is-active nginx; echo "rc=$?"']);
    t.equal(probe.stdout, 'active\nrc=0\n', "the probe fast path shipped for this architecture answers", { details: show(probe) });
    const stopped = await stop(c, 30);
    t.equal(stopped.exitCode, 0, `docker stop: exit 0 (took ${stopped.seconds.toFixed(1)}s)`);
    const out = await logs(c);
    t.match(out.stdout + out.stderr, /Stopped postgresql@15-main\.service/, 'PostgreSQL stopped in order, not killed');
  }

  const sizeOf = async (image: string, dir: string): Promise<string> => {
    const r = await runOnce(t, image, ['du', '-sh', dir], { entrypoint: '' });
    return r.stdout.split('\t')[0] ?? '?';
  };

  t.test('the .deb in a Debian image with Debian\'s nodejs 18', async (t) => {
    const image = await build('unitd-install-deb', 'install-deb', { file: deb, as: 'unitd.deb' });
    const size = await sizeOf(image, '/usr/lib/unitd');
    t.comment(`unitd adds ${size} to the image (/usr/lib/unitd; .deb ${(readFileSync(deb).length / 1024).toFixed(0)} KiB)`);
    await bootsAndStops(t, image, '18');

    const removed = await runOnce(t, image, ['sh', '-c', 'dpkg -r unitd >/dev/null && ls /usr/bin/systemctl /usr/sbin/init 2>&1; dpkg-divert --list "*systemctl*" "*init" "*journalctl" | grep -c unitd'], { entrypoint: '', timeoutMs: 120_000 });
    t.match(removed.stdout, /cannot access '\/usr\/bin\/systemctl'[\s\S]*cannot access '\/usr\/sbin\/init'[\s\S]*^0$/m, 'dpkg -r unitd removes the links and its diversions', { details: show(removed) });
  });

  t.test('a later apt-get install systemd systemd-sysv leaves unitd in place', async (t) => {
    const context = mkdtempSync(path.join(scratch, 'with-systemd-'));
    writeFileSync(path.join(context, 'Dockerfile'), [
      'FROM unitd-install-deb',
      'RUN apt-get update && apt-get install -y --no-install-recommends systemd systemd-sysv && rm -rf /var/lib/apt/lists/*',
    ].join('\n') + '\n');
    const built = await buildImage('unitd-install-deb-systemd', context);
    t.comment(`unitd-install-deb-systemd: ${built.cached ? 'reused' : 'built'} in ${built.seconds.toFixed(1)}s`);
    const r = await runOnce(t, 'unitd-install-deb-systemd', ['sh', '-c', 'readlink -f /usr/bin/systemctl /usr/sbin/init /usr/bin/journalctl; test -x /usr/bin/systemctl.distrib && echo distrib; systemctl --version | head -1'], { entrypoint: '' });
    t.equal(r.stdout, '/usr/lib/unitd/init/systemctl\n/usr/lib/unitd/init/unitd\n/usr/lib/unitd/init/journalctl\ndistrib\nunitd 0.1.0 (systemd 252 compatible)\n',
      "systemd's files went to *.distrib; systemctl, init and journalctl are still unitd's", { details: show(r) });
  });

  t.test('Dockerfile.example: the npm tarball (prebuilt addon) in an image with node 20 in /usr/local', async (t) => {
    const context = mkdtempSync(path.join(scratch, 'example-'));
    copyFileSync(path.join(repoRoot, 'Dockerfile.example'), path.join(context, 'Dockerfile'));
    copyFileSync(tarball, path.join(context, path.basename(tarball)));
    const example = await buildImage('unitd-example', context, { buildArgs: { BASE: BASE_IMAGE } });
    t.comment(`unitd-example: ${example.cached ? 'reused' : 'built'} in ${example.seconds.toFixed(1)}s`);
    const image = await build('unitd-install-npm', 'install-npm', undefined, { EXAMPLE: 'unitd-example' });
    const size = await sizeOf(image, '/usr/local/lib/node_modules/unitd');
    t.comment(`unitd adds ${size} to the image (npm install -g, with node_modules)`);
    await bootsAndStops(t, image, '20');

    const again = await runOnce(t, image, ['sh', '-c', [
      'unitd install-image',
      'echo ---',
      'unitd install-image --undo',
      'ls /usr/bin/systemctl 2>&1',
      'dpkg-divert --list "*systemctl*" | wc -l',
    ].join('; ')], { entrypoint: '' });
    const [second, undone] = again.stdout.split('---\n');
    t.notMatch(second ?? '', /Diverted|Linked/, 'a second install-image changes nothing', { details: show(again) });
    t.match(undone ?? '', /Removed \/usr\/bin\/systemctl\.[\s\S]*Removed the diversion of \/usr\/bin\/systemctl\.[\s\S]*cannot access '\/usr\/bin\/systemctl'[\s\S]*^0$/m, '--undo removes links and diversions', { details: show(again) });
  });
}

// unitd below another PID 1 (`docker run --init`: tini: unitd becomes a
// subreaper) and during a build step. Non-root USER: test/docker/nonroot.test.ts.
import t from 'tap';
import { exec, runContainer, runOnce, stop, type CommandResult, type Container } from './harness.js';
import { describeBuild, ensureImages, FULL_IMAGE } from './images.js';

t.setTimeout(10 * 60_000);

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

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

const images = await ensureImages();

if (!images.ok) {
  t.comment(images.skip);
  t.skip(`no Docker engine: ${images.skip}`, () => {});
} else {
  t.comment(describeBuild(images.full));

  t.test('docker run --init: tini is PID 1, unitd below it boots and stops', async (t) => {
    const c = await runContainer(t, FULL_IMAGE, { name: 'unitd-init', stopTimeoutSec: 30, extraArgs: ['--init'] });
    const pid1 = await exec(c, ['cat', '/proc/1/comm']);
    t.match(pid1.stdout.trim(), /^(docker-init|tini)/, 'tini is PID 1');
    const s = await waitState(c, 120_000);
    if (s !== 'running') {
      const failed = await exec(c, ['systemctl', 'list-units', '--failed']);
      t.fail(`is-system-running says "${s}"\n${show(failed)}`);
    } else t.pass('running');
    const nginx = await exec(c, ['curl', '-fsS', '-o', '/dev/null', '-w', '%{http_code}', 'http://127.0.0.1/']);
    t.equal(nginx.stdout.trim(), '200', 'nginx answers', { details: show(nginx) });
    // Orphans of services now go to unitd, the nearest subreaper, not to tini.
    const orphans = await exec(c, ['systemctl', 'start', 'orphans.service'], { timeoutMs: 60_000 });
    t.equal(orphans.code, 0, 'orphan maker ran', { details: show(orphans) });
    await sleep(1300);
    const ps = await exec(c, ['ps', '-eo', 'stat=,pid=,ppid=,comm=']);
    t.same(ps.stdout.split('\n').filter((l) => l.trim().startsWith('Z')), [], 'no zombies');
    const stopped = await stop(c, 30);
    t.comment(`--init: docker stop → exit in ${stopped.seconds.toFixed(1)}s`);
    t.equal(stopped.exitCode, 0, 'tini passes on unitd’s exit 0');
    t.ok(stopped.seconds < 30, 'within the grace period');
  });

  t.test('a build step (policy-rc.d says 101, no /run/systemd/system): maintainer-script verbs succeed, no daemon starts', async (t) => {
    const script = [
      'set -u',
      "printf '#!/bin/sh\\nexit 101\\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d",
      'systemctl daemon-reload; echo "daemon-reload=$?"',
      'systemctl --root=/ --system --preset-mode=enable-only preset cron.service; echo "preset=$?"',
      'systemctl --root=/ --quiet disable apache-htcacheclean; echo "disable=$?"',
      'deb-systemd-invoke restart cron.service >/dev/null 2>&1; echo "deb-systemd-invoke=$?"',
      'invoke-rc.d cron start >/dev/null 2>&1; echo "invoke-rc.d=$?"',
      'systemctl start cron.service >/dev/null 2>&1; echo "start=$?"',
      'test -e /run/unitd/control.sock && echo daemon=yes || echo daemon=no',
      'test -e /run/systemd/system && echo booted=yes || echo booted=no',
    ].join('\n');
    const r = await runOnce(t, FULL_IMAGE, ['-c', script], { entrypoint: 'bash' });
    const out = r.stdout;
    for (const line of ['daemon-reload=0', 'preset=0', 'disable=0', 'deb-systemd-invoke=0', 'invoke-rc.d=0', 'daemon=no', 'booted=no']) {
      t.match(out, new RegExp(`^${line}$`, 'm'), line, { details: out + r.stderr });
    }
    t.notMatch(out, /^start=0$/m, 'systemctl start fails without a manager, as with systemd', { details: out + r.stderr });
  });
}

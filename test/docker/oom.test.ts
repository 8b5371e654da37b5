// A real container under `docker run -m 256m` (issue 21, fault scenarios): a service that eats
// memory until the kernel's OOM killer ends it (Restart=always) and a service that crashes
// every second (Restart=always), next to a keeper. PID 1 survives, both keep being restarted,
// the keeper keeps its process, the container stays up, and PID 1's RSS stays within its
// starting RSS + 64 MiB. Each OOM kill of the eater ends it as systemd 252 does: "A process of
// this unit has been killed by the OOM killer.", Result=oom-kill. `npm test` runs it for 30 s; `npm run fuzz -- --minutes N --only oom`
// for N minutes.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { exec, logs, runContainer, state, type Container } from './harness.js';
import { APP_IMAGE, describeBuild, ensureAppImage } from './images.js';
import { FUZZ_MINUTES } from '../fuzz/prng.js';

const SECONDS = FUZZ_MINUTES > 0 ? FUZZ_MINUTES * 60 : 30;
t.setTimeout((SECONDS + 600) * 1000);

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const UNITS: Record<string, string> = {
  // tail keeps the "line" of /dev/zero, which never ends, in memory: it grows until the OOM killer.
  'eater.service': '[Unit]\nStartLimitIntervalSec=0\n[Service]\nExecStart=/usr/bin/tail /dev/zero\nRestart=always\nRestartSec=1\n',
  'crasher.service': "[Unit]\nStartLimitIntervalSec=0\n[Service]\nExecStart=/bin/sh -c 'sleep 0.5; exit 3'\nRestart=always\nRestartSec=0.5\n",
  'keeper.service': '[Service]\nExecStart=/bin/sleep infinity\nRestart=always\n',
};

function unitMounts(t: { teardown(fn: () => void): void }): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'unitd-oom-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  chmodSync(dir, 0o755);
  const args: string[] = [];
  for (const [name, text] of Object.entries(UNITS)) {
    writeFileSync(path.join(dir, name), text);
    chmodSync(path.join(dir, name), 0o644);
    args.push('-v', `${path.join(dir, name)}:/etc/systemd/system/${name}:ro`);
  }
  return args;
}

async function rssKiB(c: Container): Promise<number> {
  const r = await exec(c, ['sh', '-c', "awk '/^VmRSS/ {print $2}' /proc/1/status"]);
  return Number(r.stdout.trim());
}

async function show(c: Container, unit: string, prop: string): Promise<string> {
  return (await exec(c, ['systemctl', 'show', '-p', prop, '--value', unit], { timeoutMs: 30_000 })).stdout.trim();
}

/** OOM kills in the container's memory cgroup: v2 memory.events, or v1 memory.oom_control. */
async function oomKills(c: Container): Promise<number> {
  const r = await exec(c, ['sh', '-c', 'cat /sys/fs/cgroup/memory.events /sys/fs/cgroup/memory/memory.oom_control 2>/dev/null']);
  return Number(/^oom_kill (\d+)/m.exec(r.stdout)?.[1] ?? NaN);
}

const app = await ensureAppImage();
if (!app.ok) {
  t.skip(`no Docker engine: ${app.skip}`, () => {});
} else {
  t.comment(describeBuild(app.app));
  t.test(`docker run -m 256m, ${SECONDS} s: a memory eater and a crash loop are restarted, PID 1 survives`, async (t) => {
    const c = await runContainer(t, APP_IMAGE, {
      name: 'unitd-oom',
      tmpfs: ['/run', '/tmp'],
      extraArgs: ['-m', '256m', '--memory-swap', '256m', ...unitMounts(t)],
    });
    let up = '';
    for (let i = 0; i < 120 && up !== 'running'; i++) {
      await sleep(500);
      up = (await exec(c, ['systemctl', 'is-system-running'])).stdout.trim();
    }
    t.equal(up, 'running', 'the container booted');
    t.equal((await exec(c, ['systemctl', 'start', 'keeper.service'])).code, 0, 'the keeper starts');
    const keeperPid = await show(c, 'keeper.service', 'MainPID');
    t.not(keeperPid, '0', 'the keeper has a process');
    await sleep(2000);
    const rssBefore = await rssKiB(c);
    t.equal((await exec(c, ['systemctl', 'start', '--no-block', 'eater.service', 'crasher.service'])).code, 0, 'the eater and the crasher start');
    const end = Date.now() + SECONDS * 1000;
    let rssPeak = rssBefore;
    let alive = true;
    while (Date.now() < end && alive) {
      await sleep(5000);
      alive = (await state(c)).running;
      if (alive) rssPeak = Math.max(rssPeak, await rssKiB(c));
    }
    t.ok(alive, 'the container stayed up', { details: alive ? '' : (await logs(c)).stdout.slice(-3000) });
    if (!alive) return;
    const rssAfter = await rssKiB(c);
    const comm = (await exec(c, ['cat', '/proc/1/comm'])).stdout.trim();
    t.equal(comm, 'node', 'PID 1 is still unitd (node)');
    const eater = Number(await show(c, 'eater.service', 'NRestarts'));
    const crasher = Number(await show(c, 'crasher.service', 'NRestarts'));
    const kills = await oomKills(c);
    const eaterResult = await show(c, 'eater.service', 'Result');
    t.comment(`${SECONDS} s: eater restarted ${eater}×, crasher ${crasher}×, OOM kills ${kills}; eater's last Result=${eaterResult}; PID 1 RSS ${rssBefore} → peak ${rssPeak} → ${rssAfter} KiB`);
    t.ok(eater >= 2, `the memory eater keeps being restarted (${eater})`);
    t.ok(crasher >= SECONDS / 4, `the crasher keeps being restarted (${crasher})`);
    t.ok(Number.isNaN(kills) || kills >= 2, `the kernel OOM-killed the eater (${kills})`);
    t.equal(await show(c, 'keeper.service', 'MainPID'), keeperPid, 'the keeper still has its process');
    t.ok(rssPeak - rssBefore <= 64 * 1024, `PID 1's RSS stayed within +64 MiB (${rssBefore} → ${rssPeak} KiB)`);
    const journal = (await exec(c, ['journalctl', '-u', 'eater.service', '--no-pager', '-o', 'cat'], { timeoutMs: 30_000 })).stdout;
    const oomLines = journal.split('\n').filter((l) => l === 'eater.service: A process of this unit has been killed by the OOM killer.').length;
    const failedLines = journal.split('\n').filter((l) => l === "eater.service: Failed with result 'oom-kill'.").length;
    t.comment(`eater's journal: ${oomLines} OOM lines, ${failedLines} "Failed with result 'oom-kill'." lines`);
    if (Number.isNaN(kills)) {
      t.comment('the container shows no OOM kill counter: Result=oom-kill cannot be told apart here');
    } else {
      t.ok(oomLines >= 1, 'an OOM kill of the eater is logged as systemd logs it', { details: journal.slice(-2000) });
      t.ok(failedLines >= 1, "the eater ends with Result=oom-kill (\"Failed with result 'oom-kill'.\")", { details: journal.slice(-2000) });
      t.notMatch(journal, /Failed with result 'signal'/, 'no OOM kill ends as a plain signal');
    }
    const restart = await exec(c, ['systemctl', 'is-active', 'crasher.service', 'eater.service']);
    t.ok(restart.code === 0 || /activating|active/.test(restart.stdout), 'systemctl still answers', { details: restart.stdout });
  });
}

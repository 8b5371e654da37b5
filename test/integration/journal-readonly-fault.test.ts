// The journal's file system goes read-only mid-run (issue 21, fault scenarios): the journal
// lives on its own small ext4 (a loop device mounted errors=remount-ro in the namespace),
// services log, and a file-system error is injected (/sys/fs/ext4/DEV/trigger_fs_error): the
// kernel makes it read-only under the open segment, whose writes fail from then on. (A plain
// `mount -o remount,ro` is refused while the journal has a file open for writing.)
// Supervision goes on (a killed Restart=always service is restarted, root is answered), the
// console gets one line saying writing failed, not one per line lost. The file system is then
// mounted afresh (after fsck, as an operator would): the journal leaves the dead segment for a
// new one, says once that writing works again, and journalctl shows new lines.

import t from 'tap';
import { existsSync } from 'node:fs';
import { boot, journalctl, sleep, waitJournal, waitProps } from './harness.js';

const DIR = '/run/jro/journal';
const IMAGE = '/run/jro.img';
const MOUNT = `mount -o loop,errors=remount-ro ${IMAGE} /run/jro`;
const missing = ['/usr/sbin/mkfs.ext4', '/dev/loop-control', '/sys/fs/ext4'].filter((p) => !existsSync(p));

t.test('journal file system turns read-only and comes back: supervision continues, one warning, logging resumes', { skip: missing.length ? `needs ${missing.join(', ')}` : false }, async (t) => {
  const sys = await boot({
    units: {
      'chatty.service': `[Service]\nExecStart=/bin/sh -c 'i=0; while true; do i=$((i+1)); echo "chatty line $i"; sleep 0.02; done'\n`,
      'keeper.service': `[Service]\nExecStart=/bin/sleep infinity\nRestart=always\nRestartSec=0.2\n`,
    },
    enable: ['chatty.service', 'keeper.service'],
    setup: `mkdir -p /run/jro && truncate -s 32M ${IMAGE} && mkfs.ext4 -q -F ${IMAGE} && ${MOUNT}`,
    env: { UNITD_JOURNAL_DIR: DIR },
  });
  try {
    const lineOf = (out: string) => Math.max(0, ...[...out.matchAll(/chatty line (\d+)/g)].map((m) => Number(m[1])));
    t.ok(lineOf(await waitJournal(sys, ['-u', 'chatty.service', '-o', 'cat'], (o) => lineOf(o) >= 10, 10_000)) >= 10, 'lines are stored');

    const dev = (await sys.exec('sh', '-c', 'basename $(findmnt -no SOURCE /run/jro)')).stdout.trim();
    t.equal((await sys.exec('sh', '-c', `echo 1 > /sys/fs/ext4/${dev}/trigger_fs_error`)).code, 0, `an error on ${dev}: the kernel makes it read-only`);
    t.match((await sys.exec('touch', '/run/jro/probe')).stderr, /Read-only file system/, 'the journal file system is read-only now');
    const failedLine = /unitd: journal: writing to \/run\/jro\/journal failed \([^)]*\)/;
    t.ok(await sys.waitConsole((c) => failedLine.test(c), 15_000), 'the console says writing failed');
    const keeperPid = Number((await sys.props('keeper.service', 'MainPID')).MainPID);
    t.equal((await sys.exec('kill', '-KILL', String(keeperPid))).code, 0);
    const restarted = await waitProps(sys, 'keeper.service', ['ActiveState', 'MainPID'], (p) => p.ActiveState === 'active' && Number(p.MainPID) > 0 && Number(p.MainPID) !== keeperPid, 10_000);
    t.match(restarted, { ActiveState: 'active' }, 'a killed Restart=always service is restarted while the journal is read-only');
    t.equal((await sys.ctl('is-active', 'chatty.service')).stdout.trim(), 'active', 'the logging service keeps running, root is answered');
    await sleep(3000); // many more lines and retries: still one console line
    const warnings = sys.console().split('\n').filter((l) => l.includes('journal: writing to /run/jro/journal'));
    t.equal(warnings.length, 1, `one warning line while read-only: ${warnings[0] ?? '-'}`);
    const beforeRw = lineOf((await journalctl(sys, '-u', 'chatty.service', '-o', 'cat')).stdout);
    const shownBefore = lineOf(sys.console());

    // The old mount stays busy (the journal's segment is open on it): detach it, check, mount again.
    const remount = await sys.exec('sh', '-c', `umount -l /run/jro && e2fsck -fy ${IMAGE} >/dev/null 2>&1; ${MOUNT}`);
    t.equal(remount.code, 0, `the file system is mounted read-write again ${remount.stderr}`);
    t.ok(await sys.waitConsole((c) => /journal: writing to \/run\/jro\/journal works again; \d+ lines were dropped/.test(c), 20_000), 'the console says writing works again');
    const after = await waitJournal(sys, ['-u', 'chatty.service', '-o', 'cat'], (o) => lineOf(o) > shownBefore, 15_000);
    t.ok(lineOf(after) > shownBefore, `journalctl shows new lines (last stored before: ${beforeRw}, console then: ${shownBefore}, now: ${lineOf(after)})`);
    const notice = /works again; (\d+) lines were dropped/.exec(sys.console());
    t.comment(`read-only for ~${(shownBefore - beforeRw) * 0.02} s of chatty output; dropped ${notice?.[1]} lines; last stored ${beforeRw} → ${lineOf(after)}`);
    t.notMatch(sys.console(), /\n\s+at |FATAL|uncaught|"level":/i, 'no crash, no stack, no JSON');
    t.equal((await sys.ctl('is-system-running')).stdout.trim(), 'running', 'nothing failed');
  } finally {
    await sys.stop();
  }
});

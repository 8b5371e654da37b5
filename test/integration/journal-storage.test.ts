// The journal's store under unitd as PID 1: a full disk (a small tmpfs mounted in the
// namespace before unitd starts) costs lines, not services, and is reported and recovered
// from; rotation keeps the store under journald.conf's SystemMaxUse= over a 100 MB write.
//
// The mounts each case needs are made by the namespace's PID 1 before unitd starts (the
// harness's `setup`).

import t from 'tap';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { boot, REPO, sleep, waitJournal, type System } from './harness.js';

const journalctl = (sys: System, ...args: string[]) => sys.exec('node', join(REPO, 'init/journalctl'), '--no-pager', ...args);

t.test('disk full: services keep running, drops are reported, writing recovers', async (t) => {
  const setup = 'mkdir -p /run/jsmall && mount -t tmpfs -o size=2m tmpfs /run/jsmall';
  const sys = await boot({
    units: {
      'chatty.service': `[Service]\nExecStart=/bin/sh -c 'i=0; while true; do i=$((i+1)); echo "chatty line $i"; sleep 0.01; done'\n`,
      // 30 MB while the disk is full: more than the 16 MiB the journal queues in memory.
      'burst.service': `[Service]\nType=oneshot\nExecStart=/bin/sh -c 'yes ${'b'.repeat(99)} | head -n 300000'\n`,
    },
    enable: ['chatty.service'],
    setup,
    env: { UNITD_JOURNAL_DIR: '/run/jsmall/journal' },
  });
  t.teardown(async () => {
    await sys.stop();
  });
  const df = await sys.exec('df', '-k', '/run/jsmall');
  t.match(df.stdout, /\/run\/jsmall/, 'the journal dir is on its own small tmpfs');
  await sys.waitConsole((c) => c.includes('chatty.service: chatty line 20'));

  // Fill the file system; the store cannot vacuum its way out of someone else's file.
  await sys.exec('sh', '-c', 'dd if=/dev/zero of=/run/jsmall/filler bs=4k 2>/dev/null; sync; df -k /run/jsmall');
  const failed = await sys.waitConsole((c) => /unitd: journal: writing to \/run\/jsmall\/journal failed/.test(c), 15000);
  t.ok(failed, 'the console says writing failed');
  const burstStart = Date.now();
  t.equal((await sys.ctl('start', '--no-block', 'burst.service')).code, 0);
  let burst: Record<string, unknown> = {};
  while (Date.now() - burstStart < 60000) {
    burst = await sys.props('burst.service', 'ActiveState', 'Result');
    if (burst.ActiveState === 'inactive' || burst.ActiveState === 'failed') break;
    await sleep(100);
  }
  t.comment(`burst.service wrote 30 MB into a full journal in ${Date.now() - burstStart} ms`);
  t.same(burst, { ActiveState: 'inactive', Result: 'success' }, 'a service writing into a full journal is not blocked');
  t.equal((await sys.ctl('is-active', 'chatty.service')).stdout.trim(), 'active', 'the service keeps running while the disk is full');
  const beforeFree = (sys.console().match(/chatty line (\d+)/g) ?? []).length;

  await sys.exec('rm', '-f', '/run/jsmall/filler');
  const recovered = await sys.waitConsole((c) => /journal: writing to \/run\/jsmall\/journal works again; \d+ lines were dropped/.test(c), 15000);
  t.ok(recovered, 'the console says writing works again, with the count');
  const notice = /works again; (\d+) lines were dropped/.exec(sys.console());
  t.comment(`dropped while full: ${notice?.[1]}; console lines while full kept flowing: ${beforeFree}`);
  t.ok(Number(notice?.[1]) > 0, 'lines were dropped and counted');

  const out = await (async () => {
    const end = Date.now() + 10000;
    let text = '';
    while (Date.now() < end) {
      text = (await journalctl(sys, '-u', 'burst.service', '-o', 'cat')).stdout;
      if (/lines dropped/.test(text)) break;
      await sleep(200);
    }
    return text;
  })();
  const dropRecord = /^(\d+) lines dropped: journal queue full, writing failed: .*$/m.exec(out);
  t.ok(dropRecord, `journalctl -u shows the drop record in place: ${dropRecord?.[0]}`);
  const chatty = (await journalctl(sys, '-u', 'chatty.service', '-o', 'cat')).stdout;
  const numbers = [...chatty.matchAll(/^chatty line (\d+)$/gm)].map((m) => Number(m[1]));
  const last = numbers.at(-1) ?? 0;
  await sleep(500);
  const later = (await journalctl(sys, '-u', 'chatty.service', '-o', 'cat', '-n', '1')).stdout.trim();
  t.ok(Number(/chatty line (\d+)/.exec(later)?.[1]) > last, 'new lines are stored after recovery');
  t.equal((await sys.ctl('is-active', 'chatty.service')).stdout.trim(), 'active');
});

t.test('rotation keeps the store under SystemMaxUse= over a 100 MB write', async (t) => {
  if (!existsSync('/etc/systemd/journald.conf')) {
    t.comment('skipped: no /etc/systemd/journald.conf on this host to bind a test config over');
    return;
  }
  const conf = '[Journal]\\nSystemMaxUse=8M\\nSystemMaxFileSize=1M\\n';
  const setup = `printf '${conf}' > /run/journald.conf && mount --bind /run/journald.conf /etc/systemd/journald.conf`;
  // 100 MB of 100-byte lines as fast as the pipe takes them; the console is off so that the
  // test's own console capture does not hold 100 MB.
  const line = 'x'.repeat(99);
  const sys = await boot({
    units: {
      'flood.service': `[Service]\nType=oneshot\nExecStart=/bin/sh -c 'yes ${line} | head -c 100000000'\n`,
    },
    setup,
    env: { UNITD_CONSOLE_LOG: 'off' },
  });
  t.teardown(async () => {
    await sys.stop();
  });
  t.match((await sys.exec('cat', '/etc/systemd/journald.conf')).stdout, /SystemMaxUse=8M/, 'the namespace sees the small limit');
  const store = `/proc/${sys.pid}/root/run/log/journal`;
  const limit = 8 * 1024 * 1024;
  const sizes: number[] = [];
  const measure = () => {
    let total = 0;
    try {
      for (const name of readdirSync(store)) {
        try {
          total += statSync(join(store, name)).size;
        } catch {
          // vacuumed between readdir and stat
        }
      }
    } catch {
      // not created yet
    }
    sizes.push(total);
  };
  const started = Date.now();
  const queued = await sys.ctl('start', '--no-block', 'flood.service');
  t.equal(queued.code, 0, 'start queued');
  let state: Record<string, unknown> = {};
  while (Date.now() - started < 300000) {
    measure();
    state = await sys.props('flood.service', 'ActiveState', 'Result');
    if (state.ActiveState === 'inactive' || state.ActiveState === 'failed') break;
    await sleep(100);
  }
  const seconds = (Date.now() - started) / 1000;
  measure();
  t.same(state, { ActiveState: 'inactive', Result: 'success' }, 'flood.service finished');
  const max = Math.max(...sizes);
  t.comment(`100 MB written in ${seconds.toFixed(1)} s (${(100 / seconds).toFixed(1)} MB/s); store size sampled ${sizes.length} times, max ${max} bytes, limit ${limit}`);
  t.ok(max <= limit, 'the store never exceeded SystemMaxUse=');
  const segments = readdirSync(store).filter((n) => n.endsWith('.jrnl'));
  t.ok(segments.length >= 2, `rotated into several segments (${segments.length} kept)`);
  const tail = await journalctl(sys, '-u', 'flood.service', '-o', 'cat', '-n', '3');
  t.match(tail.stdout, /Finished flood\.service|Deactivated successfully/, 'the newest records are readable');
  const stats = execFileSync('sh', ['-c', `ls ${store} | head -3`]).toString();
  t.comment(`oldest kept segments: ${stats.trim().replace(/\n/g, ' ')}`);
});

t.test('a journal that fills its own small file system vacuums and keeps the newest lines', async (t) => {
  if (!existsSync('/etc/systemd/journald.conf')) {
    t.plan(0, 'skipped: no /etc/systemd/journald.conf on this host to bind a test config over');
    return;
  }
  // SystemMaxUse= far above the 20 MB the file system holds, and no reserve: only ENOSPC stops the writer.
  const conf = '[Journal]\\nSystemMaxUse=100M\\nSystemKeepFree=0\\n';
  const setup =
    `mkdir -p /run/jfull && mount -t tmpfs -o size=20m tmpfs /run/jfull && printf '${conf}' > /run/journald.conf && mount --bind /run/journald.conf /etc/systemd/journald.conf`;
  const line = 'y'.repeat(99);
  const sys = await boot({
    units: {
      'flood.service': `[Service]\nType=oneshot\nExecStart=/bin/sh -c 'yes ${line} | head -c 60000000'\n`,
      'ticker.service': `[Service]\nExecStart=/bin/sh -c 'i=0; while true; do i=$((i+1)); echo "tick $i"; sleep 0.05; done'\n`,
    },
    enable: ['ticker.service'],
    setup,
    env: { UNITD_JOURNAL_DIR: '/run/jfull/journal', UNITD_CONSOLE_LOG: 'off' },
  });
  t.teardown(async () => {
    await sys.stop();
  });
  t.equal((await sys.ctl('start', 'flood.service')).code, 0, '60 MB into a 20 MB file system: the writer finishes');
  t.comment(`before: ${(await journalctl(sys, '-n', '3', '-o', 'cat')).stdout}`);
  t.comment((await sys.exec('sh', '-c', 'ls -l /run/jfull/journal; df -k /run/jfull')).stdout);
  // Lines keep flowing after the flood: the newest tick is stored, unitd answers.
  const tickNow = async () => Number(/tick (\d+)/.exec((await journalctl(sys, '-u', 'ticker.service', '-o', 'cat', '-n', '1')).stdout)?.[1] ?? 0);
  const first = await tickNow();
  let later = first;
  for (let i = 0; i < 40 && later <= first + 5; i++) {
    await sleep(250);
    later = await tickNow();
  }
  t.ok(later > first + 5, `new lines keep being stored after the disk filled (tick ${first} → ${later})`);
  const tail = (await journalctl(sys, '-u', 'flood.service', '-o', 'cat', '-n', '2')).stdout;
  t.match(tail, /Finished flood\.service|Deactivated successfully/, 'the newest flood records are kept');
  t.equal((await sys.ctl('is-active', 'ticker.service')).stdout.trim(), 'active', 'supervision goes on');
  t.notMatch(sys.console(), /writing to \/run\/jfull\/journal failed/, 'vacuuming made room: writing never stayed failed');
  const df = (await sys.exec('df', '-k', '/run/jfull')).stdout;
  t.comment(df.trim().split('\n').at(-1) ?? '');
});

t.test('read-only root: the journal falls back to /run/log/journal, tmpfiles.d says one line per refused item', async (t) => {
  // Only the test's tmpfiles.d config is seen (a tmpfs over each tmpfiles.d directory), then / is
  // made read-only in the namespace; /run and /tmp are the harness's own tmpfs.
  const config = 'd /var/lib/unitd-rotest 0755\\nf /etc/unitd-rotest.conf\\nd /run/unitd-rotest 0755\\n';
  const hide = ['/etc/tmpfiles.d', '/usr/lib/tmpfiles.d', '/usr/local/lib/tmpfiles.d', '/lib/tmpfiles.d']
    .map((d) => `if [ -d ${d} ] && [ ! -L ${d} ]; then mount -t tmpfs tmpfs ${d}; fi`)
    .join('; ');
  const setup = `${hide}; printf '${config}' > /etc/tmpfiles.d/rotest.conf; mount -o remount,ro,bind /`;
  const sys = await boot({
    units: { 'hello.service': `[Service]\nExecStart=/bin/sh -c 'echo hello from a read-only root; exec sleep 1000'\n` },
    enable: ['hello.service'],
    // The default store (no UNITD_JOURNAL_DIR), and early boot as a container's init does it.
    setup,
    env: { UNITD_JOURNAL_DIR: '', container: 'unitd-test' },
    bootTimeoutMs: 30000,
  });
  t.teardown(async () => {
    await sys.stop();
  });
  t.equal((await sys.exec('sh', '-c', 'touch /unitd-rotest-probe')).code !== 0, true, 'the root is read-only in the namespace');
  t.equal((await sys.ctl('is-active', 'hello.service')).stdout.trim(), 'active', 'boot continued');
  t.ok(await sys.waitConsole((c) => c.includes('rotest.conf:2:')), 'the tmpfiles.d failures are reported');
  const lines = sys.console().split('\n');
  t.same(
    lines.filter((l) => l.includes('rotest.conf:')),
    [
      'unitd[1]: rotest.conf:1: Failed to create directory or subvolume "/var/lib/unitd-rotest": Read-only file system',
      'unitd[1]: rotest.conf:2: Failed to create file "/etc/unitd-rotest.conf": Read-only file system',
    ],
    'one line per refused item, none for the one in /run',
  );
  t.equal((await sys.exec('test', '-d', '/run/unitd-rotest')).code, 0, 'the /run item was made');
  t.equal((await sys.exec('sh', '-c', 'stat -c %a /run/lock')).stdout.trim(), '1777', '/run/lock exists');
  t.ok(lines.some((l) => /^unitd: journal: \/var\/log\/journal is not writable \(read-only file system\); logging to the volatile \/run\/log\/journal instead\.$/.test(l)), 'one line about the fallback');
  const out = await waitJournal(sys, ['-u', 'hello.service', '-o', 'cat'], (o) => o.includes('hello from a read-only root'), 10000);
  t.match(out, /hello from a read-only root/, 'journalctl reads the volatile journal');
  t.ok((await sys.exec('sh', '-c', 'ls /run/log/journal/*.jrnl')).code === 0, 'segments are in /run/log/journal');
});

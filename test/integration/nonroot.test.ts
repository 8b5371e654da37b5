// Non-root mode: unitd started as an ordinary uid (`docker run --user 1000:1000`, OpenShift's
// arbitrary uid without a passwd entry) is that user's manager. It boots to running, runs the
// units without User= (or with its own), fails a User=root unit with the reason, keeps its
// socket and journal where the user can write, answers systemctl and journalctl run as that
// user (and root's), and exits 0 on SIGTERM.

import { join } from 'node:path';
import t from 'tap';
import { boot, REPO, run, sleep, type System } from './harness.js';

const units: Record<string, string> = {
  'app.service': `[Unit]
Description=App as the container's user
[Service]
ExecStart=/bin/sh -c 'echo hello from app; exec sleep 1000'
`,
  'self.service': `[Unit]
Description=User= naming the manager's own uid
[Service]
User=1000
ExecStart=/bin/sleep 1000
`,
  'rooty.service': `[Unit]
Description=Needs root
[Service]
Type=exec
User=root
ExecStart=/bin/true
`,
};

/** The uid a process inside runs as (its /proc status). */
async function uidOf(sys: System, pid: string): Promise<string> {
  const r = await sys.exec('sh', '-c', `sed -n 's/^Uid:[[:space:]]*\\([0-9]*\\).*/\\1/p' /proc/${pid}/status`);
  return r.stdout.trim();
}

t.test('uid 1000 with an unwritable /run: /tmp/unitd-1000, units as that user, User=root refused', async (t) => {
  const sys = await boot({
    units,
    enable: ['app.service', 'self.service'],
    user: { uid: 1000, gid: 1000 },
    setup: 'chmod 755 /run',
    runtimeDir: '/tmp/unitd-1000',
    env: { UNITD_JOURNAL_DIR: '' },
    bootTimeoutMs: 30000,
  });
  try {
    t.match(sys.console(), /running as uid 1000.*managing this user's units only; runtime directory \/tmp\/unitd-1000/, 'one line says which mode');
    t.match(sys.console(), /as uid 1000: .*\/run\/systemd\/journal\/socket.* are not served .*; generators do not run/, 'one line says what it cannot do');
    t.notMatch(sys.console(), /cannot serve a log socket|running generators failed/, 'no warning per socket');
    const state = await sys.ctl('is-system-running');
    t.equal(state.stdout.trim(), 'running', 'is-system-running as uid 1000');
    t.equal(state.code, 0);
    t.equal((await sys.ctl('is-active', 'app.service', 'self.service')).stdout, 'active\nactive\n');
    const status = await sys.ctl('status', 'app.service');
    t.equal(status.code, 0, 'status as uid 1000');
    t.match(status.stdout, /Active: active \(running\)/);
    for (const unit of ['app.service', 'self.service']) {
      const pid = (await sys.ctl('show', '-p', 'MainPID', '--value', unit)).stdout.trim();
      t.equal(await uidOf(sys, pid), '1000', `${unit} runs as uid 1000`);
    }

    const start = await sys.ctl('start', 'rooty.service');
    t.not(start.code, 0, 'starting a User=root unit fails');
    const failed = await sys.ctl('status', 'rooty.service');
    t.match(failed.stdout, /User=root needs privileges unitd does not have: it runs as uid 1000 \(non-root mode\)/, 'the reason is in its status');
    t.match(failed.stdout, /status=217\/USER/, "systemd's exit status for the user step");
    t.equal((await sys.ctl('is-system-running')).stdout.trim(), 'degraded');
    t.equal((await sys.ctl('reset-failed', 'rooty.service')).code, 0, 'the manager obeys its own user');

    // The journal lives in the runtime directory (neither /var/log/journal nor /run/log/journal is writable).
    let journal = '';
    for (let i = 0; i < 50 && !journal.includes('hello from app'); i++) {
      journal = (await sys.exec('node', join(REPO, 'init/journalctl'), '--no-pager', '-u', 'app.service')).stdout;
      if (!journal.includes('hello from app')) await sleep(100);
    }
    t.match(journal, /hello from app/, 'journalctl -u as that user');
    t.ok((await sys.exec('test', '-d', '/tmp/unitd-1000/journal')).code === 0, 'journal under /tmp/unitd-1000/journal');

    // root's `docker exec -u 0` finds the manager through PID 1's uid.
    const asRoot = await run(['nsenter', '-t', String(sys.pid), '-m', '-p', '--', 'node', join(REPO, 'init/systemctl'), 'is-active', 'app.service'], { timeoutMs: 20000 });
    t.equal(asRoot.stdout.trim(), 'active', `root's systemctl finds the non-root manager (${asRoot.stderr.trim()})`);
  } finally {
    const result = await sys.stop();
    t.same(result, { code: 0, signal: null }, 'SIGTERM: clean exit 0');
  }
});

t.test('uid 12345 without a passwd entry and $XDG_RUNTIME_DIR: the socket in $XDG_RUNTIME_DIR/unitd', async (t) => {
  const sys = await boot({
    units: { 'app.service': units['app.service'] },
    enable: ['app.service'],
    user: { uid: 12345, gid: 12345 },
    setup: 'mkdir -p /tmp/xdg && chown 12345:12345 /tmp/xdg && chmod 700 /tmp/xdg',
    runtimeDir: '/tmp/xdg/unitd',
    env: { XDG_RUNTIME_DIR: '/tmp/xdg', UNITD_JOURNAL_DIR: '' },
    bootTimeoutMs: 30000,
  });
  try {
    t.match(sys.console(), /running as uid 12345: managing/, 'a uid without a name');
    t.equal((await sys.ctl('is-system-running')).stdout.trim(), 'running');
    t.equal((await sys.ctl('is-active', 'app.service')).stdout.trim(), 'active');
    t.equal((await sys.ctl('restart', 'app.service')).code, 0, 'restart as that user');
    t.equal((await sys.ctl('is-active', 'app.service')).stdout.trim(), 'active');
    const pid = (await sys.ctl('show', '-p', 'MainPID', '--value', 'app.service')).stdout.trim();
    t.equal(await uidOf(sys, pid), '12345');
    // /run is the harness's tmpfs (mode 1777), but $XDG_RUNTIME_DIR comes first, as for systemd's user manager.
    t.not((await sys.exec('test', '-e', '/run/unitd/control.sock')).code, 0, 'nothing in /run/unitd');
  } finally {
    const result = await sys.stop();
    t.same(result, { code: 0, signal: null }, 'SIGTERM: clean exit 0');
  }
});

t.test('uid 1000 with a writable /run keeps its socket in /run/unitd', async (t) => {
  const sys = await boot({ units: { 'app.service': units['app.service'] }, enable: ['app.service'], user: { uid: 1000, gid: 1000 }, bootTimeoutMs: 30000 });
  try {
    t.equal((await sys.ctl('is-active', 'app.service')).stdout.trim(), 'active');
    t.equal((await sys.exec('stat', '-c', '%u', '/run/unitd')).stdout.trim(), '1000', '/run/unitd is the user\'s');
  } finally {
    t.same(await sys.stop(), { code: 0, signal: null }, 'SIGTERM: clean exit 0');
  }
});

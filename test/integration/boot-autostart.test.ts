// PID 1 is not unitd (a shell here, tini or `docker run --init` in real life):
// `systemctl start` launches unitd in the background, which then runs the unit
// as a subreaper; reads like is-system-running never start one.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { REPO, run } from './harness.js';

t.test('systemctl start without a daemon starts unitd in the background', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'unitd-autostart-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'hello.service'), `[Unit]\nDescription=Hello\n[Service]\nExecStart=/bin/sleep 1000\n`);
  const ctl = `node ${REPO}/init/systemctl`;
  const script = [
    'mount -t tmpfs tmpfs /run',
    // Docker images ship a policy-rc.d that forbids starting services (docker build); hide it here.
    'if [ -e /usr/sbin/policy-rc.d ]; then mount --bind /dev/null /usr/sbin/policy-rc.d; fi',
    `${ctl} is-system-running; echo "rc=$?"`,
    `${ctl} start hello.service; echo "start=$?"`,
    `${ctl} is-active hello.service`,
    `${ctl} show -p MainPID --value hello.service > /tmp/x-mainpid 2>&1; ps -o comm= -p "$(${ctl} show -p MainPID --value hello.service)"`,
    'test -f /run/unitd/unitd.log; echo "log=$?"',
    `${ctl} exit 0; echo "exit=$?"`,
    'for i in $(seq 100); do pgrep -x node >/dev/null || break; sleep 0.1; done; pgrep -x node >/dev/null; echo "gone=$?"',
  ].join('; ');
  const r = await run(['unshare', '--pid', '--fork', '--mount', '--propagation', 'private', '--mount-proc', 'sh', '-c', script], {
    timeoutMs: 40000,
    env: { PATH: process.env.PATH, SYSTEMD_UNIT_PATH: dir, UNITD_STOP_BUDGET: '2s' },
  });
  t.match(r.stdout, /^offline\nrc=1\n/, 'a read does not start a daemon');
  t.match(r.stdout, /start=0\nactive\nsleep\n/, r.stdout + r.stderr);
  t.match(r.stdout, /log=0\nexit=0\n/, 'the daemon logs to /run/unitd/unitd.log');
  t.match(r.stdout, /gone=1\n/, 'unitd ended after systemctl exit');
});

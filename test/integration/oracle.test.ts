// The oracle itself: real systemd boots, answers systemctl, and is gone after stop().

import { existsSync, readFileSync } from 'node:fs';
import t from 'tap';

import { bootOracle, oracleUnavailable } from './oracle.js';

function readStatus(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return '';
  }
}

const why = oracleUnavailable();
if (why !== undefined) {
  // One skipped subtest naming the reason (tap counts it as a skip, not a pass).
  t.skip(`the systemd oracle cannot run here (${why})`, () => undefined);
} else {
  t.test('real systemd runs a unit, reports failures, and stops cleanly', async (t) => {
    const o = await bootOracle({
      units: {
        'web.service': '[Service]\nExecStart=/bin/sleep 10000\n',
        'fail3.service': "[Service]\nType=oneshot\nExecStart=/bin/sh -c 'exit 3'\n",
      },
      enable: ['web.service'],
    });
    t.teardown(() => o.stop());
    t.same(await o.ctl('is-active', 'web.service'), { stdout: 'active\n', stderr: '', code: 0 });
    const r = await o.ctl('start', 'fail3.service');
    t.equal(r.code, 1);
    t.equal(
      r.stderr,
      'Job for fail3.service failed because the control process exited with error code.\n' +
        'See "systemctl status fail3.service" and "journalctl -xeu fail3.service" for details.\n',
    );
    t.equal((await o.ctl('show', '-P', 'ExecMainStatus', 'fail3.service')).stdout, '3\n');
    await o.stop();
    // Gone, or at most a zombie waiting for unshare to reap it.
    const alive = (): boolean => existsSync(`/proc/${o.pid}`) && !/^State:\s+Z/m.test(readStatus(o.pid));
    for (let i = 0; i < 40 && alive(); i++) await new Promise((r) => setTimeout(r, 50));
    t.notOk(alive(), 'PID 1 of the namespace is gone');
  });
}

// Kubernetes' stop sequence replayed against unitd as PID 1: the kubelet has the runtime send
// the image's STOPSIGNAL (SIGTERM without one, SIGRTMIN+3 with Dockerfile.example's), waits
// terminationGracePeriodSeconds, then SIGKILLs. With docker/kubernetes.yaml's recipe (grace 30 s,
// UNITD_STOP_BUDGET=25s) every service stops in reverse order, the database gets its whole
// shutdown, and unitd exits 0 before the SIGKILL would come: as root and as the non-root
// securityContext variant (runAsUser 1000).

import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { SIGRTMIN } from '../../src/native/index.js';
import { boot, REPO, sleep } from './harness.js';

/** Each Pod of docker/kubernetes.yaml: its grace period and UNITD_STOP_BUDGET, and whether it runs as a non-root uid. */
const pods = readFileSync(join(REPO, 'docker/kubernetes.yaml'), 'utf8')
  .split(/^---$/m)
  .map((doc) => ({
    graceS: Number(/terminationGracePeriodSeconds: (\d+)/.exec(doc)?.[1]),
    budget: /name: UNITD_STOP_BUDGET\s+value: "([^"]+)"/.exec(doc)?.[1] ?? '',
    runAsUser: /runAsUser: (\d+)/.exec(doc)?.[1],
  }));
const LOG = '/etc/systemd/system/stop.log'; // the unit dir is a host temp dir: the log outlives the namespace

const stamp = (what: string) => `/bin/sh -c 'echo "$(date +%%s.%%N) ${what}" >> ${LOG}'`;

const units: Record<string, string> = {
  // A database that needs 2 s to shut down cleanly after SIGTERM.
  'db.sh': `#!/bin/sh
trap 'sleep 2; echo "$(date +%s.%N) db-clean-shutdown" >> ${LOG}; exit 0' TERM
while :; do sleep 0.2; done
`,
  'db.service': `[Unit]
Description=A database that takes 2 s to shut down
[Service]
ExecStart=/etc/systemd/system/db.sh
ExecStopPost=${stamp('db.service')}
`,
  'cache.service': `[Unit]
Description=Cache
After=db.service
[Service]
ExecStart=/bin/sleep infinity
ExecStopPost=${stamp('cache.service')}
`,
  'app.service': `[Unit]
Description=App
Requires=db.service
After=db.service cache.service
[Service]
ExecStart=/bin/sleep infinity
ExecStopPost=${stamp('app.service')}
`,
  'web.service': `[Unit]
Description=Web front
After=app.service
[Service]
ExecStart=/bin/sleep infinity
ExecStopPost=${stamp('web.service')}
`,
};
const ENABLED = ['db.service', 'cache.service', 'app.service', 'web.service'];

t.equal(pods.length, 2, 'docker/kubernetes.yaml has the root Pod and the non-root variant');
const variants = pods.map((pod, i) => {
  const uid = pod.runAsUser === undefined ? undefined : Number(pod.runAsUser);
  // Without STOPSIGNAL the runtime sends SIGTERM; Dockerfile.example's image says SIGRTMIN+3: one variant each.
  const signal: NodeJS.Signals | number = i === 0 ? 'SIGTERM' : SIGRTMIN + 3;
  return {
    ...pod,
    signal,
    user: uid === undefined ? undefined : { uid, gid: uid },
    title: `${uid === undefined ? 'root' : `runAsUser ${uid}`}, ${i === 0 ? 'SIGTERM' : 'STOPSIGNAL SIGRTMIN+3'}, grace ${pod.graceS} s, budget ${pod.budget}`,
  };
});

for (const v of variants) {
  t.test(`kubelet stop (${v.title}): every service stops in order within the grace period, exit 0`, async (t) => {
    t.ok(/^\d+s$/.test(v.budget) && Number.parseInt(v.budget, 10) + 5 <= v.graceS, `the budget ${v.budget} leaves 5 s of the ${v.graceS} s grace (README "Stopping")`);
    const sys = await boot({ units, enable: ENABLED, env: { UNITD_STOP_BUDGET: v.budget }, user: v.user, bootTimeoutMs: 30000 });
    chmodSync(sys.unitDir, 0o777); // the stop log, written by the services (uid 1000 in the second variant)
    const state = await sys.ctl('is-system-running');
    t.equal(state.stdout.trim(), 'running', 'readiness probe: is-system-running', { details: sys.console() });
    t.equal((await sys.ctl('is-active', 'web.service')).stdout.trim(), 'active', 'liveness probe: is-active web.service');

    // The kubelet: the stop signal, the grace period, then SIGKILL if the container is still there.
    process.kill(sys.pid, v.signal);
    const deadline = Date.now() + v.graceS * 1000;
    while (existsSync(`/proc/${sys.pid}`) && Date.now() < deadline) await sleep(50);
    const exitedInGrace = !existsSync(`/proc/${sys.pid}`);
    if (!exitedInGrace) process.kill(sys.pid, 'SIGKILL');
    t.ok(exitedInGrace, `unitd exited within the ${v.graceS} s grace period (no SIGKILL needed)`);
    const lines = readFileSync(join(sys.unitDir, 'stop.log'), 'utf8').trim().split('\n'); // before stop() removes the dir
    t.same(await sys.stop(), { code: 0, signal: null }, 'exit 0');

    const at = new Map(lines.map((l) => [l.split(' ')[1], Number(l.split(' ')[0])]));
    for (const u of [...ENABLED, 'db-clean-shutdown']) t.ok(at.has(u), `${u} logged`, { details: lines });
    const before = (a: string, b: string) => t.ok(at.get(a)! <= at.get(b)!, `${a} stopped before ${b}`);
    before('web.service', 'app.service');
    before('app.service', 'cache.service');
    before('app.service', 'db-clean-shutdown');
    before('cache.service', 'db.service');
    before('db-clean-shutdown', 'db.service');
    t.notMatch(sys.console(), /stop budget of \d+ ms exceeded/, 'nothing was killed for the budget');
  });
}

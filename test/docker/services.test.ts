// unitd as the ENTRYPOINT of a real image with real Debian packages (the
// `full` image: nginx, redis, PostgreSQL, sshd, Apache on 8080, memcached,
// cron), driven the way users drive it: docker run, docker exec systemctl,
// docker stop, docker start. One container goes through the whole story.
import t from 'tap';
import { docker, exec, logs, runContainer, state, stop, type CommandResult, type Container } from './harness.js';
import { describeBuild, ensureImages, FULL_IMAGE } from './images.js';

t.setTimeout(20 * 60_000);

const BOOT_TIMEOUT_MS = 120_000;
const STOP_GRACE_SEC = 30;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function show(r: CommandResult): string {
  return `\`${r.command}\` → ${r.code}\n${r.stdout}${r.stderr}`;
}

/** Polls `systemctl is-system-running` until it answers `running` (or something final). */
async function waitRunning(c: Container, timeoutMs = BOOT_TIMEOUT_MS): Promise<{ state: string; seconds: number }> {
  const started = performance.now();
  let last = '';
  while (performance.now() - started < timeoutMs) {
    const r = await exec(c, ['systemctl', 'is-system-running'], { timeoutMs: 20_000 });
    last = r.stdout.trim() || r.stderr.trim();
    if (last === 'running' || last === 'degraded') break;
    await sleep(250);
  }
  return { state: last, seconds: (performance.now() - started) / 1000 };
}

/** Why the system is not `running`: the failed units and their status. */
async function explainNotRunning(c: Container): Promise<string> {
  const failed = await exec(c, ['systemctl', 'list-units', '--failed', '--no-legend', '--plain']);
  const names = failed.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((n) => n.includes('.'));
  const statuses = await Promise.all(names.map((n) => exec(c, ['systemctl', 'status', '--no-pager', '-n', '15', n])));
  const jobs = await exec(c, ['systemctl', 'list-jobs']);
  return [show(failed), ...statuses.map(show), show(jobs)].join('\n');
}

async function property(c: Container, unit: string, name: string): Promise<string> {
  const r = await exec(c, ['systemctl', 'show', '-p', name, '--value', unit]);
  return r.stdout.trim();
}

/** Polls a property until it has the wanted value. */
async function waitProperty(c: Container, unit: string, name: string, want: (v: string) => boolean, timeoutMs = 30_000): Promise<string> {
  const started = performance.now();
  let v = '';
  while (performance.now() - started < timeoutMs) {
    v = await property(c, unit, name);
    if (want(v)) return v;
    await sleep(200);
  }
  return v;
}

/** Each packaged service answers from inside the container; retried briefly (units report ready before some listen). */
const probes: Record<string, string[]> = {
  nginx: ['curl', '-fsS', '-o', '/dev/null', '-w', '%{http_code}', 'http://127.0.0.1:80/'],
  apache2: ['curl', '-fsS', '-o', '/dev/null', '-w', '%{http_code}', 'http://127.0.0.1:8080/'],
  'redis-server': ['redis-cli', 'ping'],
  postgresql: ['su', 'postgres', '-c', "psql -tAc 'select 1'"],
  ssh: ['ssh-keyscan', '-T', '5', '127.0.0.1'],
  memcached: ['bash', '-c', 'exec 3<>/dev/tcp/127.0.0.1/11211; printf "stats\\r\\nquit\\r\\n" >&3; cat <&3'],
};

const expected: Record<string, RegExp> = {
  nginx: /^200$/,
  apache2: /^200$/,
  'redis-server': /^PONG$/,
  postgresql: /^1$/,
  ssh: /127\.0\.0\.1 (ssh-ed25519|ecdsa-sha2|ssh-rsa) /,
  memcached: /STAT pid \d+/,
};

async function probe(c: Container, name: string, timeoutMs = 15_000): Promise<CommandResult> {
  const started = performance.now();
  let r: CommandResult;
  do {
    r = await exec(c, probes[name] as string[], { timeoutMs: 15_000 });
    if (r.code === 0 && (expected[name] as RegExp).test(r.stdout.trim())) return r;
    await sleep(300);
  } while (performance.now() - started < timeoutMs);
  return r;
}

const images = await ensureImages();

if (!images.ok) {
  t.comment(images.skip);
  t.skip(`no Docker engine: ${images.skip}`, () => {});
} else {
  t.comment(describeBuild(images.app));
  t.comment(describeBuild(images.full));

  const c = await runContainer(t, FULL_IMAGE, { name: 'unitd-full', stopTimeoutSec: STOP_GRACE_SEC });
  const runStarted = performance.now();
  const boot = await waitRunning(c);
  const bootSeconds = (performance.now() - runStarted) / 1000;
  t.comment(`full image: docker run → is-system-running "${boot.state}" in ${bootSeconds.toFixed(1)}s`);

  t.test('boots to running', async (t) => {
    if (boot.state !== 'running') t.fail(`is-system-running says "${boot.state}"\n${await explainNotRunning(c)}`);
    else t.pass(`running after ${bootSeconds.toFixed(1)}s`);
    const units = await exec(c, ['systemctl', 'list-units', '--type=service', '--no-legend', '--plain']);
    t.comment(units.stdout);
    const pid1 = await exec(c, ['cat', '/proc/1/comm']);
    t.equal(pid1.stdout.trim(), 'node', 'unitd (node) is PID 1');
  });

  t.test('every service answers from inside the container', async (t) => {
    for (const name of Object.keys(probes)) {
      const r = await probe(c, name);
      t.match(r.stdout.trim(), expected[name] as RegExp, `${name} answers`, { details: show(r) });
    }
  });

  t.test('postgresql@15-main comes from the generator', async (t) => {
    const gen = await exec(c, ['ls', '/run/systemd/generator/postgresql.service.wants/']);
    t.match(gen.stdout, /postgresql@15-main\.service/, 'the generator wanted the cluster', { details: show(gen) });
    t.equal(await property(c, 'postgresql@15-main.service', 'ActiveState'), 'active', 'the cluster unit is active');
  });

  t.test('daemon-reload runs the generators again', async (t) => {
    await exec(c, ['rm', '-rf', '/run/systemd/generator/postgresql.service.wants']);
    const r = await exec(c, ['systemctl', 'daemon-reload']);
    t.equal(r.code, 0, 'daemon-reload succeeds', { details: show(r) });
    const gen = await exec(c, ['ls', '/run/systemd/generator/postgresql.service.wants/']);
    t.match(gen.stdout, /postgresql@15-main\.service/, 'the link is back');
    t.equal(await property(c, 'postgresql@15-main.service', 'ActiveState'), 'active', 'the cluster is still active');
  });

  t.test('systemctl status shows Main PID, Status:, memory and the journal tail', async (t) => {
    const redis = await exec(c, ['systemctl', 'status', '--no-pager', 'redis-server']);
    t.equal(redis.code, 0, 'exit 0 for an active unit', { details: show(redis) });
    t.match(redis.stdout, /Active: active \(running\)/, 'active (running)');
    t.match(redis.stdout, /Main PID: \d+ \(redis-server\)/, 'Main PID with its command');
    t.match(redis.stdout, /Status: "[^"]+"/, 'redis sent a Status: over sd_notify');
    t.match(redis.stdout, /Memory: \d/, 'memory');
    t.match(redis.stdout, /Started redis-server\.service/, 'the journal tail');
    const nginx = await exec(c, ['systemctl', 'status', '--no-pager', 'nginx']);
    t.match(nginx.stdout, /Main PID: \d+ \(nginx\)/, 'nginx (forking, PIDFile) has its Main PID', { details: show(nginx) });
  });

  t.test('docker logs shows the boot lines and the services output', async (t) => {
    const { stdout, stderr } = await logs(c);
    const all = stdout + stderr;
    t.match(all, /\[  OK  \] Started nginx\.service/, 'nginx started line');
    t.match(all, /\[  OK  \] Started redis-server\.service/, 'redis started line');
    t.match(all, /Reached target multi-user\.target/, 'reached multi-user.target');
    // sshd logs to stderr (-D under systemd), cron to syslog (/dev/log); redis
    // and PostgreSQL write their own log files instead.
    t.match(all, /ssh\.service: Server listening on/, "sshd's own output");
    t.match(all, /cron\.service: .*INFO/, "cron's syslog lines");
  });

  t.test('restart nginx: a new main process, active again', async (t) => {
    const before = await property(c, 'nginx', 'MainPID');
    const r = await exec(c, ['systemctl', 'restart', 'nginx']);
    t.equal(r.code, 0, 'restart succeeds', { details: show(r) });
    const after = await property(c, 'nginx', 'MainPID');
    t.not(after, before, `MainPID ${before} → ${after}`);
    t.equal(await property(c, 'nginx', 'ActiveState'), 'active', 'active');
    t.match((await probe(c, 'nginx')).stdout.trim(), /^200$/, 'answers again');
  });

  t.test('node only in /usr/local/bin: env -i, service(8) and cron reach systemctl', async (t) => {
    // Cron runs jobs with PATH=/usr/bin:/bin; cron.d is reread every minute.
    const cronJob = '* * * * * root systemctl restart apache2.service >/tmp/unitd-cron.out 2>&1; echo $? >/tmp/unitd-cron.rc\n';
    const apacheBefore = await property(c, 'apache2', 'MainPID');
    const cronFile = await exec(c, ['sh', '-c', `rm -f /tmp/unitd-cron.rc; printf '%s' '${cronJob}' >/etc/cron.d/unitd-test`]);
    t.equal(cronFile.code, 0, 'cron job written', { details: show(cronFile) });

    const layout = await exec(c, ['sh', '-c', 'command -v node; ls /usr/bin/node /bin/node 2>&1 >/dev/null | wc -l']);
    t.equal(layout.stdout, '/usr/local/bin/node\n2\n', 'node in /usr/local/bin and not in /usr/bin (official node image layout)', { details: show(layout) });
    const envI = await exec(c, ['env', '-i', '/usr/bin/systemctl', 'is-active', 'nginx']);
    t.same({ code: envI.code, out: envI.stdout }, { code: 0, out: 'active\n' }, 'env -i /usr/bin/systemctl is-active nginx', { details: show(envI) });
    const nginxBefore = await property(c, 'nginx', 'MainPID');
    const service = await exec(c, ['env', '-i', 'PATH=/usr/sbin:/usr/bin:/sbin:/bin', 'service', 'nginx', 'restart']);
    t.equal(service.code, 0, 'service nginx restart (PATH of service/invoke-rc.d)', { details: show(service) });
    const nginxAfter = await property(c, 'nginx', 'MainPID');
    t.not(nginxAfter, nginxBefore, `nginx MainPID ${nginxBefore} → ${nginxAfter}`);
    t.match((await probe(c, 'nginx')).stdout.trim(), /^200$/, 'nginx answers');

    const started = performance.now();
    let rc = '';
    while (rc === '' && performance.now() - started < 130_000) {
      await sleep(1000);
      rc = (await exec(c, ['cat', '/tmp/unitd-cron.rc'])).stdout.trim();
    }
    await exec(c, ['rm', '-f', '/etc/cron.d/unitd-test']);
    const out = await exec(c, ['cat', '/tmp/unitd-cron.out']);
    t.equal(rc, '0', "cron's `systemctl restart apache2` exits 0", { details: show(out) });
    const apacheAfter = await waitProperty(c, 'apache2', 'ActiveState', (v) => v === 'active');
    t.equal(apacheAfter, 'active', 'apache2 active again');
    t.not(await property(c, 'apache2', 'MainPID'), apacheBefore, 'apache2 has a new main process');
  });

  t.test('stop redis-server: inactive (dead), then start brings it back', async (t) => {
    const r = await exec(c, ['systemctl', 'stop', 'redis-server']);
    t.equal(r.code, 0, 'stop succeeds', { details: show(r) });
    t.equal(await property(c, 'redis-server', 'ActiveState'), 'inactive', 'inactive');
    t.equal(await property(c, 'redis-server', 'SubState'), 'dead', 'dead');
    const isActive = await exec(c, ['systemctl', 'is-active', 'redis-server']);
    t.equal(isActive.code, 3, 'is-active exits 3');
    const ping = await exec(c, ['redis-cli', 'ping']);
    t.not(ping.stdout.trim(), 'PONG', 'redis no longer answers');
    const s = await exec(c, ['systemctl', 'start', 'redis-server']);
    t.equal(s.code, 0, 'start succeeds', { details: show(s) });
    t.match((await probe(c, 'redis-server')).stdout.trim(), /^PONG$/, 'answers again');
  });

  t.test('SIGKILL to memcached (Restart=on-failure): failed main process, restarted', async (t) => {
    const before = await property(c, 'memcached', 'MainPID');
    t.match(before, /^[1-9]\d*$/, 'has a main pid');
    const restartsBefore = Number(await property(c, 'memcached', 'NRestarts')) || 0;
    const k = await exec(c, ['systemctl', 'kill', '-s', 'KILL', '--kill-whom=main', 'memcached']);
    t.equal(k.code, 0, 'kill sent', { details: show(k) });
    const after = await waitProperty(c, 'memcached', 'MainPID', (v) => v !== before && v !== '0' && v !== '');
    t.not(after, before, `back with MainPID ${after}`);
    t.equal(await waitProperty(c, 'memcached', 'ActiveState', (v) => v === 'active'), 'active', 'active again');
    const restarts = Number(await property(c, 'memcached', 'NRestarts')) || 0;
    t.ok(restarts > restartsBefore, `NRestarts ${restartsBefore} → ${restarts}`);
    const st = await exec(c, ['systemctl', 'status', '--no-pager', '-n', '20', 'memcached']);
    t.match(st.stdout, /status=9\/KILL|signal=KILL|code=killed/, 'the journal tells of the kill', { details: show(st) });
    t.match((await probe(c, 'memcached')).stdout, /STAT pid/, 'answers again');
  });

  t.test('1000 orphans are reaped: no zombie a second later', async (t) => {
    const r = await exec(c, ['systemctl', 'start', 'orphans.service'], { timeoutMs: 60_000 });
    t.equal(r.code, 0, 'the orphan maker ran', { details: show(r) });
    await sleep(1300); // the orphans sleep 0.3 s, then a second to reap them
    const ps = await exec(c, ['ps', '-eo', 'stat=,pid=,ppid=,comm=']);
    const zombies = ps.stdout.split('\n').filter((l) => l.trim().startsWith('Z'));
    t.same(zombies, [], `no zombies (of ${ps.stdout.split('\n').length} processes)`);
  });

  t.test('docker stop: clean exit 0 within the grace period; docker start boots again', async (t) => {
    // Something for redis to save, and the current dump's time.
    await exec(c, ['redis-cli', 'set', 'unitd-test-key', 'kept']);
    // Left in /run as a crashed service would: gone after the next boot.
    await exec(c, ['touch', '/run/unitd-test-stale']);
    const dumpBefore = (await exec(c, ['stat', '-c', '%Y', '/var/lib/redis/dump.rdb'])).stdout.trim();
    await sleep(1100); // a save now has a later mtime than any before

    const stopped = await stop(c, STOP_GRACE_SEC);
    t.comment(`full image: docker stop → exit in ${stopped.seconds.toFixed(1)}s`);
    t.equal(stopped.exitCode, 0, 'unitd exits 0');
    t.ok(stopped.seconds < STOP_GRACE_SEC, `within the ${STOP_GRACE_SEC}s grace period (${stopped.seconds.toFixed(1)}s)`);
    const { stdout } = await logs(c);
    t.match(stdout, /Stopped nginx\.service|Stopped .*nginx/, 'logs tell of the stops');

    const started = performance.now();
    const r = await docker(['start', c.id]);
    t.equal(r.code, 0, 'docker start', { details: show(r) });
    const again = await waitRunning(c);
    t.comment(`full image: docker start → is-system-running "${again.state}" in ${((performance.now() - started) / 1000).toFixed(1)}s`);
    if (again.state !== 'running') t.fail(`after docker start: "${again.state}"\n${await explainNotRunning(c)}`);
    else t.pass('running again');

    const stale = await exec(c, ['test', '-e', '/run/unitd-test-stale']);
    t.equal(stale.code, 1, 'stale /run contents cleared at boot');
    const pglog = await exec(c, ['bash', '-c', 'cat /var/log/postgresql/postgresql-15-main.log']);
    t.match(pglog.stdout, /database system is shut down/, 'postgres shut down cleanly', { details: pglog.stdout.slice(-2000) });
    t.match(pglog.stdout, /database system was shut down at/, 'and started without recovery');
    t.notMatch(pglog.stdout, /database system was interrupted|automatic recovery in progress/, 'no recovery');

    const dumpAfter = (await exec(c, ['stat', '-c', '%Y', '/var/lib/redis/dump.rdb'])).stdout.trim();
    t.ok(Number(dumpAfter) > Number(dumpBefore || 0), `dump.rdb written at shutdown (${dumpBefore || 'none'} → ${dumpAfter})`);
    t.match((await probe(c, 'redis-server')).stdout.trim(), /^PONG$/, 'redis answers');
    const key = await exec(c, ['redis-cli', 'get', 'unitd-test-key']);
    t.equal(key.stdout.trim(), 'kept', 'and still has the key');
    for (const name of Object.keys(probes)) {
      const p = await probe(c, name);
      t.match(p.stdout.trim(), expected[name] as RegExp, `${name} answers after docker start`, { details: show(p) });
    }
    const s = await state(c);
    t.ok(s.running, 'the container runs');
  });
}

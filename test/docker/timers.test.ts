// logrotate.timer in a real container (issue 14, "Real container"): Debian's logrotate hands
// its daily run to systemd (its cron job exits when /run/systemd/system exists), so under unitd
// the timer must run it. In the logrotate image (the full image plus logrotate): the packaged
// timer is active after boot with its next elapse in list-timers; a drop-in moves its
// OnCalendar= a few seconds ahead, logrotate.service rotates nginx's access log and nginx
// reopens it (its postrotate signals nginx through the init script); after docker stop and
// docker start the stamp under /var/lib/systemd/timers is the one of that run and the run is
// not repeated.
import t from 'tap';
import { docker, exec, runContainer, stop, type CommandResult, type Container } from './harness.js';
import { describeBuild, ensureLogrotateImage, LOGROTATE_IMAGE } from './images.js';

t.setTimeout(20 * 60_000);

const STAMP = '/var/lib/systemd/timers/stamp-logrotate.timer';
const ACCESS_LOG = '/var/log/nginx/access.log';

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function show(r: CommandResult): string {
  return `\`${r.command}\` → ${r.code}\n${r.stdout}${r.stderr}`;
}

async function sh(c: Container, script: string): Promise<CommandResult> {
  return exec(c, ['sh', '-c', script], { timeoutMs: 30_000 });
}

/** Polls `sh -c script` until its stdout (trimmed) satisfies `want`; bounded. */
async function waitFor(c: Container, script: string, want: (out: string) => boolean, timeoutMs = 60_000): Promise<string> {
  const end = Date.now() + timeoutMs;
  let out = '';
  while (Date.now() < end) {
    out = (await sh(c, script)).stdout.trim();
    if (want(out)) return out;
    await sleep(250);
  }
  return out;
}

/** A GET nginx logs (a 404 for these paths, which is all the access log needs). */
const request = (c: Container, path: string) => exec(c, ['curl', '-sS', '-o', '/dev/null', `http://127.0.0.1:80/${path}`]);

const images = await ensureLogrotateImage();
if (!images.ok) {
  t.skip(`no Docker engine: ${images.skip}`, () => {});
} else {
  t.comment(describeBuild(images.logrotate));

  t.test('logrotate.timer rotates nginx logs, and its stamp survives docker stop/start', async (t) => {
    const c = await runContainer(t, LOGROTATE_IMAGE, { name: 'unitd-timer3-logrotate', stopTimeoutSec: 30 });
    const running = await waitFor(c, 'systemctl is-system-running', (s) => s === 'running' || s === 'degraded', 120_000);
    t.equal(running, 'running', 'the system boots to running');

    t.equal((await sh(c, 'systemctl is-active logrotate.timer')).stdout.trim(), 'active', 'logrotate.timer is active after boot');
    const list = await exec(c, ['systemctl', 'list-timers', 'logrotate.timer']);
    t.match(list.stdout, /^NEXT +LEFT +LAST +PASSED +UNIT +ACTIVATES *$/m, show(list));
    // OnCalendar=daily: the next elapse is a midnight (AccuracySec=1h may coalesce it within the hour).
    t.match(list.stdout, /^\w{3} \d{4}-\d\d-\d\d 00:\d\d:\d\d UTC +.+ left +.+ logrotate\.timer +logrotate\.service *$/m, 'its next elapse is shown');
    t.match(list.stdout, /^1 timers listed\.$/m);
    const bootStamp = (await sh(c, `stat -c %Y ${STAMP}`)).stdout.trim();
    t.match(bootStamp, /^\d+$/, 'Persistent=true: the stamp is created at the first start');

    t.equal((await request(c, 'before-rotation')).code, 0, 'nginx answers');
    t.match(await waitFor(c, `cat ${ACCESS_LOG}`, (s) => s.includes('before-rotation')), /GET \/before-rotation /, 'the request is logged');
    // logrotate does not rotate a "daily" log the first time it sees it (it records it as rotated
    // now); a state file from long ago makes this run the daily run that is due.
    await sh(c, `printf 'logrotate state -- version 2\\n"${ACCESS_LOG}" 2020-1-1-0:0:0\\n' > /var/lib/logrotate/status`);
    const at = (await sh(c, "date -d '+6 sec' '+%H:%M:%S'")).stdout.trim();
    await sh(c, `mkdir -p /etc/systemd/system/logrotate.timer.d && printf '[Timer]\\nOnCalendar=\\nOnCalendar=*-*-* ${at}\\nAccuracySec=1s\\n' > /etc/systemd/system/logrotate.timer.d/soon.conf`);
    t.equal((await exec(c, ['systemctl', 'daemon-reload'])).code, 0);
    const next = await exec(c, ['systemctl', 'list-timers', '--no-legend', 'logrotate.timer']);
    t.match(next.stdout, new RegExp(`^\\w{3} \\d{4}-\\d\\d-\\d\\d ${at} UTC `), `after the drop-in the next elapse is ${at}`);

    const rotated = await waitFor(c, `test -s ${ACCESS_LOG}.1 && cat ${ACCESS_LOG}.1`, (s) => s.includes('before-rotation'), 90_000);
    t.match(rotated, /GET \/before-rotation /, 'access.log was rotated to access.log.1 by logrotate.service');
    // logrotate renames first and signals nginx (postrotate) after: wait for the service to finish.
    const exited = await waitFor(c, 'systemctl show -p ExecMainExitTimestampMonotonic --value logrotate.service', (v) => v !== '' && v !== '0');
    t.not(exited, '0', 'logrotate.service ran to its end');
    const svc = await exec(c, ['systemctl', 'show', '-p', 'ActiveState,Result,ExecMainStatus,TriggeredBy', 'logrotate.service']);
    t.match(svc.stdout, /ActiveState=inactive/, show(svc));
    t.match(svc.stdout, /Result=success/);
    t.match(svc.stdout, /ExecMainStatus=0/);
    t.match(svc.stdout, /TriggeredBy=logrotate\.timer/);
    // nginx's workers reopen their logs on the master's word, a moment after USR1: ask again until one lands.
    let reopened = '';
    for (let i = 0; i < 60 && reopened === ''; i++) {
      t.equal((await request(c, `after-rotation-${i}`)).code, 0);
      const log = (await sh(c, `cat ${ACCESS_LOG}`)).stdout;
      if (log.includes(`after-rotation-${i} `)) reopened = `after-rotation-${i}`;
      else await sleep(500);
    }
    t.not(reopened, '', 'nginx reopened its log: the new access.log gets requests');
    t.notMatch((await sh(c, `cat ${ACCESS_LOG}`)).stdout, /before-rotation/, 'the new access.log has only the new ones');
    t.notMatch((await sh(c, `cat ${ACCESS_LOG}.1`)).stdout, new RegExp(`${reopened} `), 'and the rotated file does not get them');

    const stamp = (await sh(c, `stat -c %Y ${STAMP}`)).stdout.trim();
    t.ok(Number(stamp) > Number(bootStamp), 'the run updated the stamp');
    const lastTrigger = (await exec(c, ['systemctl', 'show', '-p', 'LastTriggerUSec', '--value', 'logrotate.timer'])).stdout.trim();
    t.match(lastTrigger, new RegExp(`${at} UTC$`), 'LastTriggerUSec is the run');

    t.equal((await stop(c, 30)).exitCode, 0, 'docker stop: clean exit');
    await sleep(1500); // so that a stamp written at the next boot would read a later second
    const start = await docker(['start', c.id], { timeoutMs: 60_000 });
    t.equal(start.code, 0, show(start));
    t.equal(await waitFor(c, 'systemctl is-system-running', (s) => s === 'running' || s === 'degraded', 120_000), 'running', 'boots again');
    t.equal((await sh(c, `stat -c %Y ${STAMP}`)).stdout.trim(), stamp, 'the stamp is the one of the run before the stop');
    const after = await exec(c, ['systemctl', 'show', '-p', 'LastTriggerUSec', '--value', 'logrotate.timer']);
    t.match(after.stdout.trim(), new RegExp(`${at} UTC$`), 'the timer takes its last trigger from the stamp');
    const again = await exec(c, ['systemctl', 'list-timers', '--no-legend', 'logrotate.timer']);
    t.notMatch(again.stdout, /^n\/a/, 'it waits for the next elapse');
    await sleep(3000);
    t.equal((await sh(c, 'systemctl show -p ExecMainStartTimestampMonotonic --value logrotate.service')).stdout.trim(), '0', 'logrotate.service did not run again');
    t.equal((await sh(c, `test -e ${ACCESS_LOG}.2.gz || test -e ${ACCESS_LOG}.2; echo $?`)).stdout.trim(), '1', 'no second rotation');
  });
}

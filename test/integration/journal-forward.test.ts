// journald.conf's ForwardToKMsg=, ForwardToConsole= (TTYPath=) and ForwardToWall= as PID 1:
// each forward takes the entries at or above its MaxLevel*= in systemd 252's format. The
// console is a pty the test reads; wall goes to the pty a utmp record names; /dev/kmsg is a
// file bound over it inside the namespace, so the host's kernel log is left alone.

import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { boot, REPO, sleep, type System } from './harness.js';

let recorder: ChildProcess;
const received: string[] = ['', ''];
let sys: System;

/** Two ptys: [console, wall]. */
async function openPtys(): Promise<string[]> {
  recorder = spawn('python3', [join(REPO, 'test/integration/fixtures/pty-recorder.py'), '2'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const names: string[] = [];
  const lines = createInterface({ input: recorder.stdout! });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('pty-recorder did not start')), 10_000);
    lines.on('line', (line) => {
      if (names.length < 2) {
        names.push(line);
        if (names.length === 2) {
          clearTimeout(timer);
          resolve(names);
        }
        return;
      }
      const { pty, data } = JSON.parse(line) as { pty: number; data: string };
      received[pty] += data;
    });
  });
}

/** A utmp file with one USER_PROCESS record (glibc's 384-byte struct utmp) on `line`, written in shell. */
function utmpRecord(line: string): string {
  const record = Buffer.alloc(384);
  record.writeInt16LE(7, 0); // USER_PROCESS
  record.writeInt32LE(4242, 4);
  record.write(line.replace(/^\/dev\//, ''), 8, 'latin1');
  record.write('tester', 44, 'latin1');
  return record.toString('base64');
}

t.before(async () => {
  const [consoleTty, wallTty] = await openPtys();
  const conf =
    '[Journal]\nForwardToKMsg=yes\nMaxLevelKMsg=warning\nForwardToConsole=yes\nMaxLevelConsole=notice\n' +
    `TTYPath=${consoleTty}\nForwardToWall=yes\nMaxLevelWall=crit\n`;
  const setup = [
    'mkdir -p /run/systemd/journald.conf.d',
    `printf '${conf.replace(/\n/g, '\\n')}' > /run/systemd/journald.conf.d/forward.conf`,
    `echo ${utmpRecord(wallTty)} | base64 -d > /run/utmp`,
    ': > /run/kmsg.out && mount --bind /run/kmsg.out /dev/kmsg',
  ].join(' && ');
  sys = await boot({ units: {}, setup });
});
t.teardown(async () => {
  await sys?.stop();
  recorder?.stdin?.end();
});

async function until(read: () => Promise<string> | string, pattern: RegExp): Promise<string> {
  const end = Date.now() + 10_000;
  let text = await read();
  while (!pattern.test(text) && Date.now() < end) {
    await sleep(100);
    text = await read();
  }
  return text;
}

t.test('each forward takes the levels its MaxLevel*= allows, in journald\'s format', async (t) => {
  for (const [priority, text] of [['user.info', 'info line'], ['user.warning', 'warning line'], ['user.notice', 'notice line'], ['user.crit', 'crit line']]) {
    t.equal((await sys.exec('logger', '-p', priority, '-t', 'fwd', text)).code, 0);
  }
  const kmsg = await until(async () => (await sys.exec('cat', '/run/kmsg.out')).stdout, /crit line/);
  t.match(kmsg, /<12>fwd\[\d+\]: warning line/, 'kmsg: <PRI> with LOG_USER, ident[pid]');
  t.match(kmsg, /<10>fwd\[\d+\]: crit line/);
  t.notMatch(kmsg, /notice line|info line/, 'MaxLevelKMsg=warning');

  const consoleText = await until(() => received[0], /fwd\[\d+\]: crit line\n/);
  t.match(consoleText, /^(\[ *\d+\.\d{6}\] )?fwd\[\d+\]: notice line\n/m, 'console: [time] ident[pid]: message');
  t.match(consoleText, /fwd\[\d+\]: warning line\n/);
  t.notMatch(consoleText, /info line/, 'MaxLevelConsole=notice');

  const wall = await until(() => received[1], /crit line/);
  const banner = `\r\nBroadcast message from systemd-journald@${hostname()} (`;
  t.ok(wall.startsWith(banner), `wall banner: ${JSON.stringify(wall)}`);
  t.match(wall, /\(\w{3} \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \S+\):\r\n\r\nfwd\[\d+\]: crit line\r\n\r\n$/);
  t.notMatch(wall, /warning line/, 'MaxLevelWall=crit');
});

// StandardInput=tty/tty-force/tty-fail, StandardOutput=tty and the TTY*= keys with unitd as PID 1,
// on a pseudo-terminal the test makes (TTYPath=): what the terminal shows, what the services
// read, how a taken terminal fails, and `show`; the same scenario under the booted systemd 252.
import t from 'tap';
import { statSync } from 'node:fs';
import { boot, journalctl, type RunResult } from './harness.js';
import { bootOracle, oracleUnavailable } from './oracle.js';
import { openPty, ptyUnavailable, type Pty } from './pty.js';

const units = (tty: string): Record<string, string> => ({
  'ask.service': `[Service]\nStandardInput=tty\nTTYPath=${tty}\nTTYReset=yes\nTTYVHangup=yes\nTTYRows=40\nTTYColumns=100\nExecStart=/bin/sh -c 'stty size; read line; echo "got:$line"; exec sleep 60'\n`,
  'fail.service': `[Service]\nStandardInput=tty-fail\nTTYPath=${tty}\nExecStart=/bin/echo hi\n`,
  'out.service': `[Service]\nStandardOutput=tty\nTTYPath=${tty}\nExecStart=/bin/echo out-only\n`,
  'force.service': `[Service]\nStandardInput=tty-force\nStandardOutput=tty\nTTYPath=${tty}\nTTYVTDisallocate=yes\nExecStart=/bin/sh -c 'echo forced; stty size'\n`,
  'hold.service': `[Service]\nStandardInput=tty\nTTYPath=${tty}\nExecStart=/bin/sh -c 'echo holding; exec sleep 60'\n`,
  'queue.service': `[Service]\nStandardInput=tty\nTTYPath=${tty}\nExecStart=/bin/echo queued\n`,
  'user.service': `[Service]\nUser=nobody\nStandardInput=tty\nTTYPath=${tty}\nExecStart=/usr/bin/stat -L -c owner=%%u:%%g:%%a /proc/self/fd/0\n`,
  'plain.service': '[Service]\nExecStart=/bin/true\n',
});
const SHOWN = 'StandardInput,StandardOutput,StandardError,TTYPath,TTYReset,TTYVHangup,TTYVTDisallocate,TTYRows,TTYColumns';
const RESULT = 'ActiveState,Result,ExecMainStatus';
const CLEAR = '\x1b[r\x1b[H\x1b[3J';

interface Driver {
  ctl(...args: string[]): Promise<RunResult>;
  journal(unit: string): Promise<string>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  for (const end = Date.now() + timeoutMs; Date.now() < end; await sleep(100)) if (await check()) return;
  throw new Error(`${what} did not happen within ${timeoutMs} ms`);
}

/** The scenario, the same for both managers: what each step showed, with the pty's path masked. */
async function scenario(d: Driver, pty: Pty): Promise<Record<string, string>> {
  const seen: Record<string, string> = {};
  const mask = (text: string): string => text.split(pty.path).join('<tty>');
  for (const unit of Object.keys(units(''))) seen[`show ${unit}`] = mask((await d.ctl('show', '-p', SHOWN, unit)).stdout);
  const step = async (name: string, action: () => Promise<unknown>, pattern: RegExp): Promise<void> => {
    const mark = pty.output().length;
    await action();
    await pty.waitFor(new RegExp(`[^]{${mark}}[^]*${pattern.source}`), 20_000);
    seen[`terminal ${name}`] = pty.output().slice(mark);
  };
  // ask.service takes the terminal, resets and sizes it, then reads the line typed into it.
  await step('ask starts', () => d.ctl('start', '--no-block', 'ask.service'), /40 100\r\n/);
  await step('ask reads', async () => pty.type('hello\n'), /got:hello\r\n/);
  // Taken by ask.service's session: tty-fail gives up with 208/STDIN.
  await d.ctl('start', 'fail.service');
  await until(async () => (await d.ctl('show', '-p', 'ActiveState', 'fail.service')).stdout === 'ActiveState=failed\n', 'fail.service failing');
  seen['result fail.service'] = (await d.ctl('show', '-p', RESULT, 'fail.service')).stdout;
  const failedAt = async (): Promise<string> => (await d.journal('fail.service')).split('\n').filter((l) => l.includes('Failed at step')).join('\n');
  await until(async () => (await failedAt()) !== '', 'the failure in the journal'); // journald may lag the state
  seen['journal fail.service'] = await failedAt();
  await step('out', () => d.ctl('start', 'out.service'), /out-only\r\n/);
  // tty-force steals it; TTYVTDisallocate= on a terminal that is no VT clears it, before and after.
  await step('force', () => d.ctl('start', 'force.service'), new RegExp(`40 100\\r\\n${CLEAR.replace(/[[\]]/g, '\\$&')}`));
  seen['result force.service'] = (await d.ctl('show', '-p', RESULT, 'force.service')).stdout;
  // StandardInput=tty on a taken terminal waits, running, until its holder closes it.
  await step('hold', () => d.ctl('start', 'hold.service'), /holding\r\n/);
  const mark = pty.output().length;
  await d.ctl('start', '--no-block', 'queue.service');
  await until(async () => (await d.ctl('show', '-p', 'SubState', 'queue.service')).stdout === 'SubState=running\n', 'queue.service running');
  await sleep(500);
  seen['terminal queue waits'] = pty.output().slice(mark);
  await step('queue runs', () => d.ctl('stop', 'hold.service'), /queued\r\n/);
  await until(async () => (await d.ctl('show', '-p', 'ActiveState', 'queue.service')).stdout === 'ActiveState=inactive\n', 'queue.service done');
  seen['result queue.service'] = (await d.ctl('show', '-p', RESULT, 'queue.service')).stdout;
  // User=: the terminal is the user's while the service has it, root:tty 0620 again after.
  await step('user', () => d.ctl('start', 'user.service'), /owner=\S+\r\n/);
  await until(async () => (await d.ctl('show', '-p', 'ActiveState', 'user.service')).stdout === 'ActiveState=inactive\n', 'user.service done');
  const after = statSync(pty.path);
  seen['owner after user.service'] = `${after.uid}:${after.gid}:${(after.mode & 0o7777).toString(8)}`;
  return seen;
}

const skip = ptyUnavailable() ?? (process.getuid?.() === 0 ? false : 'needs root (PID 1 in a namespace)');

t.test('unitd as PID 1 runs services on a terminal as systemd 252 does', { timeout: 180_000, skip }, async (t) => {
  let expected: Record<string, string> | undefined;
  if (oracleUnavailable() === undefined) {
    const pty = await openPty();
    const oracle = await bootOracle({ units: units(pty.path) });
    try {
      expected = await scenario({ ctl: (...a) => oracle.ctl(...a), journal: async (u) => (await oracle.exec('journalctl', '-o', 'cat', '--no-pager', '-u', u)).stdout }, pty);
    } finally {
      await oracle.stop();
      pty.close();
    }
  }

  const pty = await openPty();
  t.teardown(() => pty.close());
  const sys = await boot({ units: units(pty.path) });
  t.teardown(() => sys.stop());
  for (let i = 0; i < 100 && (await sys.ctl('is-system-running')).stdout === 'offline\n'; i++) await sleep(100);
  const seen = await scenario({ ctl: (...a) => sys.ctl(...a), journal: async (u) => (await journalctl(sys, '-o', 'cat', '-u', u)).stdout }, pty);

  t.equal(seen['terminal ask starts'], '40 100\r\n', 'TTYRows=/TTYColumns= size the terminal the service sees');
  t.equal(seen['terminal ask reads'], 'hello\r\ngot:hello\r\n', 'the typed line (echoed) reaches stdin; stdout inherits the terminal');
  t.equal(seen['result fail.service'], 'Result=exit-code\nExecMainStatus=208\nActiveState=failed\n', 'tty-fail on a taken terminal: 208/STDIN');
  t.match(seen['journal fail.service'], 'Failed at step STDIN spawning /bin/echo: Operation not permitted');
  t.equal(seen['terminal out'], 'out-only\r\n', 'StandardOutput=tty alone writes to it');
  t.equal(seen['terminal force'], `${CLEAR}forced\r\n40 100\r\n${CLEAR}`, 'tty-force steals it; cleared before and after');
  t.equal(seen['terminal queue waits'], '', 'a second StandardInput=tty waits while the terminal is taken');
  t.equal(seen['terminal queue runs'], 'queued\r\n', 'and runs once its holder is gone');
  t.equal(seen['result queue.service'], 'Result=success\nExecMainStatus=0\nActiveState=inactive\n');
  t.equal(seen['terminal user'], 'owner=65534:5:620\r\n', 'User=nobody owns its terminal');
  t.equal(seen['owner after user.service'], '0:5:620', 'given back to root:tty');
  t.equal(seen['show ask.service'], 'StandardInput=tty\nStandardOutput=inherit\nStandardError=inherit\nTTYPath=<tty>\nTTYReset=yes\nTTYVHangup=yes\nTTYVTDisallocate=no\nTTYRows=[unprintable]\nTTYColumns=[unprintable]\n');
  if (expected === undefined) return void t.comment(`no differential: ${oracleUnavailable() ?? ''}`);
  for (const [key, value] of Object.entries(expected)) t.equal(seen[key], value, `${key}: as systemd 252`);
});

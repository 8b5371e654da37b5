// The password agent protocol: unitd's systemd-ask-password and
// systemd-tty-ask-password-agent against systemd 252's own, both ways round, each run in a
// private mount namespace with its own /run (so /run/systemd/ask-password is the test's).
// Answers are typed into a pseudo-terminal (script -qc), as a user at `docker exec -it` would.

import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { answerDatagram, formatAskFile, parseAskFile, readAnswer } from '../../src/ask-password/protocol.js';
import { getopt, GetoptError } from '../../src/cli/getopt.js';

const INIT = resolve(import.meta.dirname, '../../init');
const OURS = { ask: `${INIT}/systemd-ask-password`, agent: `${INIT}/systemd-tty-ask-password-agent` };
const REAL = { ask: '/bin/systemd-ask-password', agent: '/bin/systemd-tty-ask-password-agent' };
const haveReal = existsSync(REAL.ask) && existsSync(REAL.agent);
const DIR = '/run/systemd/ask-password';

/** Runs a shell script with a private /run; its stdout is the test's evidence. */
function inNamespace(script: string, timeoutMs = 60_000): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', `mount -t tmpfs tmpfs /run || exit 99\n${script}`], {
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8', TERM: 'xterm' },
  });
  if (r.error) throw r.error;
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

/** Shell: wait (bounded) until a question is published. */
const WAIT_FOR_QUESTION = `i=0; while [ -z "$(ls ${DIR}/ask.* 2>/dev/null)" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done`;

/** Shell: start an asker in the background, its stdout+status into /tmp/asked. */
const asker = (command: string): string => `(${command} </dev/null >/tmp/asked 2>&1; echo "rc=$?" >>/tmp/asked) &
${WAIT_FOR_QUESTION}`;

/** Shell: wait (bounded, 30 s) until the pseudo-terminal's output so far matches a pattern. */
const untilTerminalShows = (pattern: string): string => `i=0; until grep -q '${pattern}' /tmp/terminal 2>/dev/null || [ $i -ge 300 ]; do sleep 0.1; i=$((i+1)); done`;

/**
 * Shell: run an agent on a fresh pseudo-terminal and type `keys` once its prompt is up (so
 * they reach it in raw mode, as a user's would), keeping the terminal open until it is done.
 */
const agentTyping = (agent: string, keys: string): string =>
  `(${untilTerminalShows('press TAB')}; printf '${keys}'; ${untilTerminalShows('AGENT-DONE')}) | script -qec "${agent} --query; echo AGENT-DONE" /dev/null >/tmp/terminal 2>&1`;

const REPORT = `wait; cat /tmp/asked; echo "left: $(ls ${DIR} | wc -l)"`;

t.test('the ask file format, and answers', async (t) => {
  const q = { pid: 42, socket: `${DIR}/sck.0123456789abcdef`, acceptCached: true, echo: false, notAfter: 0n, silent: false, message: 'Enter passphrase for a:443 (RSA):', id: 'apache:a' };
  const text = formatAskFile(q);
  t.equal(text, `[Ask]\nPID=42\nSocket=${DIR}/sck.0123456789abcdef\nAcceptCached=1\nEcho=0\nNotAfter=0\nSilent=0\nMessage=Enter passphrase for a:443 (RSA):\nId=apache:a\n`);
  t.same(parseAskFile(text), q);
  t.equal(parseAskFile('[Ask]\nPID=1\n'), undefined, 'no Socket=: not a question');
  t.same(readAnswer(answerDatagram(['a', 'b'])), ['a', 'b']);
  t.same(readAnswer(Buffer.from('+')), [''], 'an empty password');
  t.same(readAnswer(Buffer.from('+x\0')), ['x'], 'a trailing NUL ends the list');
  t.equal(readAnswer(answerDatagram(undefined)), 'canceled');
  t.equal(readAnswer(Buffer.from('?')), undefined);
});

t.test('getopt: glibc messages, prefixes, clusters', async (t) => {
  const specs = [{ long: 'timeout', argument: 'required' as const }, { long: 'echo', short: 'e', argument: 'optional' as const }, { long: 'no-tty', argument: 'none' as const }, { long: 'no-output', argument: 'none' as const }];
  t.same(getopt(['--time', '5', 'a', '-e', 'b'], specs), { options: [{ long: 'timeout', value: '5' }, { long: 'echo' }], positional: ['a', 'b'] });
  t.throws(() => getopt(['--no'], specs), new GetoptError("option '--no' is ambiguous"));
  t.throws(() => getopt(['--bogus'], specs), new GetoptError("unrecognized option '--bogus'"));
  t.throws(() => getopt(['--timeout'], specs), new GetoptError("option '--timeout' requires an argument"));
  t.throws(() => getopt(['--no-tty=1'], specs), new GetoptError("option '--no-tty' doesn't allow an argument"));
});

t.test('our ask file is systemd 252\'s, field for field', { skip: !haveReal && 'systemd 252 is not installed' }, async (t) => {
  const args = `--timeout=0 --id=apache:www --icon=lock --accept-cached --echo "Enter passphrase for www.example.com:443 (RSA):"`;
  const files = (ask: string): string =>
    inNamespace(`${asker(`${ask} ${args}`)}
cd ${DIR}; ls | sed 's/\\.[A-Za-z0-9]*$/.X/'; stat -c '%n %a' sck.* | sed 's/\\.[0-9a-f]\\{16\\} / /'; sed -e 's/^PID=[0-9]*$/PID=N/' -e 's/sck\\.[0-9a-f]\\{16\\}$/sck.HEX/' ask.*
kill $(sed -n 's/^PID=//p' ask.*); wait`).stdout;
  const theirs = files(REAL.ask);
  t.match(theirs, /^ask\.X\nsck\.X\nsck 600\n\[Ask\]\nPID=N\n/);
  t.equal(files(OURS.ask), theirs);
});

t.test('systemd 252\'s agent answers our asker; --list agrees', { skip: !haveReal && 'systemd 252 is not installed' }, async (t) => {
  const r = inNamespace(`${asker(`${OURS.ask} --timeout=0 "Passphrase for web:"`)}
${REAL.agent} --list; ${OURS.agent} --list
${agentTyping(REAL.agent, 'hunter2\\r')}
${REPORT}`);
  const pid = /\(PID (\d+)\)/.exec(r.stdout)?.[1];
  t.equal(r.stdout, `'Passphrase for web:' (PID ${pid})\n'Passphrase for web:' (PID ${pid})\nhunter2\nrc=0\nleft: 0\n`, r.stderr);
});

t.test('our agent answers systemd 252\'s asker, and its own', { skip: !haveReal && 'systemd 252 is not installed' }, async (t) => {
  for (const ask of [REAL.ask, OURS.ask]) {
    const r = inNamespace(`${asker(`${ask} --timeout=0 "Passphrase:"`)}
${agentTyping(OURS.agent, 'hunx\\177ter2\\r')}
${REPORT}; cat /tmp/terminal`);
    t.match(r.stdout, /^hunter2\nrc=0\nleft: 0\n/, `${ask === REAL.ask ? "systemd's" : 'our'} asker got the password typed, with the backspace applied`);
    t.match(r.stdout, /Passphrase:.*\(press TAB for no echo\).*\*\*\*\*.*\*\r\n/s, 'the prompt masks what is typed');
  }
});

t.test('cancel, time out, several passwords, bad options: systemd\'s messages', async (t) => {
  const canceled = inNamespace(`${asker(`${OURS.ask} --timeout=0 "Passphrase:"`)}
${agentTyping(OURS.agent, 'abc\\003')}
${REPORT}`);
  t.equal(canceled.stdout, 'Failed to query password: Operation canceled\nrc=1\nleft: 0\n', 'Ctrl-C at the agent cancels the question');
  const timedOut = inNamespace(`${OURS.ask} --timeout=1 "Passphrase:" </dev/null; echo "rc=$?"; echo "left: $(ls ${DIR} | wc -l)"`);
  t.equal(timedOut.stdout, 'rc=1\nleft: 0\n');
  t.equal(timedOut.stderr, 'Failed to query password: Timer expired\n');
  const several = inNamespace(`${asker(`${OURS.ask} --multiple --timeout=0 x`)}
python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(b"+a\\0b", sys.argv[1])' "$(sed -n 's/^Socket=//p' ${DIR}/ask.*)"
${REPORT}`);
  t.equal(several.stdout, 'a\nb\nrc=0\nleft: 0\n', '--multiple prints every password of the answer');
  const bad = inNamespace(`${OURS.ask} --timeout=abc x; echo "rc=$?"; ${OURS.ask} --echo=maybe x; ${OURS.ask} --bogus`);
  t.equal(bad.stdout, 'rc=1\n');
  t.match(bad.stderr, /^Failed to parse --timeout= parameter: abc\nFailed to parse boolean argument to --echo=: maybe\.\n.*systemd-ask-password: unrecognized option '--bogus'\n$/);
});

t.test("Debian apache2's ask-for-passphrase, with no terminal, is answered by the agent", async (t) => {
  // /usr/share/apache2/ask-for-passphrase (apache2 2.4 in bookworm) execs
  // /bin/systemd-ask-password --timeout=0 "$prompt" when apache's stdin is not a terminal;
  // here unitd's tool is bind-mounted where the image's link would put it.
  const script = existsSync('/usr/share/apache2/ask-for-passphrase')
    ? '/usr/share/apache2/ask-for-passphrase'
    : `sh -c 'exec /bin/systemd-ask-password --timeout=0 "Enter passphrase for SSL/TLS keys for $0 ($1):"'`;
  // A wrapper, since the launcher finds its files through the path it was started by.
  const r = inNamespace(`printf '#!/bin/sh\\nexec ${OURS.ask} "$@"\\n' >/run/wrapper; chmod +x /run/wrapper
mount --bind /run/wrapper /bin/systemd-ask-password || exit 98
${asker(`${script} www.example.com:443 RSA`)}
${OURS.agent} --list
${agentTyping(OURS.agent, 's3cret\\r')}
${REPORT}`);
  t.match(r.stdout, /^'Enter passphrase for SSL\/TLS keys for www\.example\.com:443 \(RSA\):' \(PID \d+\)\ns3cret\nrc=0\nleft: 0\n$/, r.stderr);
});

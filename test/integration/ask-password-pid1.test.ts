// A service that asks for a passphrase at start, under unitd as PID 1: its
// ExecStart runs systemd-ask-password (no terminal: the question goes to
// /run/systemd/ask-password), `systemctl start` waits, and the answer is typed
// into unitd's systemd-tty-ask-password-agent on a pseudo-terminal (script -qc),
// as a user at `docker exec -it` would. The unit becomes active only with the
// right passphrase; a wrong one fails it.

import t from 'tap';
import { join } from 'node:path';
import { boot, REPO, type System } from './harness.js';

const ASK = join(REPO, 'init/systemd-ask-password');
const AGENT = join(REPO, 'init/systemd-tty-ask-password-agent');
const SYSTEMCTL = join(REPO, 'init/systemctl');
const DIR = '/run/systemd/ask-password';

const vault = `[Unit]
Description=Vault
[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/sh -c 'pw=$(${ASK} --timeout=0 "Passphrase for vault:") && [ "$pw" = hunter2 ]'
`;

let sys: System;
t.before(async () => {
  sys = await boot({ units: { 'vault.service': vault } });
});
t.teardown(async () => {
  await sys?.stop();
});

/** Shell, bounded (30 s): wait until `test` holds. */
const until = (test: string): string => `i=0; until ${test} || [ $i -ge 300 ]; do sleep 0.1; i=$((i+1)); done`;

/**
 * Shell: `systemctl start vault` in the background; once the question is up, the
 * agent on a fresh pty, with `keys` typed after its prompt; then what start returned.
 */
const startAndAnswer = (keys: string): string => `rm -f /tmp/start /tmp/terminal
(node ${SYSTEMCTL} start vault.service </dev/null >/tmp/start 2>&1; echo "start rc=$?" >>/tmp/start) &
${until(`[ -n "$(ls ${DIR}/ask.* 2>/dev/null)" ]`)}
node ${AGENT} --list
(${until("grep -q 'press TAB' /tmp/terminal 2>/dev/null")}; printf '${keys}'; ${until("grep -q AGENT-DONE /tmp/terminal 2>/dev/null")}) | script -qec "node ${AGENT} --query; echo AGENT-DONE" /dev/null >/tmp/terminal 2>&1
wait; cat /tmp/start; echo "left: $(ls ${DIR} | wc -l)"`;

t.test('the agent answers the service, which becomes active', async (t) => {
  const r = await sys.exec('sh', '-c', startAndAnswer('hunter2\\r'));
  t.match(r.stdout, /^'Passphrase for vault:' \(PID \d+\)\nstart rc=0\nleft: 0\n$/, r.stderr);
  t.equal((await sys.ctl('is-active', 'vault.service')).stdout, 'active\n');
  t.match((await sys.exec('cat', '/tmp/terminal')).stdout, /Passphrase for vault:.*\*{7}/s, 'typed behind stars');
  await sys.ctl('stop', 'vault.service');
});

t.test('a wrong passphrase fails the start, as the service decides', async (t) => {
  const r = await sys.exec('sh', '-c', startAndAnswer('nope\\r'));
  t.match(r.stdout, /^'Passphrase for vault:' \(PID \d+\)\nJob for vault\.service failed because the control process exited with error code\.\n/, r.stderr);
  t.match(r.stdout, /start rc=1\nleft: 0\n$/);
  t.equal((await sys.ctl('is-active', 'vault.service')).stdout, 'failed\n');
});

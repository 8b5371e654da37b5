// Apache with a passphrase-protected TLS key in the `full` image: Debian's
// SSLPassPhraseDialog (exec:/usr/share/apache2/ask-for-passphrase) finds no
// terminal under a service manager and runs /bin/systemd-ask-password, which is
// unitd's. `systemctl start apache2` from `docker exec -it` (on a pty made by
// script, as a user's terminal) runs the password agent beside the job, shows
// the question, and the passphrase typed there starts Apache, serving TLS.
// The key is made on the host (openssl), so no image is built for this test.

import t from 'tap';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { docker, exec, runCommand, runContainer, type CommandResult, type Container } from './harness.js';
import { describeBuild, ensureImages, FULL_IMAGE } from './images.js';

t.setTimeout(15 * 60_000);

const PASSPHRASE = 's3cret-pass';
const SITE = `<VirtualHost _default_:443>
  SSLEngine on
  SSLCertificateFile /etc/apache2/tls/cert.pem
  SSLCertificateKeyFile /etc/apache2/tls/key.pem
</VirtualHost>
`;

const show = (r: CommandResult): string => `\`${r.command}\` → ${r.code}\n${r.stdout}${r.stderr}`;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls until `systemctl is-system-running` settles (bounded). */
async function waitRunning(c: Container): Promise<string> {
  let last = '';
  for (const end = Date.now() + 120_000; Date.now() < end; await sleep(250)) {
    last = (await exec(c, ['systemctl', 'is-system-running'])).stdout.trim();
    if (last === 'running' || last === 'degraded') break;
  }
  return last;
}

const openssl = await runCommand('openssl', ['version']);
if (openssl.code !== 0) {
  t.skip('openssl is not installed on the host (it makes the protected key)', () => undefined);
} else {
  t.test('systemctl start apache2 asks for the key passphrase; the answer typed at docker exec -it starts it', async (t) => {
    const images = await ensureImages();
    if (!images.ok) {
      t.skip(`no Docker engine: ${images.skip}`, () => {});
      return;
    }
    t.comment(`${describeBuild(images.app)}; ${describeBuild(images.full)}`);

    const work = mkdtempSync(join(tmpdir(), 'unitd-apache-tls-'));
    t.teardown(() => rmSync(work, { recursive: true, force: true }));
    const key = await runCommand('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-days', '2', '-subj', '/CN=localhost', '-keyout', join(work, 'key.pem'), '-out', join(work, 'cert.pem'), '-passout', `pass:${PASSPHRASE}`]);
    t.equal(key.code, 0, 'openssl made a key and a certificate', { output: key.stderr });
    t.match(readFileSync(join(work, 'key.pem'), 'utf8'), /ENCRYPTED PRIVATE KEY/, 'the key is protected');

    const c = await runContainer(t, FULL_IMAGE, { name: 'unitd-apache-tls', stopTimeoutSec: 30 });
    t.match(await waitRunning(c), /^(running|degraded)$/);
    t.equal((await exec(c, ['mkdir', '-p', '/etc/apache2/tls'])).code, 0);
    for (const f of ['key.pem', 'cert.pem']) t.equal((await docker(['cp', join(work, f), `${c.id}:/etc/apache2/tls/${f}`])).code, 0);
    const setup = await exec(c, ['sh', '-c', 'cat >/etc/apache2/sites-available/tls.conf && a2enmod -q ssl && a2ensite -q tls && systemctl stop apache2'], { input: SITE });
    t.equal(setup.code, 0, show(setup));

    // A terminal at `docker exec -it`: type the passphrase once the agent's prompt is up.
    const terminal = join(work, 'terminal');
    const until = (pattern: string): string => `i=0; until grep -q '${pattern}' ${terminal} 2>/dev/null || [ $i -ge 900 ]; do sleep 0.1; i=$((i+1)); done`;
    const typed = await runCommand(
      'sh',
      ['-c', `(${until('press TAB')}; printf '${PASSPHRASE}\\r'; ${until('START-RC')}) | script -qec "docker exec -it ${c.id} systemctl start apache2; echo START-RC=\\$?" /dev/null >${terminal} 2>&1`],
      { timeoutMs: 180_000 },
    );
    const screen = readFileSync(terminal, 'utf8');
    t.equal(typed.code, 0, show(typed));
    t.match(screen, /Enter passphrase for SSL\/TLS keys for [^\n]*\(RSA\):/, 'the question is shown at the terminal', { screen });
    t.match(screen, /START-RC=0/, 'systemctl start apache2 succeeds', { screen });
    t.equal((await exec(c, ['systemctl', 'is-active', 'apache2'])).stdout, 'active\n');
    const https = await exec(c, ['curl', '-ksS', '-o', '/dev/null', '-w', '%{http_code}', 'https://127.0.0.1/']);
    t.equal(https.stdout, '200', `Apache serves TLS with the unlocked key: ${show(https)}`);
    t.equal((await exec(c, ['sh', '-c', 'ls /run/systemd/ask-password | wc -l'])).stdout.trim(), '0', 'no question left behind');
  });
}

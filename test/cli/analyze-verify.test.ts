// `systemd-analyze verify FILE` as systemd 252's: diagnostics, the socket's service check, the
// executable check and the exit code, with and without --recursive-errors= (252 returns 0 for
// parse warnings unless that option is given).
import t from 'tap';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const repo = path.resolve(import.meta.dirname, '..', '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unitd-analyze-verify-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));

const cases: Record<string, string> = {
  'good.service': '[Service]\nExecStart=/bin/true\nExecStop=true\n',
  'warn.service': '[Unit]\nDescription=x\nFooBar=1\n[Service]\nType=bogus\nExecStart=/bin/true\n',
  'missing.service': '[Service]\nExecStart=/nonexistent/daemon --flag\n',
  'mixed.service': '[Service]\nExecStart=-/nonexistent/ignored\nExecStartPre=/tmp\nExecReload=no-such-command x\n',
  'noexec.service': '[Unit]\nDescription=no command\n',
  'lonely.socket': '[Socket]\nListenStream=/run/lonely.sock\nExecStartPre=/nonexistent/pre\n',
  'paired.socket': '[Socket]\nListenStream=/run/paired.sock\n',
  'paired.service': '[Service]\nExecStart=/bin/true\n',
};
for (const [name, text] of Object.entries(cases)) fs.writeFileSync(path.join(dir, name), text);

if (!fs.existsSync('/usr/bin/systemd-analyze')) {
  t.skip('systemd-analyze 252 is not installed: nothing to compare with', () => undefined);
} else {
  for (const name of Object.keys(cases)) {
    for (const extra of [[], ['--recursive-errors=no']]) {
      t.test(`verify ${[...extra, name].join(' ')}`, async (t) => {
        const argv = ['verify', ...extra, `./${name}`];
        const theirs = spawnSync('systemd-analyze', argv, { cwd: dir, encoding: 'utf8', timeout: 30_000 });
        const ours = spawnSync(path.join(repo, 'init', 'systemd-analyze'), argv, { cwd: dir, encoding: 'utf8', timeout: 30_000 });
        t.equal(ours.stderr, theirs.stderr, 'same messages');
        t.equal(ours.stdout, theirs.stdout);
        t.equal(ours.status, theirs.status, `same exit code (${theirs.status})`);
      });
    }
  }
}

// `unitd verify FILE` prints what `systemd-analyze verify` prints for the same file.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const repo = path.resolve(import.meta.dirname, '..', '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unitd-verify-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));

const cases: Record<string, string> = {
  'good.service': '[Unit]\nDescription=fine\n[Service]\nExecStart=/bin/true\n',
  'warn.service': '[Unit]\nDescription=x\nFoo=bar\n[Service]\nType=bogus\nRestart=sometimes\nExecStart=/bin/true\n',
  'bad.service': '[Unit]\nDescription=x\n[Service]\nType=simple\n',
};

const analyze = fs.existsSync('/usr/bin/systemd-analyze');
for (const [name, text] of Object.entries(cases)) {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  t.test(name, async (t) => {
    const ours = spawnSync(process.execPath, [path.join(repo, 'init', 'unitd'), 'verify', file], { encoding: 'utf8', timeout: 30_000 });
    t.notMatch(ours.stderr, /\n\s+at /, 'no stack trace');
    if (!analyze) {
      t.comment('systemd-analyze is not installed: only checking that unitd answers');
      t.ok(ours.status === 0 || ours.status === 1);
      return;
    }
    const theirs = spawnSync('systemd-analyze', ['verify', '--man=no', '--recursive-errors=no', file], { encoding: 'utf8', timeout: 30_000 });
    t.equal(ours.stderr, theirs.stderr, 'same diagnostics');
    t.equal(ours.status, theirs.status, 'same exit code');
  });
}

// tmpfiles.d `f^`/`F^` lines (issue 21, finding 12): the argument names a credential whose
// contents are written; a missing credential skips the line. Compared with systemd-tmpfiles.

import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { applyTmpfiles } from '../../src/manager/early-boot.js';

const CONFIG = ['f^ /run/a - - - - mycred', 'f^ /run/b - - - - missing', 'f /run/c - - - - literal', 'F^ /run/d 0600 - - - mycred', 'f^ /run/e'].join('\n') + '\n';

function makeRoot(dir: string): string {
  mkdirSync(path.join(dir, 'etc/tmpfiles.d'), { recursive: true });
  mkdirSync(path.join(dir, 'run'), { recursive: true });
  writeFileSync(path.join(dir, 'etc/tmpfiles.d/x.conf'), CONFIG);
  return dir;
}

function outcome(root: string): Record<string, { content: string; mode: number }> {
  const out: Record<string, { content: string; mode: number }> = {};
  for (const name of readdirSync(path.join(root, 'run')).sort()) {
    const file = path.join(root, 'run', name);
    out[name] = { content: readFileSync(file, 'utf8'), mode: statSync(file).mode & 0o7777 };
  }
  return out;
}

function withCredentials<T>(dir: string, fn: () => T): T {
  const before = process.env.CREDENTIALS_DIRECTORY;
  process.env.CREDENTIALS_DIRECTORY = dir;
  try {
    return fn();
  } finally {
    if (before === undefined) delete process.env.CREDENTIALS_DIRECTORY;
    else process.env.CREDENTIALS_DIRECTORY = before;
  }
}

t.test('tmpfiles f^ lines write the named credential, not the name; a missing credential skips the line', async (t) => {
  const base = t.testdir({ creds: { mycred: 'hello-cred\n' }, ours: {} });
  const root = makeRoot(path.join(base, 'ours'));
  const messages: string[] = [];
  const log = { info: (_o: object, m?: string) => void messages.push(m ?? ''), warn: (_o: object, m?: string) => void messages.push(m ?? '') };
  withCredentials(path.join(base, 'creds'), () => applyTmpfiles(log, root));
  t.same(outcome(root), {
    a: { content: 'hello-cred\n', mode: 0o644 },
    c: { content: 'literal', mode: 0o644 },
    d: { content: 'hello-cred\n', mode: 0o600 },
  });
  t.ok(messages.includes("Credential 'missing' not specified, skipping line."), messages.join('\n'));
  t.ok(messages.includes('Reading from credential requested, but no credential name specified.'));
  t.notOk(existsSync(path.join(root, 'run/b')));
});

const haveTool = spawnSync('systemd-tmpfiles', ['--version']).status === 0;
t.test('tmpfiles f^ matches systemd-tmpfiles --create', { skip: haveTool ? false : 'systemd-tmpfiles is not installed' }, async (t) => {
  const base = t.testdir({ creds: { mycred: 'hello-cred\n' }, ours: {}, theirs: {} });
  const theirs = makeRoot(path.join(base, 'theirs'));
  const r = spawnSync('systemd-tmpfiles', ['--create', `--root=${theirs}`], { env: { ...process.env, CREDENTIALS_DIRECTORY: path.join(base, 'creds') }, timeout: 20000 });
  t.not(r.status, null, 'systemd-tmpfiles finished');
  const ours = makeRoot(path.join(base, 'ours'));
  withCredentials(path.join(base, 'creds'), () => applyTmpfiles({ info: () => undefined, warn: () => undefined }, ours));
  t.same(outcome(ours), outcome(theirs));
});

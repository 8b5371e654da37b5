// A child that fails before execve() becomes a SpawnError with systemd's exit status and
// the errno of the failed step, and leaves nothing behind: no zombie, no fd.

import t from 'tap';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpawnError, reapAll, spawn, type SpawnSpec } from '../../src/native/index.js';
import { openFds, zombieChildren } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'unitd-fail-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const notExecutable = join(dir, 'script.sh');
writeFileSync(notExecutable, '#!/bin/sh\nexit 0\n', { mode: 0o644 });
const privateDir = join(dir, 'private');
mkdirSync(privateDir, { mode: 0o700 });
chmodSync(privateDir, 0o700);

const base: SpawnSpec = { path: '/bin/true', argv: ['true'], env: [] };

const cases: { name: string; spec: SpawnSpec; exitCode: number; status: string; code: string; step: RegExp }[] = [
  { name: 'missing binary', spec: { ...base, path: join(dir, 'missing') }, exitCode: 203, status: 'EXEC', code: 'ENOENT', step: /^execve$/ },
  { name: 'binary not executable', spec: { ...base, path: notExecutable }, exitCode: 203, status: 'EXEC', code: 'EACCES', step: /^execve$/ },
  { name: 'missing working directory', spec: { ...base, cwd: join(dir, 'nope') }, exitCode: 200, status: 'CHDIR', code: 'ENOENT', step: /^chdir$/ },
  {
    name: 'working directory the user may not enter',
    spec: { ...base, user: 'nobody', cwd: privateDir },
    exitCode: 200, status: 'CHDIR', code: 'EACCES', step: /^chdir$/,
  },
  { name: 'unknown user', spec: { ...base, user: 'no-such-user-unitd' }, exitCode: 217, status: 'USER', code: 'ESRCH', step: /getpwnam/ },
  { name: 'unknown group', spec: { ...base, group: 'no-such-group-unitd' }, exitCode: 216, status: 'GROUP', code: 'ESRCH', step: /getgrnam/ },
  {
    name: 'unknown supplementary group',
    spec: { ...base, supplementaryGroups: ['adm', 'no-such-group-unitd'] },
    exitCode: 216, status: 'GROUP', code: 'ESRCH', step: /getgrnam/,
  },
  {
    name: 'stdin file missing',
    spec: { ...base, stdin: { kind: 'file', path: join(dir, 'no-input'), mode: 'read' } },
    exitCode: 208, status: 'STDIN', code: 'ENOENT', step: /^open/,
  },
  {
    name: 'stdout into a missing directory',
    spec: { ...base, stdout: { kind: 'file', path: join(dir, 'no-dir', 'out.log'), mode: 'append' } },
    exitCode: 209, status: 'STDOUT', code: 'ENOENT', step: /^open/,
  },
  {
    name: 'stderr into a missing directory',
    spec: { ...base, stderr: { kind: 'file', path: join(dir, 'no-dir', 'err.log'), mode: 'truncate' } },
    exitCode: 222, status: 'STDERR', code: 'ENOENT', step: /^open/,
  },
];

for (const c of cases) {
  t.test(`${c.name} -> ${c.exitCode}/${c.status} ${c.code}`, (t) => {
    reapAll(); // nothing of earlier tests may be counted against this one
    const fdsBefore = openFds();
    let caught: unknown;
    try {
      spawn({ ...c.spec, stdout: c.spec.stdout ?? { kind: 'pipe' } });
    } catch (error) {
      caught = error;
    }
    t.type(caught, SpawnError);
    const error = caught as SpawnError;
    t.equal(error.exitCode, c.exitCode, 'exit status');
    t.equal(error.exitStatusName, c.status);
    t.equal(error.code, c.code, `errno name (${error.message})`);
    t.equal(error.errno, (constants.errno as Record<string, number>)[c.code], 'errno number');
    t.match(error.step, c.step, 'failed step');
    t.equal(error.path, c.spec.path);
    t.match(error.message, new RegExp(`^Failed at step ${c.status} spawning ${c.spec.path}: `));
    t.same(zombieChildren(), [], 'no zombie left');
    t.same(reapAll(), [], 'nothing left for the reaper');
    t.same(openFds(), fdsBefore, 'no fd leaked (pipes and report pipe closed)');
    t.end();
  });
}


t.test('a binary that exists spawns and exits 0', async (t) => {
  const { pid } = spawn(base);
  t.ok(pid > 0);
  // collect it ourselves: no SIGCHLD listener is installed in this file
  const deadline = Date.now() + 5000;
  let exits = reapAll();
  while (!exits.some((e) => e.pid === pid) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 10));
    exits = exits.concat(reapAll());
  }
  t.same(exits.find((e) => e.pid === pid), { pid, code: 'exited', status: 0 });
});

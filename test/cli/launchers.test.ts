// The launchers in init/ run without PATH: apt's maintainer scripts, service(8),
// cron and sudo's secure_path run them with a PATH that lacks where node lives
// (/usr/local/bin in the official node images), and `env -i` clears it. They
// use the node recorded by `npm run build` (dist/node-path), else node on PATH,
// else the usual install places (init/exec-node.sh).
//
// Each test installs a copy of the launchers as an image does (the tools under
// opt/unitd/init, reached through a usr/bin symlink) with its own dist/node-path,
// and a "node" that is a shell script noting where it was called from before it
// execs the real one, so the test sees which node a launcher chose.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import t, { type Test } from 'tap';

const REPO = resolve(import.meta.dirname, '../..');
const TOOLS = ['systemctl', 'journalctl', 'unitd'] as const;
const USUAL_NODES = ['/usr/local/bin/node', '/usr/bin/node', '/usr/bin/nodejs'];

interface Install {
  root: string;
  /** The tool as a user runs it: usr/bin/NAME, a symlink into opt/unitd/init. */
  tool(name: (typeof TOOLS)[number]): string;
  /** A "node" in its own directory that logs `tag` to the marker file, then execs the real node. */
  fakeNode(tag: string): string;
  /** Tags of the fake nodes that ran, in order. */
  calls(): string[];
  record(nodePath: string | undefined): void;
}

function install(t: Test): Install {
  const root = mkdtempSync(join(tmpdir(), 'unitd-launch-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const opt = join(root, 'opt/unitd');
  mkdirSync(join(opt, 'init'), { recursive: true });
  mkdirSync(join(opt, 'dist'), { recursive: true });
  mkdirSync(join(root, 'usr/bin'), { recursive: true });
  for (const file of [...TOOLS, 'exec-node.sh', 'probe.sh', 'launch.cjs', 'package.json']) copyFileSync(join(REPO, 'init', file), join(opt, 'init', file));
  for (const tool of TOOLS) {
    chmodSync(join(opt, 'init', tool), 0o755);
    symlinkSync(join(opt, 'init', tool), join(root, 'usr/bin', tool));
  }
  // The built code itself is the repository's (its imports resolve there).
  for (const entry of readdirSync(join(REPO, 'dist'))) {
    if (entry !== 'node-path') symlinkSync(join(REPO, 'dist', entry), join(opt, 'dist', entry));
  }
  const marker = join(root, 'calls');
  writeFileSync(marker, '');
  return {
    root,
    tool: (name) => join(root, 'usr/bin', name),
    fakeNode(tag) {
      const dir = join(root, tag);
      mkdirSync(dir, { recursive: true });
      const file = join(dir, 'node');
      writeFileSync(file, `#!/bin/sh\necho ${tag} >>'${marker}'\nexec '${process.execPath}' "$@"\n`, { mode: 0o755 });
      return file;
    },
    calls: () => readFileSync(marker, 'utf8').split('\n').filter(Boolean),
    record(nodePath) {
      const file = join(opt, 'dist/node-path');
      if (nodePath === undefined) rmSync(file, { force: true });
      else writeFileSync(file, nodePath + '\n');
    },
  };
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv) {
  const r = spawnSync(file, args, { env, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

t.test('npm run build recorded the node that built dist/', async (t) => {
  t.equal(readFileSync(join(REPO, 'dist/node-path'), 'utf8'), process.execPath + '\n');
});

t.test('env -i: each tool runs under the recorded node, through the /usr/bin symlink', async (t) => {
  const inst = install(t);
  inst.record(inst.fakeNode('recorded'));
  const systemctl = run(inst.tool('systemctl'), ['--version'], {});
  t.equal(systemctl.code, 0, systemctl.stderr);
  t.match(systemctl.stdout, /systemd 252/);
  const journalctl = run(inst.tool('journalctl'), ['--version'], {});
  t.equal(journalctl.code, 0, journalctl.stderr);
  t.match(journalctl.stdout, /systemd 252/);
  const unit = join(inst.root, 'ok.service');
  writeFileSync(unit, '[Service]\nExecStart=/bin/true\n');
  const verify = run(inst.tool('unitd'), ['verify', unit], {});
  t.same(verify, { code: 0, stdout: '', stderr: '' }, 'unitd verify');
  t.same(inst.calls(), ['recorded', 'recorded', 'recorded']);
});

t.test('options reach the tool, and messages name it as invoked', async (t) => {
  const inst = install(t);
  inst.record(inst.fakeNode('recorded'));
  const r = run(inst.tool('systemctl'), ['--bogus'], {});
  t.equal(r.code, 1);
  t.equal(r.stderr, `${inst.tool('systemctl')}: unrecognized option '--bogus'\n`);
});

t.test('recorded node gone: node on PATH is used', async (t) => {
  const inst = install(t);
  inst.record(join(inst.root, 'uninstalled/node'));
  const onPath = inst.fakeNode('path');
  const r = run(inst.tool('systemctl'), ['--version'], { PATH: `${join(inst.root, 'empty')}:${join(onPath, '..')}` });
  t.equal(r.code, 0, r.stderr);
  t.same(inst.calls(), ['path']);
});

const usualNode = USUAL_NODES.find((p) => existsSync(p));
t.test('nothing recorded and no node on PATH (cron, secure_path): the usual places', { skip: usualNode === undefined && `no node at ${USUAL_NODES.join(', ')} on this machine` }, async (t) => {
  const inst = install(t);
  inst.record(undefined);
  const emptyDir = join(inst.root, 'empty');
  mkdirSync(emptyDir);
  for (const env of [{ PATH: emptyDir }, {}]) {
    const r = run(inst.tool('systemctl'), ['--version'], env);
    t.equal(r.code, 0, `PATH=${env.PATH ?? '(unset)'}: ${r.stderr}`);
    t.match(r.stdout, /systemd 252/);
  }
  t.same(inst.calls(), [], 'no fake node involved');
});

t.test('`node init/TOOL` still works: line 2 is valid JavaScript', async (t) => {
  for (const tool of ['systemctl', 'journalctl'] as const) {
    const r = run(process.execPath, [join(REPO, 'init', tool), '--version'], process.env);
    t.equal(r.code, 0, `${tool}: ${r.stderr}`);
    t.match(r.stdout, /systemd 252/);
  }
});

t.test('a code cache is learned only from a run that did its work (exit 0 or 3)', async (t) => {
  const i = install(t);
  // A private bundle directory: the learned caches land beside the bundle.
  const bundle = join(i.root, 'opt/unitd/dist/bundle');
  rmSync(bundle, { force: true });
  mkdirSync(bundle);
  // Learned caches are NAME.VERB.cache (NAME.run.cache); the build's own is NAME.cache.
  const isLearned = (file: string) => /^[a-z-]+\.[a-z-]+\.cache$/.test(file);
  for (const entry of readdirSync(join(REPO, 'dist/bundle'))) {
    if (!isLearned(entry)) copyFileSync(join(REPO, 'dist/bundle', entry), join(bundle, entry));
  }
  const learned = () => readdirSync(bundle).filter(isLearned);
  t.same(learned(), [], 'no learned cache to begin with');
  const env = { PATH: '/usr/bin:/bin', UNITD_PROBE: '0' };
  const failed = run(i.tool('systemctl'), ['list-jobs'], env);
  t.equal(failed.code, 1, `no daemon here: list-jobs fails (${failed.stderr.trim().split('\n')[0]})`);
  t.same(learned(), [], 'the failed run left no cache behind');
  const ok = run(i.tool('systemctl'), ['--version'], env);
  t.equal(ok.code, 0);
  t.same(learned(), ['systemctl.run.cache'], 'a run that did its work leaves its cache');
});

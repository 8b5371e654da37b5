// The Docker test infrastructure on its own, without unitd: an engine
// answers, the base image has Node 20, and the harness stops and removes
// what it starts.
import t from 'tap';
import path from 'node:path';
import {
  BASE_IMAGE,
  dockerDir,
  ensureBaseImage,
  ensureEngine,
  exec,
  exists,
  remove,
  runCommand,
  runContainer,
  runOnce,
  stop,
} from './harness.js';

const engine = await ensureEngine();

if (!engine.ok) {
  t.comment(engine.skip);
  t.skip(`no Docker engine: ${engine.skip}`, () => {});
} else {
  t.comment(engine.message);

  t.test('the base image has Node 20 and npm', async (t) => {
    const base = await ensureBaseImage();
    if (!base.ok) throw new Error(`base-image.sh failed:\n${base.reason}`);
    t.comment(base.message);

    const again = await runCommand('bash', [path.join(dockerDir, 'base-image.sh')], { timeoutMs: 120_000 });
    t.equal(again.code, 0, 'a second base-image.sh succeeds');
    t.match(again.stdout, /up to date/, 'and reuses the image');
    t.ok(again.seconds < 20, `in ${again.seconds.toFixed(1)}s`);

    const node = await runOnce(t, BASE_IMAGE, ['node', '-e', 'console.log(process.version)']);
    t.equal(node.code, 0, `node runs (${node.seconds.toFixed(1)}s): ${node.stderr}`);
    t.match(node.stdout.trim(), /^v20\.\d+\.\d+$/, 'node is v20');

    const npm = await runOnce(t, BASE_IMAGE, ['npm', '--version']);
    t.equal(npm.code, 0, `npm runs: ${npm.stderr}`);
    t.match(npm.stdout.trim(), /^\d+\.\d+\.\d+$/, 'npm prints its version');
  });

  t.test('a sleeping container has no network and is stopped and removed', async (t) => {
    const base = await ensureBaseImage();
    if (!base.ok) throw new Error(`base-image.sh failed:\n${base.reason}`);
    const c = await runContainer(t, BASE_IMAGE, { name: 'engine-sleep', command: ['sleep', 'infinity'] });

    const pid1 = await exec(c, ['cat', '/proc/1/cmdline']);
    t.equal(pid1.stdout.replace(/\0/g, ' ').trim(), 'sleep infinity', 'sleep is PID 1');

    // --network none: the loopback interface and nothing else.
    const net = await exec(c, ['sh', '-c', "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '"]);
    t.same(net.stdout.trim().split('\n'), ['lo'], 'only lo');

    // PID 1 without a SIGTERM handler ignores it, so docker stop waits out
    // the grace period and then kills: exit 137 after about one second.
    const stopped = await stop(c, 1);
    t.equal(stopped.exitCode, 137, 'killed after the grace period');
    t.ok(stopped.seconds >= 0.9 && stopped.seconds < 15, `stop took ${stopped.seconds.toFixed(1)}s`);

    await remove(c);
    t.notOk(await exists(c.name), 'removed');
  });

  t.test('teardown removes the containers of a finished subtest', async (t) => {
    let name = '';
    await t.test('starts a container and leaves it running', async (st) => {
      const c = await runContainer(st, BASE_IMAGE, { name: 'engine-leftover', command: ['sleep', 'infinity'] });
      name = c.name;
      st.ok(await exists(name), 'running');
    });
    t.ok(name, 'the subtest started a container');
    t.notOk(await exists(name), 'gone after the subtest');
  });

  t.test('runContainer refuses a network', async (t) => {
    await t.rejects(
      runContainer(t, BASE_IMAGE, { extraArgs: ['--network=host'], command: ['true'] }),
      /--network none/,
    );
  });
}

// Issue 21 (found by fuzzing): a ~2,000-deep Wants=/Requires=/After= chain overflowed the JS
// stack while PID 1 built the boot transaction: 612 units were never started and nothing was
// said. As PID 1, a 3,000-deep chain (targets, so the boot spawns little; the links alternate
// Wants=, Requires= and both, every one also After=) ending in a service: every unit starts,
// the service at the far end runs, `is-system-running` says running, daemon-reload and
// `list-dependencies` of the chain work.

import t from 'tap';
import { boot, sleep, type System } from './harness.js';

const DEPTH = 3000;
const name = (i: number) => (i === DEPTH - 1 ? 'deep-end.service' : `deep${i}.target`);
const units: Record<string, string> = {};
for (let i = 0; i < DEPTH - 1; i++) {
  const next = name(i + 1);
  // The first third Wants=, the second both, the last Requires=: a stop of the far end
  // propagates up the last two thirds.
  const links = i < 1000 ? `Wants=${next}` : i < 2000 ? `Wants=${next}\nRequires=${next}` : `Requires=${next}`;
  units[name(i)] = `[Unit]\nDescription=Link ${i}\n${links}\nAfter=${next}\n`;
}
units['deep-end.service'] = `[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/sh -c 'echo reached > /run/deep-end'\n`;

let sys: System;
t.before(async () => {
  sys = await boot({ units, enable: ['deep0.target'], bootTimeoutMs: 120000 });
});
t.teardown(async () => {
  await sys?.stop();
});

async function settled(): Promise<string> {
  let state = '';
  for (let i = 0; i < 1200; i++) {
    state = (await sys.ctl('is-system-running')).stdout.trim();
    if (state !== 'initializing' && state !== 'starting') break;
    await sleep(100);
  }
  return state;
}

async function activeCount(): Promise<number> {
  const r = await sys.ctl('list-units', '--all', '--plain', '--no-legend', '--state=active', 'deep*');
  return r.stdout.split('\n').filter((l) => /^deep/.test(l)).length;
}

t.test(`a ${DEPTH}-deep dependency chain boots completely`, async (t) => {
  t.equal(await settled(), 'running', 'is-system-running says running');
  t.equal(await activeCount(), DEPTH, `all ${DEPTH} units of the chain are active`);
  t.equal((await sys.exec('cat', '/run/deep-end')).stdout.trim(), 'reached', 'the service at the far end ran');
  t.notMatch(sys.console(), /Maximum call stack|RangeError/, 'no stack overflow anywhere');
});

t.test('daemon-reload and list-dependencies of the deep chain', async (t) => {
  const reload = await sys.ctl('daemon-reload');
  t.equal(reload.code, 0, `daemon-reload: ${reload.stderr}`);
  t.equal(await activeCount(), DEPTH, 'still all active after the reload');
  const deps = await sys.ctl('list-dependencies', '--plain', 'deep0.target');
  t.equal(deps.code, 0, `list-dependencies: ${deps.stderr.slice(0, 200)}`);
  t.match(deps.stdout, /deep-end\.service/, 'the far end is listed');
  const stop = await sys.ctl('stop', 'deep-end.service');
  t.equal(stop.code, 0, `stopping the far end: ${stop.stderr}`);
  t.equal(await activeCount(), 1000, 'the 2,000 units that Require= their way down to it stopped with it');
  t.equal((await sys.ctl('is-active', 'deep999.target')).stdout.trim(), 'active', 'above the first Wants=-only link, nothing stopped');
});

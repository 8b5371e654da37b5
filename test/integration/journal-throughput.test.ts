// 50 services each writing 10 000 lines as fast as they can, under unitd as PID 1: every line
// is in the journal in order per service (read back with the real journalctl) and on the
// console (`docker logs`). Prints how much slower one service writes its 10 000 lines into
// the journal than the same command writing to /dev/null in the same namespace.

import t from 'tap';
import { join } from 'node:path';
import { boot, REPO, sleep, type System } from './harness.js';

const SERVICES = 50;
/** Rounds of the printed (not asserted) solo-vs-/dev/null comparison: a median of 3 is as telling as of 5. */
const ROUNDS = 3;
const LINES = 10000;
const name = (i: number) => `svc${i}`;

/** The command under test, timed by the shell itself (ns) into a file, so nothing else is logged. */
const timed = (label: string, sink: string) =>
  `a=$(date +%s%N); seq -f ${label}-%05g 1 ${LINES}${sink}; b=$(date +%s%N); echo $((b-a)) > /run/elapsed-${label}`;

const units: Record<string, string> = {};
for (let i = 1; i <= SERVICES; i++) {
  // `%` is a specifier in unit files: `%%` is a literal percent.
  units[`${name(i)}.service`] = `[Service]\nType=oneshot\nExecStart=/bin/sh -c '${timed(name(i), '').replace(/%/g, '%%')}'\n`;
}
units['solo.service'] = `[Service]\nType=oneshot\nExecStart=/bin/sh -c '${timed('solo', '').replace(/%/g, '%%')}'\n`;

let sys: System;
t.before(async () => {
  sys = await boot({ units, enable: Array.from({ length: SERVICES }, (_, i) => `${name(i + 1)}.service`), bootTimeoutMs: 120000 });
});
t.teardown(async () => {
  await sys?.stop();
});

const journalctl = (...args: string[]) => sys.exec('node', join(REPO, 'init/journalctl'), '--no-pager', ...args);

function checkInOrder(t: { equal: (a: unknown, b: unknown, m: string) => unknown }, text: string, pattern: RegExp, what: string): void {
  const next = new Map<string, number>();
  let disorder = 0;
  for (const match of text.matchAll(pattern)) {
    const [, svc, n] = match;
    const expected = (next.get(svc) ?? 0) + 1;
    if (Number(n) !== expected) disorder++;
    next.set(svc, Number(n));
  }
  const complete = [...Array(SERVICES).keys()].filter((i) => next.get(name(i + 1)) === LINES).length;
  t.equal(disorder, 0, `${what}: no line missing or out of order`);
  t.equal(complete, SERVICES, `${what}: all ${SERVICES} services reached line ${LINES}`);
}

t.test('50 services x 10 000 lines: all in the journal in order, and on the console', async (t) => {
  // Boot waits for every oneshot to finish, so all lines have been written when we get here.
  const states = await sys.exec('sh', '-c', `for i in $(seq 1 ${SERVICES}); do node ${REPO}/init/systemctl is-active svc$i.service; done | sort | uniq -c`);
  t.comment(`states after boot: ${states.stdout.trim()}`);
  const started = Date.now();
  const all = await sys.exec('sh', '-c', `node ${REPO}/init/journalctl --no-pager -o with-unit | grep -c -E '^.{15} [^ ]+ svc[0-9]+\\.service [a-z]+\\[[0-9]+\\]: svc[0-9]+-[0-9]{5}$'`);
  t.comment(`journalctl -o with-unit over the whole store took ${Date.now() - started} ms`);
  t.equal(all.stdout.trim(), String(SERVICES * LINES), 'every line is stored with its unit');

  const dump = await journalctl('-o', 'cat');
  checkInOrder(t, dump.stdout, /^(svc\d+)-(\d{5})$/gm, 'journal');
  for (const i of [1, 17, SERVICES]) {
    const one = await journalctl('-u', `${name(i)}.service`, '-o', 'cat');
    const lines = one.stdout.split('\n').filter((l) => l.startsWith(`${name(i)}-`));
    t.equal(lines.length, LINES, `journalctl -u ${name(i)} shows its ${LINES} lines`);
    t.equal(lines.at(-1), `${name(i)}-${String(LINES).padStart(5, '0')}`);
  }
  await sys.waitConsole((text) => text.includes(`${name(SERVICES)}.service: ${name(SERVICES)}-10000`), 20000);
  checkInOrder(t, sys.console(), /^(svc\d+)\.service: svc\d+-(\d{5})$/gm, 'console');
  const drops = sys.console().match(/^.*lines dropped.*$/gm) ?? [];
  t.same(drops, [], 'nothing was dropped');

  const elapsed = await sys.exec('sh', '-c', 'cat /run/elapsed-svc*');
  const ms = elapsed.stdout.trim().split('\n').map((n) => Number(n) / 1e6).sort((a, b) => a - b);
  t.comment(`50 concurrent services, time to write 10 000 lines (ms): min ${ms[0].toFixed(1)}, median ${ms[ms.length >> 1].toFixed(1)}, max ${ms.at(-1)?.toFixed(1)}`);
});

t.test('one service writing 10 000 lines: slowdown against /dev/null (printed, not asserted)', async (t) => {
  const runs: number[] = [];
  const baseline: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const base = await sys.exec('sh', '-c', `${timed('base', ' > /dev/null')}; cat /run/elapsed-base`);
    baseline.push(Number(base.stdout.trim()) / 1e6);
    const r = await sys.ctl('start', 'solo.service');
    t.equal(r.code, 0, `solo.service ran ${r.stderr.trim()}`);
    runs.push(Number((await sys.exec('cat', '/run/elapsed-solo')).stdout.trim()) / 1e6);
    await sleep(100);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  t.comment(`seq 1..10000 to /dev/null (ms): ${baseline.map((x) => x.toFixed(1)).join(' ')}`);
  t.comment(`seq 1..10000 to the journal (ms): ${runs.map((x) => x.toFixed(1)).join(' ')}`);
  t.comment(`slowdown factor (median/median): ${(median(runs) / median(baseline)).toFixed(2)}x`);
  const solo = await journalctl('-u', 'solo.service', '-o', 'cat');
  t.equal(solo.stdout.split('\n').filter((l) => /^solo-\d{5}$/.test(l)).length, ROUNDS * LINES, `all ${ROUNDS} runs are in the journal`);
});

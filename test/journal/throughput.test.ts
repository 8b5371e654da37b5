// 50 services × 10 000 lines each through pipes, the line splitter and the store: every line
// arrives, in order per writer.

import t from 'tap';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Journal } from '../../src/journal/journal.js';
import { JournalReader } from '../../src/journal/reader.js';

const dir = mkdtempSync(join(tmpdir(), 'unitd-journal-throughput-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const WRITERS = 50;
const LINES = 10_000;

t.test(`${WRITERS} writers × ${LINES} lines`, async (t) => {
  const journal = new Journal({ dir, console: false, config: { maxUse: 1024 * 1024 * 1024, maxFileSize: 64 * 1024 * 1024 } });
  const pids: number[] = [];
  const timer = setTimeout(() => pids.forEach((pid) => process.kill(pid, 'SIGKILL')), 120_000);
  t.teardown(() => clearTimeout(timer));
  const started = process.hrtime.bigint();
  const exits: Array<Promise<unknown>> = [];
  for (let w = 0; w < WRITERS; w++) {
    const program = `BEGIN { for (i = 0; i < ${LINES}; i++) printf "writer ${w} line %d\\n", i }`;
    const proc = spawn('awk', [program], { stdio: ['ignore', 'pipe', 'inherit'] });
    pids.push(proc.pid as number);
    const capture = journal.capture(proc.stdout, { unit: `writer${w}.service`, identifier: 'awk', pid: proc.pid as number });
    exits.push(once(proc.stdout, 'close').then(() => capture.close()));
  }
  await Promise.all(exits);
  await journal.store.flush();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await journal.close();
  t.comment(`${WRITERS * LINES} lines in ${seconds.toFixed(2)}s: ${Math.round((WRITERS * LINES) / seconds)} lines/s (pipes → splitter → store, on a shared 2-core machine)`);
  t.comment(JSON.stringify(journal.store.stats()));
  t.equal(journal.store.stats().dropped, 0, 'nothing dropped');

  const next = new Array<number>(WRITERS).fill(0);
  let bad = 0;
  for (const entry of new JournalReader(dir).head({}).entries) {
    const match = /^writer (\d+) line (\d+)$/.exec(entry.message.toString());
    const w = Number(match?.[1]);
    if (!match || entry.unit !== `writer${w}.service` || Number(match[2]) !== next[w]) bad++;
    else next[w]++;
  }
  t.equal(bad, 0, 'no line out of order, mangled or misattributed');
  t.same(next, new Array(WRITERS).fill(LINES), 'every writer’s lines are all there');
});

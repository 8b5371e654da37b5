// unitd's own log: one console line per warning, the journal entry as the manager's, the JSON in the file.

import t from 'tap';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../src/journal/logger.js';
import { DaemonLog, summarize } from '../../src/journal/daemon-log.js';
import type { JournalEntry } from '../../src/journal/entry.js';

t.test('records go to the file, the journal and (warnings only) the console', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'daemon-log-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const console: string[] = [];
  const entries: JournalEntry[] = [];
  const sink = new DaemonLog({ file: join(dir, 'unitd.log'), console: (l) => console.push(l), pid: 1, maxFileBytes: 4096 });
  const log = createLogger({ level: 'debug' }, sink);
  log.info('before the journal');
  log.warn({ unit: 'a.service', err: new Error('boom') }, 'handler failed');
  log.warn({ onConsole: true }, 'already shown');
  sink.attach((e) => entries.push(e));
  log.debug({ path: '/x' }, 'detail');
  t.same(console, ['unitd[1]: a.service: handler failed: boom'], 'one line, no stack, only the unshown warning');
  t.same(entries.map((e) => e.message.toString()), ['before the journal', 'a.service: handler failed: boom', 'already shown', 'detail (path=/x)']);
  t.ok(entries.every((e) => e.pid === 1 && e.unit === 'init.scope' && e.identifier === 'unitd'));
  t.same(entries.map((e) => e.priority), [6, 4, 4, 7]);
  const file = readFileSync(join(dir, 'unitd.log'), 'utf8');
  t.match(file, /"stack":"Error: boom/, 'the stack is in the file');
  for (let i = 0; i < 100; i++) log.info('x'.repeat(100));
  t.ok(existsSync(join(dir, 'unitd.log.1')), 'the file is rotated');
  t.ok(readFileSync(join(dir, 'unitd.log')).length <= 4096, 'and bounded');
  sink.close();
  t.end();
});

t.test('summaries are one line', (t) => {
  t.equal(summarize({ msg: 'a\n  b', err: { message: 'c' } }), 'a b: c');
  t.equal(summarize({ msg: 'x: c', err: { message: 'c' } }), 'x: c', 'the error is not repeated');
  t.end();
});

// journalctl's boots and cursors: each store (daemon start) stamps its own boot ID; -b picks a
// boot, --list-boots lists them as journalctl 252 does, cursors resume where a reader stopped.

import t from 'tap';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, type JournalctlIO } from '../../src/cli/journalctl.js';
import { JournalStore } from '../../src/journal/store.js';

process.env.TZ = 'UTC';
const dir = mkdtempSync(join(tmpdir(), 'unitd-boots-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

async function journalctl(...args: string[]): Promise<{ rc: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: JournalctlIO = {
    write: async (chunk) => void (stdout += chunk.toString()),
    error: (line) => void (stderr += line + '\n'),
    closed: () => false,
  };
  const rc = await main(['-D', dir, ...args], io);
  return { rc, stdout, stderr };
}

const BASE = Date.UTC(2026, 10, 21, 19, 0, 0) * 1000;
const bootIds: string[] = [];

t.before(async () => {
  for (let boot = 0; boot < 3; boot++) {
    const store = new JournalStore({ dir, config: { maxUse: 1 << 30, maxFileSize: 1 << 20, maxFiles: 100 } });
    bootIds.push(store.bootId);
    for (let i = 0; i < 3; i++) {
      store.append({ timestamp: BASE + (boot * 60 + i) * 60_000_000, unit: 'a.service', identifier: 'a', pid: 10 + boot, priority: 6, message: Buffer.from(`boot ${boot} line ${i}`) });
    }
    await store.close();
  }
});

t.test('every store start is a new boot; -b selects one', async (t) => {
  t.equal(new Set(bootIds).size, 3);
  const list = (await journalctl('--list-boots')).stdout.split('\n');
  t.equal(list[0], 'IDX BOOT ID                          FIRST ENTRY                 LAST ENTRY');
  t.equal(list[1], ` -2 ${bootIds[0]} Sat 2026-11-21 19:00:00 UTC Sat 2026-11-21 19:02:00 UTC`);
  t.equal(list[3], `  0 ${bootIds[2]} Sat 2026-11-21 21:00:00 UTC Sat 2026-11-21 21:02:00 UTC`);
  t.equal((await journalctl('-o', 'cat')).stdout.split('\n').filter(Boolean).length, 9, 'without -b: every boot');
  t.equal((await journalctl('-b', '-o', 'cat')).stdout, 'boot 2 line 0\nboot 2 line 1\nboot 2 line 2\n', '-b: the newest boot of a -D journal');
  t.equal((await journalctl('-b', '-1', '-o', 'cat', '-n', '1')).stdout, 'boot 1 line 2\n', '-b -1');
  t.equal((await journalctl('--boot=1', '-o', 'cat', '-n', '1')).stdout, 'boot 0 line 2\n', '--boot=1: the first');
  t.equal((await journalctl(`--boot=${bootIds[1]}`, '-o', 'cat', '-n', '1')).stdout, 'boot 1 line 2\n', 'by ID');
  const missing = await journalctl('-b', '-7');
  t.equal(missing.rc, 1);
  t.match(missing.stderr, /specified boot \(-7\) is not available/);
  const json = JSON.parse((await journalctl('-b', '-n', '1', '-o', 'json')).stdout) as Record<string, string>;
  t.equal(json._BOOT_ID, bootIds[2]);
  t.match(json.__CURSOR, new RegExp(`^s=[0-9a-f]{32};i=[0-9a-f]+;b=${bootIds[2]};m=[0-9a-f]+;t=[0-9a-f]+;x=[0-9a-f]+$`));
  t.match(json.__MONOTONIC_TIMESTAMP, /^\d+$/);
  t.equal((await journalctl(`_BOOT_ID=${bootIds[0]}`, '-o', 'cat', '-n', '1')).stdout, 'boot 0 line 2\n', '_BOOT_ID= match');
});

t.test('cursors: --show-cursor, --cursor, --after-cursor, --cursor-file', async (t) => {
  const shown = (await journalctl('-b', '-1', '-n', '2', '-o', 'cat', '--show-cursor')).stdout.split('\n');
  t.equal(shown[1], 'boot 1 line 2');
  t.match(shown[2], /^-- cursor: s=/);
  const cursor = shown[2].slice('-- cursor: '.length);
  t.equal((await journalctl(`--cursor=${cursor}`, '-o', 'cat', '-n', '2')).stdout, 'boot 1 line 2\nboot 2 line 0\n', '--cursor includes the entry');
  t.equal((await journalctl('--after-cursor', cursor, '-o', 'cat', '-n', '2')).stdout, 'boot 2 line 0\nboot 2 line 1\n', '--after-cursor does not');
  const bad = await journalctl('--cursor=nonsense');
  t.same([bad.rc, bad.stderr], [1, 'Failed to seek to cursor: Invalid argument\n']);
  const file = join(dir, '..', `cursor-${process.pid}`);
  t.teardown(() => rmSync(file, { force: true }));
  writeFileSync(file, cursor);
  t.equal((await journalctl(`--cursor-file=${file}`, '-o', 'cat')).stdout, 'boot 2 line 0\nboot 2 line 1\nboot 2 line 2\n', 'resumes after the saved cursor');
  t.match(readFileSync(file, 'utf8'), /^s=.*;t=/, 'and saves the last one');
  t.equal((await journalctl(`--cursor-file=${file}`, '-o', 'cat', '-q')).stdout, '', 'nothing new the second time');
});

t.test('-o export', async (t) => {
  const out = (await journalctl('-b', '-n', '1', '-o', 'export')).stdout;
  t.match(out, /^__CURSOR=s=.*\n__REALTIME_TIMESTAMP=\d+\n__MONOTONIC_TIMESTAMP=\d+\n_BOOT_ID=[0-9a-f]{32}\n/);
  t.match(out, /\nMESSAGE=boot 2 line 2\n\n$/);
});

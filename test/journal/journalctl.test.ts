// journalctl as a user runs it: output formats, filters, option errors and follow.

import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, type JournalctlIO } from '../../src/cli/journalctl.js';
import { JournalStore } from '../../src/journal/store.js';
import type { JournalEntry } from '../../src/journal/entry.js';

process.env.TZ = 'UTC';
const dir = mkdtempSync(join(tmpdir(), 'unitd-journalctl-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const host = hostname();

class CapturedIO implements JournalctlIO {
  stdout = '';
  stderr = '';
  async write(chunk: Buffer | string): Promise<void> {
    this.stdout += chunk.toString();
  }
  error(line: string): void {
    this.stderr += line + '\n';
  }
  closed(): boolean {
    return false;
  }
}

async function journalctl(...args: string[]): Promise<{ rc: number; stdout: string; stderr: string }> {
  const io = new CapturedIO();
  const rc = await main(['-D', dir, ...args], io);
  return { rc, stdout: io.stdout, stderr: io.stderr };
}

// 2026-11-21 19:38:16.000123 UTC, then one entry a minute.
const BASE = Date.UTC(2026, 10, 21, 19, 38, 16) * 1000 + 123;
function entry(minute: number, unit: string, identifier: string, pid: number, priority: number, message: string | Buffer): JournalEntry {
  return { timestamp: BASE + minute * 60_000_000, unit, identifier, pid, priority, message: Buffer.from(message) };
}

t.before(async () => {
  const store = new JournalStore({ dir });
  store.append({ ...entry(0, 'nginx.service', 'nginx', 123, 6, 'message'), transport: 'stdout' });
  store.append({ ...entry(1, 'redis.service', 'redis-server', 200, 3, 'Error: out of memory'), transport: 'syslog' });
  store.append(entry(2, 'nginx.service', 'nginx', 123, 4, 'two\nlines'));
  store.append({ ...entry(3, 'nginx-exporter.service', 'exporter', 300, 6, 'scraped'), transport: 'stdout' });
  store.append(entry(4, 'redis.service', 'redis-server', 200, 6, Buffer.from([0xff, 0xfe, 0x00])));
  await store.close();
});

t.test('default short output, like journald', async (t) => {
  const { rc, stdout } = await journalctl('-u', 'nginx');
  t.equal(rc, 0);
  t.equal(
    stdout,
    `Nov 21 19:38:16 ${host} nginx[123]: message\n` +
      `Nov 21 19:40:16 ${host} nginx[123]: two\n` +
      ' '.repeat(`Nov 21 19:40:16 ${host} nginx[123]: `.length) +
      'lines\n',
  );
});

t.test('unit globs, -n, -r, -p, -g', async (t) => {
  t.equal((await journalctl('-u', 'nginx*', '-o', 'cat')).stdout, 'message\ntwo\nlines\nscraped\n', 'glob');
  t.equal((await journalctl('-u', 'nginx.service', '-u', 'nginx-exporter', '-o', 'cat', '-n', '1')).stdout, 'scraped\n', 'repeatable -u, last N');
  t.equal((await journalctl('-o', 'cat', '-n2', '-r', '-u', 'nginx*')).stdout, 'scraped\ntwo\nlines\n', 'reverse');
  t.equal((await journalctl('-p', 'err', '-o', 'cat')).stdout, 'Error: out of memory\n', 'priority');
  t.equal((await journalctl('-p', 'warning..err', '-o', 'cat', '-u', 'nginx')).stdout, 'two\nlines\n', 'priority range');
  t.equal((await journalctl('-g', 'memory', '-o', 'cat')).stdout, 'Error: out of memory\n', 'grep');
  t.equal((await journalctl('-g', 'error', '-o', 'cat')).stdout, 'Error: out of memory\n', 'lower-case pattern ignores case');
  const none = await journalctl('-g', 'ERROR');
  t.equal(none.stdout, '-- No entries --\n', 'a capital makes it case-sensitive');
  t.equal(none.rc, 1, '-g that matches nothing exits 1, like grep (journalctl 252)');
});

t.test('--since/--until with systemd time formats', async (t) => {
  t.equal((await journalctl('-S', '2026-11-21 19:40:00', '-U', '2026-11-21 19:41:30', '-o', 'cat')).stdout, 'two\nlines\nscraped\n');
  t.equal((await journalctl('--since=2026-11-21 19:39', '-n', '1', '-o', 'cat')).stdout, 'Error: out of memory\n', 'with --since, -n is the first N');
  t.equal((await journalctl('-S', 'yesterday', '-U', 'now')).rc, 0);
  t.equal((await journalctl('-S', '-10min')).stdout, '-- No entries --\n', 'relative');
  const bad = await journalctl('--since', 'garbage');
  t.same(bad, { rc: 1, stdout: '', stderr: 'Failed to parse timestamp: garbage\n' });
});

t.test('output modes', async (t) => {
  const last = async (mode: string) => (await journalctl('-u', 'nginx', '-n', '1', '-o', mode)).stdout;
  t.equal(await last('short-iso'), `2026-11-21T19:40:16+0000 ${host} nginx[123]: two\n${' '.repeat(`2026-11-21T19:40:16+0000 ${host} nginx[123]: `.length)}lines\n`);
  t.match(await last('short-precise'), /^Nov 21 19:40:16\.000123 /);
  t.match(await last('short-full'), /^Sat 2026-11-21 19:40:16 UTC /);
  const json = JSON.parse(await last('json'));
  t.match(json, { __REALTIME_TIMESTAMP: String(BASE + 120_000_000), PRIORITY: '4', SYSLOG_IDENTIFIER: 'nginx', _PID: '123', _SYSTEMD_UNIT: 'nginx.service', MESSAGE: 'two\nlines' });
  t.match(await last('json-pretty'), /^{\n\t"__CURSOR" : "[^"]+",\n/);
  t.match(await last('verbose'), /^Sat 2026-11-21 19:40:16\.000123 UTC \[s=.*\]\n(    [A-Z_]+=.*\n)*    MESSAGE=two\nlines\n$/);
  const blob = await journalctl('-u', 'redis', '-n', '1');
  t.equal(blob.stdout, `Nov 21 19:42:16 ${host} redis-server[200]: [3B blob data]\n`, 'unprintable messages as blob data');
  t.same(JSON.parse((await journalctl('-u', 'redis', '-n', '1', '-o', 'json')).stdout).MESSAGE, [255, 254, 0], 'binary MESSAGE is a byte array in JSON');
});

t.test('errors, empty results and accepted no-op options', async (t) => {
  t.same(await journalctl('--badopt'), { rc: 1, stdout: '', stderr: "journalctl: unrecognized option '--badopt'\n" });
  t.same(await journalctl('-u', 'nothing'), { rc: 0, stdout: '-- No entries --\n', stderr: '' });
  t.same(await journalctl('-q', '-u', 'nothing'), { rc: 0, stdout: '', stderr: '' });
  t.same(await journalctl('-k'), { rc: 0, stdout: '-- No entries --\n', stderr: '' });
  t.equal((await journalctl('-b', '-x', '-e', '--no-pager', '-o', 'cat', '-u', 'nginx-exporter')).stdout, 'scraped\n');
  t.equal((await journalctl('-o', 'bogus')).stderr, "Unknown output format 'bogus'.\n");
  t.match((await journalctl('--list-boots')).stdout, /^IDX BOOT ID {26}FIRST ENTRY {17}LAST ENTRY\n {2}0 [0-9a-f]{32} Sat 2026-11-21 19:38:16 UTC Sat 2026-11-21 19:42:16 UTC\n$/);
});

t.test('-f prints the tail, then new entries as they are written', async (t) => {
  const io = new CapturedIO();
  const running = main(['-D', dir, '-f', '-n', '1', '-o', 'cat', '-u', 'nginx'], io);
  const store = new JournalStore({ dir });
  store.append(entry(10, 'nginx.service', 'nginx', 123, 6, 'followed line'));
  store.append(entry(10, 'redis.service', 'redis-server', 200, 6, 'not this unit'));
  await store.flush();
  const deadline = Date.now() + 10_000;
  while (!io.stdout.includes('followed line') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  process.emit('SIGINT');
  t.equal(await running, 0, 'SIGINT ends follow mode cleanly');
  await store.close();
  t.equal(io.stdout, 'two\nlines\nfollowed line\n');
});

t.test('_TRANSPORT= is kept, shown and matched; --output-fields= as journalctl 252', async (t) => {
  t.equal((await journalctl('_TRANSPORT=stdout', '-o', 'cat')).stdout, 'message\nscraped\n', '_TRANSPORT=stdout matches captured output only');
  t.equal((await journalctl('_TRANSPORT=syslog', '-o', 'cat')).stdout, 'Error: out of memory\n');
  const json = JSON.parse((await journalctl('-u', 'redis', '-n', '1', '-o', 'json', '-U', '2026-11-21 19:41:00')).stdout);
  t.equal(json._TRANSPORT, 'syslog', 'json shows it');
  t.match((await journalctl('-u', 'nginx', '-n', '1', '-r', '-o', 'verbose', '_TRANSPORT=stdout')).stdout, /\n {4}_TRANSPORT=stdout\n/, 'verbose shows it');

  const only = JSON.parse((await journalctl('-u', 'nginx', '-n', '1', '-o', 'json', '--output-fields=MESSAGE,_TRANSPORT', '_TRANSPORT=stdout')).stdout);
  t.same(Object.keys(only).sort(), ['MESSAGE', '_BOOT_ID', '_TRANSPORT', '__CURSOR', '__MONOTONIC_TIMESTAMP', '__REALTIME_TIMESTAMP'], 'json: the listed fields and the address fields');
  const exported = (await journalctl('-u', 'nginx', '-n', '1', '-o', 'export', '--output-fields=_PID')).stdout;
  t.same(exported.split('\n').filter(Boolean).map((l) => l.split('=')[0]), ['__CURSOR', '__REALTIME_TIMESTAMP', '__MONOTONIC_TIMESTAMP', '_BOOT_ID', '_PID'], 'export likewise');
  const verbose = (await journalctl('-u', 'nginx', '-n', '1', '-o', 'verbose', '--output-fields=SYSLOG_IDENTIFIER', '-U', '2026-11-21 19:41:00')).stdout;
  t.match(verbose, /^Sat 2026-11-21 19:40:16\.000123 UTC \[s=.*\]\n {4}SYSLOG_IDENTIFIER=nginx\n$/, 'verbose: the header and the listed field only (no _BOOT_ID, as 252)');
  t.equal((await journalctl('-u', 'nginx', '-o', 'cat', '--output-fields=_PID', '--output-fields=NO_SUCH_FIELD', '-U', '2026-11-21 19:41:00')).stdout, '123\n123\n', 'cat: the values of the listed fields, absent ones skipped');
  t.equal((await journalctl('-u', 'nginx', '-n', '1', '-o', 'short', '--output-fields=_PID', '-U', '2026-11-21 19:41:00')).stdout, `Nov 21 19:40:16 ${host} nginx[123]: two\n${' '.repeat(`Nov 21 19:40:16 ${host} nginx[123]: `.length)}lines\n`, 'short modes ignore it');
});

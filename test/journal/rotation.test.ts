// SystemMaxUse= holds: 100 MB of log lines through a store limited to 4 MiB never leaves
// more than 4 MiB on disk, and the newest lines are the ones kept.

import t from 'tap';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadJournalConfig } from '../../src/journal/config.js';
import { JournalReader } from '../../src/journal/reader.js';
import { listSegments } from '../../src/journal/segments.js';
import { JournalStore } from '../../src/journal/store.js';

const dir = mkdtempSync(join(tmpdir(), 'unitd-journal-rotation-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const storeSize = (path: string) => listSegments(path).reduce((sum, segment) => sum + segment.size, 0);

t.test('journald.conf and drop-ins set the limits', async (t) => {
  const etc = join(dir, 'etc');
  mkdirSync(join(etc, 'systemd', 'journald.conf.d'), { recursive: true });
  writeFileSync(join(etc, 'systemd', 'journald.conf'), '[Journal]\n#SystemMaxUse=\nSystemMaxUse=1G\nLineMax=64K\n');
  writeFileSync(join(etc, 'systemd', 'journald.conf.d', '50-small.conf'), '[Journal]\nSystemMaxUse=4M\n');
  writeFileSync(join(etc, 'systemd', 'journald.conf.d', '10-early.conf'), '[Journal]\nSystemMaxUse=2M\nSystemMaxFiles=7\n');
  const config = loadJournalConfig({ configRoot: etc, storeDir: dir });
  t.equal(config.maxUse, 4 * 1024 * 1024, 'the drop-in sorted last wins');
  t.equal(config.maxFileSize, 512 * 1024, 'SystemMaxFileSize= defaults to an eighth of SystemMaxUse=');
  t.equal(config.maxFiles, 7);
  t.equal(config.lineMax, 64 * 1024);
  const defaults = loadJournalConfig({ configRoot: join(dir, 'none'), storeDir: dir });
  t.ok(defaults.maxUse > 0 && defaults.maxUse <= 4 * 1024 ** 3, `default SystemMaxUse= is 10% of the file system, at most 4G (${defaults.maxUse})`);
  t.equal(defaults.lineMax, 48 * 1024, 'LineMax= defaults to 48K');
});

t.test('100 MB through a 4 MiB store', async (t) => {
  const storeDir = join(dir, 'store');
  const limit = 4 * 1024 * 1024;
  const store = new JournalStore({ dir: storeDir, config: { maxUse: limit, maxFileSize: limit / 8 } });
  const line = Buffer.from('z'.repeat(180));
  const total = 100 * 1024 * 1024;
  let written = 0;
  let lines = 0;
  let largest = 0;
  const started = process.hrtime.bigint();
  while (written < total) {
    // Bursts of 4 MB, then let the writer catch up, as a busy service's pipe would.
    for (let burst = 0; burst < 4 * 1024 * 1024 && written < total; burst += line.length) {
      store.append({ timestamp: Date.now() * 1000, unit: 'flood.service', identifier: 'flood', pid: 7, priority: 6, message: Buffer.concat([Buffer.from(`${lines} `), line]) });
      written += line.length;
      lines++;
    }
    await store.flush();
    largest = Math.max(largest, storeSize(storeDir));
  }
  await store.close();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const finalSize = storeSize(storeDir);
  t.comment(`wrote ${lines} lines (${(written / 1e6).toFixed(0)} MB) in ${seconds.toFixed(2)}s; store ${finalSize} bytes in ${listSegments(storeDir).length} segments, largest seen ${largest}`);
  t.equal(store.stats().dropped, 0, 'nothing dropped when the caller leaves the writer time');
  t.ok(finalSize <= limit, `final size ${finalSize} <= ${limit}`);
  t.ok(largest <= limit, 'never above the limit at any flush');
  const last = new JournalReader(storeDir).tail({ units: ['flood.service'] }, 1).entries[0];
  t.equal(last?.message.toString().split(' ')[0], String(lines - 1), 'the newest line survived');
});

t.test('SystemMaxFiles= bounds the number of segments', async (t) => {
  const storeDir = join(dir, 'files');
  const store = new JournalStore({ dir: storeDir, config: { maxUse: 64 * 1024 * 1024, maxFileSize: 4096, maxFiles: 3 } });
  for (let i = 0; i < 200; i++) {
    store.append({ timestamp: i, unit: 'a.service', identifier: 'a', pid: 1, priority: 6, message: Buffer.alloc(500, 'a') });
    await store.flush();
  }
  await store.close();
  t.ok(listSegments(storeDir).length <= 3, `${listSegments(storeDir).length} segments`);
});

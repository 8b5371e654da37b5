// inotify(7) for path units: close-after-write is told apart from a write, events arrive
// in batches on the loop, bad arguments are TypeErrors, and closing releases the fd.

import t from 'tap';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Inotify, IN, type InotifyEvent } from '../../src/native/index.js';
import { openFds } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'unitd-inotify-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

/** Collects events until `until` holds for the list so far, or 5 s pass. */
function collector(): { watcher: Inotify; events: InotifyEvent[]; waitFor(until: (e: InotifyEvent[]) => boolean): Promise<boolean> } {
  const events: InotifyEvent[] = [];
  let wake: (() => void) | undefined;
  const watcher = new Inotify((batch) => {
    events.push(...batch);
    wake?.();
  });
  return {
    watcher,
    events,
    async waitFor(until) {
      const deadline = Date.now() + 5000;
      while (!until(events) && Date.now() < deadline) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 100);
        });
      }
      return until(events);
    },
  };
}

t.test('a write is IN_MODIFY at once, IN_CLOSE_WRITE only when the writer closes', async (t) => {
  const c = collector();
  const file = join(dir, 'modded');
  writeFileSync(file, '');
  const wd = c.watcher.add(file, IN.MODIFY | IN.CLOSE_WRITE);
  const fd = openSync(file, 'a');
  writeSync(fd, 'x');
  t.ok(await c.waitFor((e) => e.some((x) => x.mask & IN.MODIFY)), 'modify seen before close');
  t.notOk(c.events.some((x) => x.mask & IN.CLOSE_WRITE), 'no close-write while the file is open');
  closeSync(fd);
  t.ok(await c.waitFor((e) => e.some((x) => x.mask & IN.CLOSE_WRITE)), 'close-write after close');
  t.ok(c.events.every((x) => x.wd === wd && x.name === ''), 'events name the watch, no entry name for the file itself');
  c.watcher.close();
});

t.test('a directory watch names created entries', async (t) => {
  const c = collector();
  const sub = join(dir, 'spool');
  mkdirSync(sub);
  c.watcher.add(sub, IN.CREATE | IN.MOVED_TO);
  writeFileSync(join(sub, 'a.job'), 'a');
  mkdirSync(join(sub, 'd'));
  t.ok(await c.waitFor((e) => e.length >= 2), 'two events');
  t.same(c.events.map((e) => e.name).sort(), ['a.job', 'd']);
  t.ok(c.events.find((e) => e.name === 'd')!.mask & IN.ISDIR, 'the directory is flagged IN_ISDIR');
  c.watcher.close();
});

t.test('errors and bad arguments', async (t) => {
  const c = collector();
  t.throws(() => c.watcher.add(join(dir, 'missing', 'x'), IN.CREATE), { code: 'ENOENT', syscall: 'inotify_add_watch' });
  t.throws(() => c.watcher.add(42 as unknown as string, IN.CREATE), TypeError);
  t.throws(() => c.watcher.add(dir, 0), RangeError);
  t.throws(() => new Inotify(undefined as unknown as () => void), TypeError);
  c.watcher.remove(12345); // unknown watch: not an error
  c.watcher.close();
  c.watcher.close(); // idempotent
  t.throws(() => c.watcher.add(dir, IN.CREATE), { code: 'EBADF' });
});

t.test('closing releases the inotify fd', async (t) => {
  const before = openFds().length;
  const watchers = Array.from({ length: 20 }, () => new Inotify(() => undefined));
  t.equal(openFds().length, before + 20);
  for (const w of watchers) w.close();
  await new Promise((r) => setImmediate(r));
  t.equal(openFds().length, before, 'no fd left open');
});

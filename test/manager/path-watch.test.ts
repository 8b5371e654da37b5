// The watches and checks of .path units (systemd.path(5)): directories that appear later are
// noticed from their nearest existing parent, PathChanged= fires on close-after-write only
// for the watched path, and each kind's condition is checked as systemd checks it.

import t from 'tap';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Inotify, type InotifyEvent } from '../../src/native/index.js';
import { SpecCheck, SpecWatch, firstGlobMatch, isHiddenOrBackup } from '../../src/manager/path-watch.js';

const root = mkdtempSync(join(tmpdir(), 'unitd-pathwatch-'));
t.teardown(() => rmSync(root, { recursive: true, force: true }));

/** An inotify instance whose events are awaited batch by batch (5 s bound). */
function watcher(): { inotify: Inotify; next(): Promise<InotifyEvent[]> } {
  const queue: InotifyEvent[][] = [];
  let wake: (() => void) | undefined;
  const inotify = new Inotify((batch) => {
    queue.push(batch);
    wake?.();
  });
  return {
    inotify,
    async next() {
      const deadline = Date.now() + 5000;
      while (queue.length === 0 && Date.now() < deadline) await new Promise<void>((r) => ((wake = r), setTimeout(r, 100)));
      return queue.shift() ?? [];
    },
  };
}

t.test('a path whose directories appear later is noticed from its nearest existing parent', async (t) => {
  const w = watcher();
  const base = join(root, 'later');
  mkdirSync(base);
  const spec = new SpecWatch({ kind: 'PathExists', path: join(base, 'a', 'b', 'flag') }, w.inotify);
  spec.install();
  mkdirSync(join(base, 'a'));
  const first = await w.next();
  t.ok(first.some((e) => spec.owns(e.wd) && e.name === 'a'), 'creation of the next component seen on the parent');
  spec.install(); // the unit re-installs after every event
  mkdirSync(join(base, 'a', 'b'));
  t.ok((await w.next()).some((e) => e.name === 'b'), 'and the one after that');
  spec.install();
  writeFileSync(join(base, 'a', 'b', 'flag'), '');
  t.ok((await w.next()).some((e) => e.name === 'flag'), 'the file itself appearing is seen');
  t.notOk(spec.changedBy([]), 'PathExists= is a level, never a change');
  w.inotify.close();
});

t.test('PathChanged= fires on close-after-write of the path, PathModified= on each write', async (t) => {
  const dir = join(root, 'edge');
  mkdirSync(dir);
  const file = join(dir, 'watched');
  writeFileSync(file, '');
  const w = watcher();
  const changed = new SpecWatch({ kind: 'PathChanged', path: file }, w.inotify);
  changed.install();
  const fd = openSync(file, 'a');
  writeSync(fd, 'x');
  closeSync(fd);
  const events = await w.next();
  t.ok(changed.changedBy(events), 'close-write on the path is a change');

  const w2 = watcher();
  const modified = new SpecWatch({ kind: 'PathModified', path: file }, w2.inotify);
  modified.install();
  const fd2 = openSync(file, 'a');
  writeSync(fd2, 'y');
  t.ok(modified.changedBy(await w2.next()), 'a write before close is a modification');
  closeSync(fd2);
  w.inotify.close();
  w2.inotify.close();
});

t.test('an event on an ancestor is not a change of the path', async (t) => {
  const dir = join(root, 'ancestor');
  mkdirSync(dir);
  const w = watcher();
  const spec = new SpecWatch({ kind: 'PathChanged', path: join(dir, 'missing', 'file') }, w.inotify);
  spec.install();
  mkdirSync(join(dir, 'missing'));
  const events = await w.next();
  t.ok(events.length > 0, 'the parent reported the new directory');
  t.notOk(spec.changedBy(events), 'not a change: re-check and re-install instead');
  w.inotify.close();
});

t.test('checks: levels hold while true, edges only when the path came or went', async (t) => {
  const dir = join(root, 'checks');
  mkdirSync(dir);
  const flag = join(dir, 'flag');
  const exists = new SpecCheck({ kind: 'PathExists', path: flag });
  t.equal(exists.check(true, false), undefined);
  writeFileSync(flag, '');
  t.equal(exists.check(true, false), flag, 'a true PathExists= triggers even on the initial check');

  const spool = join(dir, 'spool');
  const notEmpty = new SpecCheck({ kind: 'DirectoryNotEmpty', path: spool });
  t.equal(notEmpty.check(false, false), undefined, 'missing directory');
  mkdirSync(spool);
  writeFileSync(join(spool, '.hidden'), '');
  writeFileSync(join(spool, 'x.dpkg-old'), '');
  writeFileSync(join(spool, 'y~'), '');
  t.equal(notEmpty.check(false, false), undefined, 'hidden and backup files do not count');
  writeFileSync(join(spool, 'job'), '');
  t.equal(notEmpty.check(false, false), spool, 'the directory is reported');

  const watched = join(dir, 'watched');
  const changed = new SpecCheck({ kind: 'PathChanged', path: watched });
  t.equal(changed.check(true, false), undefined, 'initial check never triggers an edge');
  writeFileSync(watched, '');
  t.equal(changed.check(false, true), undefined, 'after the triggered unit stopped: changes meanwhile are lost');
  rmSync(watched);
  t.equal(changed.check(false, false), watched, 'the path went away: a change');
  t.equal(changed.check(false, false), undefined, 'and only once');
});

t.test('PathExistsGlob= reports the first match; wildcards skip dot files', async (t) => {
  const dir = join(root, 'glob');
  mkdirSync(join(dir, 'q'), { recursive: true });
  t.equal(firstGlobMatch(join(dir, 'q', '*.job')), undefined);
  writeFileSync(join(dir, 'q', '.x.job'), '');
  t.equal(firstGlobMatch(join(dir, 'q', '*.job')), undefined, 'a dot file is not matched by *');
  writeFileSync(join(dir, 'q', 'b.job'), '');
  writeFileSync(join(dir, 'q', 'a.job'), '');
  t.equal(firstGlobMatch(join(dir, 'q', '*.job')), join(dir, 'q', 'a.job'));
  t.equal(firstGlobMatch(join(dir, '?', '[ab].job')), join(dir, 'q', 'a.job'), 'wildcards in directories too');
  symlinkSync(join(dir, 'q'), join(dir, 'link'));
  t.equal(firstGlobMatch(join(dir, 'link', 'b.job')), join(dir, 'link', 'b.job'), 'through a symlink');
});

t.test('hidden_or_backup_file', async (t) => {
  for (const name of ['.x', 'lost+found', 'a~', 'a.rpmnew', 'a.dpkg-dist', 'a.ucf-old', 'a.swp', 'a.bak', 'a.old', 'a.new']) t.ok(isHiddenOrBackup(name), name);
  for (const name of ['job', 'a.conf', 'x.dpkg', 'new']) t.notOk(isHiddenOrBackup(name), name);
});

// Loading units from a private search path: fragments, templates, aliases,
// masks, drop-ins, .wants/.requires directories and default dependencies.

import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UnitStore, effectiveDependencies, formatLoadError } from '../../src/units/loader.js';
import { lookupPaths, unitSearchPath } from '../../src/units/paths.js';
import { dropinDirNames } from '../../src/units/dropins.js';

function makeRoot(files: Record<string, string | { link: string }>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'unitd-loader-'));
  for (const [rel, c] of Object.entries(files)) {
    const p = path.join(root, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    if (typeof c === 'string') fs.writeFileSync(p, c);
    else fs.symlinkSync(c.link, p);
  }
  return root;
}

const LIB = 'usr/lib/systemd/system';
const ETC = 'etc/systemd/system';

t.test('search path keeps systemd order and SYSTEMD_UNIT_PATH rules', async (t) => {
  const lp = lookupPaths({ root: '/r', unitPathEnv: undefined });
  t.equal(lp.searchPath[0], '/r/etc/systemd/system.control');
  t.ok(lp.searchPath.indexOf('/r/etc/systemd/system') < lp.searchPath.indexOf('/r/run/systemd/system'));
  t.ok(lp.searchPath.indexOf('/r/lib/systemd/system') < lp.searchPath.indexOf('/r/usr/lib/systemd/system'));
  t.same(unitSearchPath('/a:/b'), ['/a', '/b']);
  const appended = unitSearchPath('/a:');
  t.equal(appended[0], '/a');
  t.ok(appended.includes('/etc/systemd/system'), 'trailing colon appends the defaults');
});

t.test('a copy in /etc replaces the vendor file entirely', async (t) => {
  const root = makeRoot({
    [`${LIB}/web.service`]: '[Unit]\nDescription=vendor\n[Service]\nExecStart=/bin/true\n',
    [`${ETC}/web.service`]: '[Unit]\nDescription=local\n[Service]\nExecStart=/bin/true\n',
  });
  const u = new UnitStore({ root, unitPathEnv: undefined }).load('web.service');
  t.equal(u.loadState, 'loaded');
  t.equal(u.fragmentPath, path.join(root, ETC, 'web.service'));
  t.equal(u.config?.unit.description, 'local');
});

t.test('instances load their template; unknown units are not-found', async (t) => {
  const root = makeRoot({ [`${LIB}/getty@.service`]: '[Unit]\nDescription=Getty on %I\n[Service]\nExecStart=/bin/true\n' });
  const store = new UnitStore({ root, unitPathEnv: undefined });
  const u = store.load('getty@tty1.service');
  t.equal(u.loadState, 'loaded');
  t.equal(u.fragmentPath, path.join(root, LIB, 'getty@.service'));
  const missing = store.load('nosuch.service');
  t.equal(missing.loadState, 'not-found');
  t.equal(formatLoadError(missing.loadError), 'org.freedesktop.systemd1.NoSuchUnit "Unit nosuch.service not found."');
});

t.test('alias symlinks give a unit more names; masks win', async (t) => {
  const root = makeRoot({
    [`${LIB}/vendor.service`]: '[Service]\nExecStart=/bin/true\n',
    [`${ETC}/vend.service`]: { link: '/usr/lib/systemd/system/vendor.service' },
    [`${ETC}/masked.service`]: { link: '/dev/null' },
    [`${LIB}/masked.service`]: '[Service]\nExecStart=/bin/true\n',
    [`${ETC}/empty.service`]: '',
  });
  const store = new UnitStore({ root, unitPathEnv: undefined });
  const byAlias = store.load('vend.service');
  t.equal(byAlias.id, 'vendor.service', 'the real name is the id');
  t.same(byAlias.names.sort(), ['vend.service', 'vendor.service']);
  const m = store.load('masked.service');
  t.equal(m.loadState, 'masked');
  t.equal(formatLoadError(m.loadError), 'org.freedesktop.systemd1.UnitMasked "Unit masked.service is masked."');
  t.equal(store.load('empty.service').loadState, 'masked', 'an empty file masks');
});

t.test('drop-ins: shadowing by file name, applied in name order', async (t) => {
  const root = makeRoot({
    [`${LIB}/foo-bar-baz.service`]: '[Unit]\nDescription=orig\n[Service]\nExecStart=/bin/true\n',
    [`${LIB}/foo-bar-baz.service.d/10-a.conf`]: '[Unit]\nDescription=vendor-a\n',
    [`${ETC}/foo-bar-baz.service.d/10-a.conf`]: '[Unit]\nDescription=etc-a\n',
    [`${LIB}/foo-.service.d/20-prefix.conf`]: '[Unit]\nDescription=prefix\n',
    [`${LIB}/service.d/05-type.conf`]: '[Unit]\nAfter=type.target\n',
    [`${ETC}/foo-bar-baz.service.d/30-masked.conf`]: { link: '/dev/null' },
    [`${LIB}/foo-bar-baz.service.d/30-masked.conf`]: '[Unit]\nDescription=never\n',
  });
  const u = new UnitStore({ root, unitPathEnv: undefined }).load('foo-bar-baz.service');
  t.same(
    u.dropInPaths.map((p) => path.relative(root, p)),
    [`${LIB}/service.d/05-type.conf`, `${ETC}/foo-bar-baz.service.d/10-a.conf`, `${LIB}/foo-.service.d/20-prefix.conf`],
  );
  t.equal(u.config?.unit.description, 'prefix', 'the last drop-in in name order wins for scalars');
  t.same(dropinDirNames(['foo@x.service']), ['foo@x.service.d', 'foo@.service.d', 'service.d']);
});

t.test('.wants/ and .requires/ directories add dependencies; targets order after them', async (t) => {
  const root = makeRoot({
    [`${LIB}/multi-user.target`]: '[Unit]\nDescription=MU\n',
    [`${LIB}/web.service`]: '[Service]\nExecStart=/bin/true\n',
    [`${ETC}/multi-user.target.wants/web.service`]: { link: '/usr/lib/systemd/system/web.service' },
    [`${LIB}/multi-user.target.requires/db.service`]: { link: '../db.service' },
    [`${LIB}/db.service`]: '[Unit]\nDefaultDependencies=no\n[Service]\nExecStart=/bin/true\n',
  });
  const store = new UnitStore({ root, unitPathEnv: undefined });
  const target = store.load('multi-user.target');
  const deps = effectiveDependencies(target);
  t.same(deps.wants, ['web.service']);
  t.same(deps.requires, ['db.service']);
  t.ok(deps.after.includes('web.service') && deps.after.includes('db.service'));
  t.ok(deps.conflicts.includes('shutdown.target'));
  const web = effectiveDependencies(store.load('web.service'));
  t.same(web.requires, ['sysinit.target']);
  t.same(web.after, ['sysinit.target', 'basic.target']);
  const db = effectiveDependencies(store.load('db.service'));
  t.same(db.requires, [], 'DefaultDependencies=no adds nothing');
});

t.test('linked unit files are followed inside the root', async (t) => {
  const root = makeRoot({
    'opt/app.service': '[Unit]\nDescription=linked\n[Service]\nExecStart=/bin/true\n',
    [`${ETC}/app.service`]: { link: '/opt/app.service' },
  });
  const u = new UnitStore({ root, unitPathEnv: undefined }).load('app.service');
  t.equal(u.loadState, 'loaded');
  t.equal(u.config?.unit.description, 'linked');
  t.equal(u.sourcePath, path.join(root, 'opt/app.service'));
});

t.test('daemon-reload sees new files', async (t) => {
  const root = makeRoot({});
  const store = new UnitStore({ root, unitPathEnv: undefined });
  t.equal(store.load('late.service').loadState, 'not-found');
  fs.mkdirSync(path.join(root, ETC), { recursive: true });
  fs.writeFileSync(path.join(root, ETC, 'late.service'), '[Service]\nExecStart=/bin/true\n');
  store.reload();
  t.equal(store.load('late.service').loadState, 'loaded');
});

t.test('drop-in and .wants/ directories made after the last reload count from the next one (unit_path_cache)', async (t) => {
  const root = makeRoot({ [`${ETC}/a@.service`]: '[Service]\nExecStart=/bin/true\n', [`${ETC}/a@.service.d/one.conf`]: '[Unit]\nDescription=one\n' });
  const store = new UnitStore({ root, unitPathEnv: undefined });
  t.equal(store.load('a@1.service').config?.unit.description, 'one');
  // A file in a directory the cache has is read at the next load, as systemd reads it.
  fs.writeFileSync(path.join(root, ETC, 'a@.service.d/two.conf'), '[Unit]\nDescription=two\n');
  t.equal(store.load('a@2.service').config?.unit.description, 'two');
  // A new directory is not looked at until daemon-reload.
  fs.mkdirSync(path.join(root, ETC, 'a@3.service.d'));
  fs.writeFileSync(path.join(root, ETC, 'a@3.service.d/zz.conf'), '[Unit]\nDescription=three\n');
  fs.mkdirSync(path.join(root, ETC, 'a@3.service.wants'));
  fs.symlinkSync('/dev/null', path.join(root, ETC, 'a@3.service.wants/x.service'));
  const before = store.load('a@3.service');
  t.equal(before.config?.unit.description, 'two');
  t.same(before.wantsFromDirs, []);
  store.reload();
  const after = store.load('a@3.service');
  t.equal(after.config?.unit.description, 'three');
  t.same(after.wantsFromDirs, ['x.service']);
});

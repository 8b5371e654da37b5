// [Install] handling through the library API: the links enable/disable/mask
// create, the states is-enabled reports, and presets.

import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ChangeList, describeChanges } from '../../src/units/install-changes.js';
import { disableUnits, enableUnits, maskUnits, unmaskUnits, getDefaultTarget, setDefaultTarget } from '../../src/units/install.js';
import { lookupPaths } from '../../src/units/paths.js';
import { queryPreset, readPresets } from '../../src/units/presets.js';
import { unitFileState } from '../../src/units/unit-file-state.js';

const LIB = 'usr/lib/systemd/system';

function setup(files: Record<string, string>): string {
  const r = fs.mkdtempSync(path.join(os.tmpdir(), 'unitd-install-'));
  for (const [rel, c] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(r, rel)), { recursive: true });
    fs.writeFileSync(path.join(r, rel), c);
  }
  return r;
}

const units = {
  [`${LIB}/multi-user.target`]: '[Unit]\nDescription=MU\n',
  [`${LIB}/web.service`]: '[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\nAlias=www.service\n',
  [`${LIB}/static.service`]: '[Service]\nExecStart=/bin/true\n',
  [`${LIB}/tpl@.service`]: '[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\nDefaultInstance=one\n',
};

t.test('enable creates the Alias= and WantedBy= links; disable removes them', async (t) => {
  const root = setup(units);
  const lp = lookupPaths({ root, unitPathEnv: undefined });
  const changes = new ChangeList();
  const r = enableUnits(lp, ['web.service'], {}, changes);
  t.equal(r.error, undefined);
  t.equal(fs.readlinkSync(path.join(root, 'etc/systemd/system/multi-user.target.wants/web.service')), '/usr/lib/systemd/system/web.service');
  t.equal(fs.readlinkSync(path.join(root, 'etc/systemd/system/www.service')), '/usr/lib/systemd/system/web.service');
  t.same(describeChanges('enable', changes, undefined, false), [
    `Created symlink ${root}/etc/systemd/system/www.service \u2192 /usr/lib/systemd/system/web.service.`,
    `Created symlink ${root}/etc/systemd/system/multi-user.target.wants/web.service \u2192 /usr/lib/systemd/system/web.service.`,
  ]);
  t.equal(unitFileState(lp, 'web.service').state, 'enabled');
  t.equal(unitFileState(lp, 'www.service').state, 'alias');
  t.equal(unitFileState(lp, 'static.service').state, 'static');
  disableUnits(lp, ['web.service'], {}, new ChangeList());
  t.equal(unitFileState(lp, 'web.service').state, 'disabled');
  t.notOk(fs.existsSync(path.join(root, 'etc/systemd/system/multi-user.target.wants')), 'empty .wants dir removed');
});

t.test('templates enable their DefaultInstance', async (t) => {
  const root = setup(units);
  const lp = lookupPaths({ root, unitPathEnv: undefined });
  enableUnits(lp, ['tpl@.service'], {}, new ChangeList());
  t.equal(fs.readlinkSync(path.join(root, 'etc/systemd/system/multi-user.target.wants/tpl@one.service')), '/usr/lib/systemd/system/tpl@.service');
  t.equal(unitFileState(lp, 'tpl@one.service').state, 'enabled');
});

t.test('mask, runtime mask and unknown units', async (t) => {
  const root = setup(units);
  const lp = lookupPaths({ root, unitPathEnv: undefined });
  maskUnits(lp, ['web.service'], {}, new ChangeList());
  t.equal(unitFileState(lp, 'web.service').state, 'masked');
  const c = new ChangeList();
  const r = enableUnits(lp, ['web.service'], {}, c);
  t.equal(r.error, 'ERFKILL');
  t.same(describeChanges('enable', c, r.error, false), [`Failed to enable unit, unit ${root}/etc/systemd/system/web.service is masked.`]);
  unmaskUnits(lp, ['web.service'], {}, new ChangeList());
  maskUnits(lp, ['web.service'], { runtime: true }, new ChangeList());
  t.equal(unitFileState(lp, 'web.service').state, 'masked-runtime');
  t.equal(unitFileState(lp, 'nosuch.service').error, 'ENOENT');
});

t.test('default target', async (t) => {
  const root = setup(units);
  const lp = lookupPaths({ root, unitPathEnv: undefined });
  t.equal(getDefaultTarget(lp).error, 'ENOENT');
  setDefaultTarget(lp, 'multi-user.target', new ChangeList());
  t.equal(getDefaultTarget(lp).name, 'multi-user.target');
});

t.test('presets: first match wins, earlier files shadow later ones, no match enables', async (t) => {
  const root = setup({
    'usr/lib/systemd/system-preset/90-default.preset': 'disable b.service\nenable tpl@.service x y\ndisable *\n',
    'etc/systemd/system-preset/10-admin.preset': 'enable b.service\n',
  });
  const rules = readPresets(lookupPaths({ root, unitPathEnv: undefined }));
  t.same(queryPreset(rules, 'b.service'), { enable: true });
  t.same(queryPreset(rules, 'c.service'), { enable: false });
  t.same(queryPreset(rules, 'tpl@.service'), { enable: true, instances: ['tpl@x.service', 'tpl@y.service'] });
  t.same(queryPreset([], 'anything.service'), { enable: true });
});

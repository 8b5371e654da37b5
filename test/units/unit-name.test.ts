// Unit names: validation, templates, CLI mangling, and escaping identical to systemd-escape.

import t from 'tap';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import {
  escapePath,
  escapeUnitString,
  instantiate,
  isValidUnitName,
  mangleUnitName,
  parseUnitName,
  templateOf,
  unescapePath,
  unescapeUnitString,
} from '../../src/units/unit-name.js';

t.test('names parse into prefix, instance and type', async (t) => {
  t.same(parseUnitName('foo@bar.service'), { name: 'foo@bar.service', prefix: 'foo', instance: 'bar', type: 'service', isTemplate: false });
  t.equal(parseUnitName('foo@.service')?.isTemplate, true);
  t.equal(templateOf('getty@tty1.service'), 'getty@.service');
  t.equal(instantiate('getty@.service', 'tty2'), 'getty@tty2.service');
  t.notOk(isValidUnitName('foo.bogus'));
  t.notOk(isValidUnitName('.service'));
  t.notOk(isValidUnitName('a'.repeat(250) + '.service'), 'longer than 255');
  t.ok(isValidUnitName('x@y@z.service'));
});

t.test('CLI mangling as systemctl does it', async (t) => {
  t.same(mangleUnitName('nginx'), { name: 'nginx.service' });
  t.same(mangleUnitName('foo.bogus'), { name: 'foo.bogus.service' });
  t.same(mangleUnitName('bad name!.service'), {
    name: 'bad\\x20name!.service',
    invalid: true,
    warning: 'Invalid unit name "bad name!.service" escaped as "bad\\x20name!.service" (maybe you should use systemd-escape?).',
  });
  t.equal(mangleUnitName('bad name!', { allowGlobs: false })?.name, 'bad\\x20name\\x21.service');
  t.equal(mangleUnitName('/dev/sda')?.name, 'dev-sda.device');
  t.equal(mangleUnitName('/var/lib/x')?.name, 'var-lib-x.mount');
});

const haveEscape = fs.existsSync('/usr/bin/systemd-escape');
t.test('escaping matches systemd-escape', { skip: haveEscape ? false : 'systemd-escape not installed' }, async (t) => {
  const inputs = ['foo-bar/baz qux', '.hidden', 'a.b', 'ü', '-', 'a//b/', '/', 'with:colon_und', 'tab\there', 'x\\y', '1.2.3'];
  for (const s of inputs) {
    const real = spawnSync('systemd-escape', ['--', s], { encoding: 'utf8' }).stdout.trim();
    t.equal(escapeUnitString(s), real, `escape ${JSON.stringify(s)}`);
    t.equal(unescapeUnitString(real), s.replace(/\//g, '/'), `round trip ${JSON.stringify(s)}`);
  }
  for (const p of ['/var/lib/my-app/', '/', '//a//b', '/a/./b', '/.x', '/dev/sda1', '/srv/www data']) {
    const real = spawnSync('systemd-escape', ['--path', '--', p], { encoding: 'utf8' }).stdout.trim();
    t.equal(escapePath(p), real, `path ${p}`);
    const back = spawnSync('systemd-escape', ['--path', '-u', '--', real], { encoding: 'utf8' }).stdout.trim();
    t.equal(unescapePath(real), back, `unescape path ${real}`);
  }
  t.equal(unescapeUnitString('a\\x2'), undefined, 'bad escapes fail like systemd-escape -u');
});

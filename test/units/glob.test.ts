// Unit-name patterns match as systemd's fnmatch does for list-units, list-unit-files and -u.
import t from 'tap';
import { globToRegExp, isGlob } from '../../src/units/glob.js';

const matches = (pattern: string, name: string, escapes = false): boolean => globToRegExp(pattern, { escapes }).test(name);

t.ok(matches('nginx*', 'nginx.service'));
t.ok(matches('*.service', 'a.service') && !matches('*.service', 'a.target'));
t.ok(matches('foo-?.service', 'foo-1.service') && !matches('foo-?.service', 'foo-12.service'));
t.ok(matches('web[0-9].service', 'web3.service') && !matches('web[!0-9].service', 'web3.service'));
t.ok(matches('web[^0-9].service', 'webx.service'), '^ negates like !');
t.ok(matches('[]x].service', '].service') && matches('[]x].service', 'x.service'), '] first in a set is literal');
t.ok(matches('a.b', 'a.b') && !matches('a.b', 'axb'), 'regex characters are literal');
t.ok(matches('foo\\x2dbar*', 'foo\\x2dbar.service'), 'backslash is literal by default (FNM_NOESCAPE)');
t.ok(matches('foo\\*', 'foo*', true) && !matches('foo\\*', 'foox', true), 'escapes on request');
t.ok(matches('[unclosed', '[unclosed'), 'an unclosed [ is literal');
t.ok(isGlob('a*') && isGlob('a?') && isGlob('a[b]') && !isGlob('plain.service'));

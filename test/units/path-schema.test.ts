// [Path] settings are checked as systemd 252 checks them: `unitd verify` prints what
// `systemd-analyze verify` prints for the same path units, and the typed section holds
// what the manager will watch.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { interpretUnit } from '../../src/units/schema/interpret.js';
import { parseUnitText } from '../../src/units/syntax.js';
import { DiagnosticLog } from '../../src/units/diagnostics.js';

const repo = path.resolve(import.meta.dirname, '..', '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unitd-pathschema-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));

const cases: Record<string, string> = {
  'pbad.path':
    '[Path]\nPathExists=relative/path\nPathExists=/run/ptest/../ptest/x\nPathChanged=/run//ptest/w/\nUnit=foo\nUnit=pbad.path\nUnit=pbad.service\n' +
    'MakeDirectory=maybe\nDirectoryMode=999\nTriggerLimitBurst=x\nTriggerLimitIntervalSec=zz\nBogus=1\n',
  'pnone.path': '[Path]\nUnit=pbad.service\n',
  'pclear.path': '[Path]\nPathExists=/a\nDirectoryNotEmpty=/b\nPathExists=\n',
  'pgood.path': '[Path]\nPathExistsGlob=/run/q/*.job\nDirectoryNotEmpty=/var/spool/x\nPathModified=/etc/x.conf\nMakeDirectory=yes\nDirectoryMode=0700\n',
};
fs.writeFileSync(path.join(dir, 'pbad.service'), '[Service]\nExecStart=/bin/true\n');
fs.writeFileSync(path.join(dir, 'pgood.service'), '[Service]\nExecStart=/bin/true\n');

const analyze = fs.existsSync('/usr/bin/systemd-analyze');
for (const [name, text] of Object.entries(cases)) {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  t.test(`verify ${name} as systemd-analyze does`, { skip: analyze ? false : 'systemd-analyze is not installed' }, async (t) => {
    const ours = spawnSync(process.execPath, [path.join(repo, 'init', 'unitd'), 'verify', file], { encoding: 'utf8', timeout: 30_000 });
    const theirs = spawnSync('systemd-analyze', ['verify', '--man=no', '--recursive-errors=no', file], { encoding: 'utf8', timeout: 30_000 });
    t.equal(ours.stderr, theirs.stderr, 'same diagnostics');
    t.equal(ours.status, theirs.status, 'same exit code');
  });
}

t.test('the typed [Path] section', async (t) => {
  const file = path.join(dir, 'pgood.path');
  const log = new DiagnosticLog();
  const parsed = parseUnitText(fs.readFileSync(file, 'utf8'), file, log);
  const config = interpretUnit({ name: 'pgood.path', assignments: parsed.assignments, log, specifiers: { unitName: 'pgood.path', fragmentPath: file } });
  t.same(log.entries, []);
  t.same(config.path, {
    paths: [
      { kind: 'PathExistsGlob', path: '/run/q/*.job' },
      { kind: 'DirectoryNotEmpty', path: '/var/spool/x' },
      { kind: 'PathModified', path: '/etc/x.conf' },
    ],
    makeDirectory: true,
    directoryMode: 0o700,
    triggerLimitIntervalUSec: 2_000_000,
    triggerLimitBurst: 200,
  });
});

// Finding 4: unit files that are not regular files (a symlink to /dev/zero, a
// FIFO) or too large are refused before a byte is read, with one clear line,
// by every path that reads unit files (the loader, drop-ins, install, cat).

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';

import { UNIT_FILE_LIMITS } from '../../src/control/limits.js';
import { UnitStore } from '../../src/units/loader.js';
import { readUnitFile, UnitFileReadError } from '../../src/units/read-unit-file.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'unitd-readunit-'));
t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
const dir = path.join(root, 'etc/systemd/system');
fs.mkdirSync(dir, { recursive: true });
fs.symlinkSync('/dev/zero', path.join(dir, 'zero.service'));
execFileSync('mkfifo', [path.join(root, 'a-fifo')]);
fs.symlinkSync(path.join(root, 'a-fifo'), path.join(dir, 'fifo.service'));
fs.writeFileSync(path.join(dir, 'big.service'), Buffer.alloc(UNIT_FILE_LIMITS.maxBytes + 1, 0x23));
fs.writeFileSync(path.join(dir, 'ok.service'), '[Service]\nExecStart=/bin/true\n');
fs.mkdirSync(path.join(dir, 'ok.service.d'));
execFileSync('mkfifo', [path.join(dir, 'ok.service.d/fifo.conf')]);

t.test('finding 4: a symlink to /dev/zero is refused before reading', async (t) => {
  let err: unknown;
  try {
    readUnitFile(path.join(dir, 'zero.service'));
  } catch (e) {
    err = e;
  }
  t.ok(err instanceof UnitFileReadError, 'refused');
  t.match((err as Error).message, /character device/);
  const unit = new UnitStore({ unitPathEnv: dir }).load('zero.service');
  t.equal(unit.loadState, 'error');
  t.match(unit.diagnostics.map((d) => d.message).join('\n'), /Failed to load configuration: Refusing to read a character device, a unit file must be a regular file/);
});

t.test('finding 4: a FIFO does not block the loader', async (t) => {
  const unit = new UnitStore({ unitPathEnv: dir }).load('fifo.service');
  t.equal(unit.loadState, 'error');
  t.match(unit.diagnostics.map((d) => d.message).join('\n'), /Refusing to read a FIFO/);
  // A FIFO drop-in fails its unit the same way.
  const ok = new UnitStore({ unitPathEnv: dir }).load('ok.service');
  t.equal(ok.loadState, 'error');
  t.match(ok.diagnostics.map((d) => `${d.file}: ${d.message}`).join('\n'), /fifo\.conf: Failed to load configuration: Refusing to read a FIFO/);
});

t.test('finding 4: a file over the size limit is refused from its fstat size', async (t) => {
  const unit = new UnitStore({ unitPathEnv: dir }).load('big.service');
  t.equal(unit.loadState, 'error');
  t.match(unit.diagnostics.map((d) => d.message).join('\n'), new RegExp(`File too large: ${UNIT_FILE_LIMITS.maxBytes + 1} bytes`));
});

t.test('a regular file reads whole', async (t) => {
  t.equal(readUnitFile(path.join(dir, 'ok.service')).data.toString(), '[Service]\nExecStart=/bin/true\n');
});

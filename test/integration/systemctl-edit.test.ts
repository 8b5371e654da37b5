// `systemctl edit` under unitd as PID 1, on a pseudo-terminal (script -qc), with
// a scripted SYSTEMD_EDITOR: the frame systemd 252 writes, the drop-in and
// --full results, cancel on an empty result, errors, and the reload after.

import t from 'tap';
import { join } from 'node:path';
import { boot, REPO, type System } from './harness.js';

const units: Record<string, string> = {
  'web.service': `[Unit]
Description=Web
[Service]
ExecStart=/bin/sleep 1000
`,
};

/** Editors: each records its arguments and what it was shown, then changes the file its own way. */
const EDITORS: Record<string, string> = {
  'ed-insert.sh': '#!/bin/sh\necho "$@" > /run/ed.args\ncp "$1" /run/ed.seen\nsed -i "2a [Service]\\nEnvironment=A=1" "$1"\n',
  'ed-keep.sh': '#!/bin/sh\ncp "$1" /run/ed.seen\n',
  'ed-fail.sh': '#!/bin/sh\nexit 3\n',
  'ed-append.sh': '#!/bin/sh\nprintf "[Service]\\nEnvironment=B=2\\n" >> "$1"\n',
};

let sys: System;
t.before(async () => {
  sys = await boot({ units });
  for (const [name, text] of Object.entries(EDITORS)) {
    await sys.exec('node', '-e', `require('fs').writeFileSync('/run/${name}', ${JSON.stringify(text)}, { mode: 0o755 })`);
  }
});
t.teardown(async () => {
  await sys?.stop();
});

const systemctl = join(REPO, 'init/systemctl');
/** systemctl on a pty; script merges stdout and stderr into its output. */
const onTTY = async (env: string, ...args: string[]) => {
  const r = await sys.exec('script', '-qec', `env TERM=xterm ${env} node ${systemctl} ${args.join(' ')}`, '/dev/null');
  return { code: r.code, out: r.stdout.replace(/\r*\n/g, '\n') };
};

t.test('not on a tty: refused, as systemd', async (t) => {
  const r = await sys.ctl('edit', 'web.service');
  t.equal(r.code, 1);
  t.equal(r.stderr, 'Cannot edit units if not on a tty.\n');
});

t.test('a new drop-in: the frame, then override.conf and a reload', async (t) => {
  const r = await onTTY('SYSTEMD_EDITOR=/run/ed-insert.sh NO_COLOR=1', 'edit', 'web');
  t.equal(r.code, 0, r.out);
  t.equal(r.out, '');
  t.match((await sys.exec('cat', '/run/ed.args')).stdout, /^\/etc\/systemd\/system\/web\.service\.d\/\.#override\.conf[0-9a-f]{16}\n$/);
  t.equal(
    (await sys.exec('cat', '/run/ed.seen')).stdout,
    '### Editing /etc/systemd/system/web.service.d/override.conf\n' +
      '### Anything between here and the comment below will become the new contents of the file\n\n\n\n' +
      '### Lines below this comment will be discarded\n\n' +
      '### /etc/systemd/system/web.service\n# [Unit]\n# Description=Web\n# [Service]\n# ExecStart=/bin/sleep 1000',
  );
  t.equal((await sys.exec('cat', '/etc/systemd/system/web.service.d/override.conf')).stdout, '[Service]\nEnvironment=A=1');
  t.equal((await sys.ctl('show', '-p', 'Environment', 'web.service')).stdout, 'Environment=A=1\n', 'reloaded');
  t.equal((await sys.exec('sh', '-c', 'ls -A /etc/systemd/system/web.service.d')).stdout, 'override.conf\n', 'no temporary file left');
});

t.test('editing again shows the current override between the markers', async (t) => {
  const r = await onTTY('SYSTEMD_EDITOR=/run/ed-keep.sh', 'edit', 'web');
  t.equal(r.code, 0, r.out);
  t.match(
    (await sys.exec('cat', '/run/ed.seen')).stdout,
    /the file\n\n\[Service\]\nEnvironment=A=1\n\n### Lines below this comment will be discarded\n\n### \/etc\/systemd\/system\/web\.service\n# \[Unit\]/,
  );
  t.equal((await sys.exec('cat', '/etc/systemd/system/web.service.d/override.conf')).stdout, '[Service]\nEnvironment=A=1');
});

t.test('an empty result cancels, with systemd’s warning in its colour', async (t) => {
  const r = await onTTY('SYSTEMD_EDITOR=/run/ed-keep.sh SYSTEMD_COLORS=1', 'edit', '--runtime', 'web');
  t.equal(r.code, 0);
  t.equal(r.out, '\x1b[0;1;38;5;185mEditing "/run/systemd/system/web.service.d/override.conf" canceled: temporary file is empty.\x1b[0m\n');
  t.equal((await sys.exec('test', '-e', '/run/systemd/system/web.service.d/override.conf')).code, 1);
});

t.test('--full edits a copy of the unit file', async (t) => {
  const r = await onTTY('SYSTEMD_EDITOR=/run/ed-append.sh NO_COLOR=1', 'edit', '--full', 'web.service');
  t.equal(r.code, 0, r.out);
  t.equal(
    (await sys.exec('cat', '/etc/systemd/system/web.service')).stdout,
    '[Unit]\nDescription=Web\n[Service]\nExecStart=/bin/sleep 1000\n[Service]\nEnvironment=B=2',
  );
});

t.test('a failing editor and a missing unit', async (t) => {
  const failed = await onTTY('SYSTEMD_EDITOR=/run/ed-fail.sh NO_COLOR=1', 'edit', 'web');
  t.equal(failed.out, '(editor) failed with exit status 3.\n');
  t.equal(failed.code, 0, 'systemd 252 goes on and keeps the file as it was');
  t.equal((await sys.exec('cat', '/etc/systemd/system/web.service.d/override.conf')).stdout, '[Service]\nEnvironment=A=1');
  const missing = await onTTY('SYSTEMD_EDITOR=/run/ed-insert.sh NO_COLOR=1', 'edit', 'nope');
  t.not(missing.code, 0);
  t.equal(missing.out, "No files found for nope.service.\nRun 'systemctl edit --force --full nope.service' to create a new unit.\n");
});

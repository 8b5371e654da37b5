// The first thing a new user sees: `npm run demo` (examples/demo.sh) boots unitd as PID 1 on
// this Debian host's own units and tmpfiles.d plus the bundled examples. Its console, what
// `docker logs` would show, has systemd-style lines only: no JSON record, no stack trace.

import { join } from 'node:path';
import t from 'tap';
import { REPO, run } from './harness.js';
import { JSON_OR_STACK, oddConsoleLines } from './console-lines.js';

const skip = process.getuid?.() === 0 ? false : 'the demo boot needs root (unshare, nsenter)';

t.test('the demo boots and stops with a readable console', { skip }, async (t) => {
  const demo = await run(['sh', join(REPO, 'examples/demo.sh')], { timeoutMs: 120_000 });
  t.equal(demo.code, 0, 'the demo ran to its end');
  const out = demo.stdout;
  const boot = out.slice(out.indexOf('--- docker logs would show:\n'), out.indexOf('\n$ node'));
  const stop = out.slice(out.indexOf('its last lines:\n'));
  t.ok(boot.includes('[  OK  ] Reached target multi-user.target'), 'the boot console is there');
  t.match(out, /unitd exited with 0 after/, 'SIGTERM: unitd exits 0');
  const console = boot.split('\n').slice(1).join('\n') + '\n' + stop.split('\n').slice(1).join('\n');
  t.same(oddConsoleLines(console), [], 'every console line is systemd-style');
  t.notMatch(console, JSON_OR_STACK, 'no JSON and no stack trace');
  t.notMatch(demo.stderr, JSON_OR_STACK, 'nor on stderr');
});

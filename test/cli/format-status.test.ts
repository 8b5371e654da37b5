// `systemctl status` layout, compared line by line with what systemd 252
// printed for the same unit (fixtures captured from the oracle). Only the
// relative "…ago" part is normalised: it depends on when status ran.

process.env.TZ = 'UTC';

import t from 'tap';

import { formatStatus } from '../../src/cli/format/status.js';
import { HOSTNAME, loadComm, loadLog, loadProcesses, loadShow, loadText } from './oracle-fixtures.js';

const normalise = (lines: string[]): string[] => lines.map((l) => l.replace(/; [^;]* ago$/, '; <relative> ago'));

for (const unit of ['web', 'fail3', 'once', 'nodesc', 'slowstop', 'oneshotfail', 'vendor']) {
  t.test(`status of ${unit}.service matches systemd 252`, async (t) => {
    const props = loadShow(unit);
    const comm = loadComm(unit);
    const lines = formatStatus(
      { props, processes: loadProcesses(unit), log: loadLog(unit) },
      { nowUsec: Date.now() * 1000, color: false, hostname: HOSTNAME, comm: () => comm },
    );
    t.same(normalise(lines), normalise(loadText(`${unit}.status.txt`).lines));
  });
}

t.test('relative times read like systemd', async (t) => {
  const { formatRelative } = await import('../../src/cli/format/time.js');
  const now = 1_000_000_000_000;
  t.equal(formatRelative(now - 1_500_000, now), '1s ago');
  t.equal(formatRelative(now - 126_000_000, now), '2min 6s ago');
  t.equal(formatRelative(now - 27_000, now), '27ms ago');
  t.equal(formatRelative(now - 7 * 3600_000_000, now), '7h ago');
  t.equal(formatRelative(now, now), 'now');
});

t.test('colour only when asked (a terminal): failed glyph and Active state in red', async (t) => {
  const props = loadShow('fail3');
  const lines = formatStatus({ props, processes: [], log: [] }, { nowUsec: Date.now() * 1000, color: true, hostname: HOSTNAME, comm: () => undefined });
  t.match(lines[0], /^\x1b\[0;1;31m×\x1b\[0m fail3.service/);
  t.match(lines[2], /Active: \x1b\[0;1;31mfailed\x1b\[0m \(Result: exit-code\)/);
});

// Non-root mode's credentials: the manager's own identity is dropped from the spawn (setgroups
// would fail even for it), any other fails before the fork with systemd's exit status.

import t from 'tap';
import type { SpawnSpec } from '../../src/exec/native.js';
import { ExecSetupError } from '../../src/exec/spawn-spec.js';
import { fitCredentials } from '../../src/exec/unprivileged.js';

const self = { uid: 1000, gid: 1000, groups: [1000, 27] };
const spec = (extra: Partial<SpawnSpec>): SpawnSpec => ({ path: '/bin/true', argv: ['true'], env: [], ...extra });

function failure(s: SpawnSpec): ExecSetupError | undefined {
  try {
    fitCredentials(s, self);
    return undefined;
  } catch (err) {
    return err as ExecSetupError;
  }
}

t.test('as root nothing changes', async (t) => {
  const s = spec({ user: 'root', group: 0, supplementaryGroups: [4] });
  fitCredentials(s, { uid: 0, gid: 0, groups: [] });
  t.same([s.user, s.group, s.supplementaryGroups], ['root', 0, [4]]);
});

t.test("the manager's own uid, gid and groups are dropped", async (t) => {
  const s = spec({ user: 1000, group: 1000, supplementaryGroups: [27] });
  fitCredentials(s, self);
  t.same([s.user, s.group, s.supplementaryGroups], [undefined, undefined, undefined]);
});

t.test('another user fails with 217/USER and says why', async (t) => {
  const err = failure(spec({ user: 'root' }));
  t.equal(err?.exitCode, 217);
  t.equal(err?.message, 'User=root needs privileges unitd does not have: it runs as uid 1000 (non-root mode) and starts services only as that user.');
  t.equal(failure(spec({ user: 0 }))?.exitCode, 217, 'by number too');
});

t.test('another group or a group not held fails with 216/GROUP', async (t) => {
  t.equal(failure(spec({ group: 0 }))?.exitCode, 216);
  t.match(failure(spec({ supplementaryGroups: [27, 4] }))?.message ?? '', /^SupplementaryGroups=4 needs privileges/);
});

t.test('a user name the database lacks is left to the spawn (217, "No such process", as systemd)', async (t) => {
  const s = spec({ user: 'no-such-user-here' });
  fitCredentials(s, self);
  t.equal(s.user, 'no-such-user-here');
});

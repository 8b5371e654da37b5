// The state tables are the single source for parsing and printing (semantics §9.1).

import t from 'tap';
import { ACTIVE_STATES, SERVICE_STATE_TABLE, SERVICE_STATES } from '../../src/manager/states.js';

t.test('every service substate maps to a known ActiveState as in systemd 252', async (t) => {
  for (const s of SERVICE_STATES) t.ok(ACTIVE_STATES.includes(SERVICE_STATE_TABLE[s]), s);
  t.equal(SERVICE_STATE_TABLE['auto-restart'], 'activating');
  t.equal(SERVICE_STATE_TABLE.reload, 'reloading');
  t.equal(SERVICE_STATE_TABLE.exited, 'active');
  t.equal(SERVICE_STATE_TABLE['stop-post'], 'deactivating');
  t.equal(SERVICE_STATE_TABLE.failed, 'failed');
});

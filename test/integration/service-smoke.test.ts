import t from 'tap';
import { boot } from './harness.js';

t.test('a simple service starts at boot and stops on request', async (t) => {
  const sys = await boot({
    units: { 'web.service': '[Unit]\nDescription=Web\n[Service]\nExecStart=/bin/sh -c "echo hello; sleep 1000"\n' },
    enable: ['web.service'],
  });
  t.teardown(() => sys.stop());
  const api = await sys.api();
  const before = await sys.props('web.service', 'ActiveState', 'SubState', 'MainPID', 'Result');
  t.match(before, { ActiveState: 'active', SubState: 'running', Result: 'success' });
  const outcome = await api.enqueueJob({ unit: 'web.service', type: 'stop', mode: 'replace', wait: true });
  t.equal(outcome.result, 'done');
  const after = await sys.props('web.service', 'ActiveState', 'SubState', 'MainPID', 'Result', 'ExecMainCode', 'ExecMainStatus');
  t.match(after, { ActiveState: 'inactive', SubState: 'dead', MainPID: 0, Result: 'success', ExecMainCode: 2, ExecMainStatus: 15 });
  t.comment(sys.console());
});

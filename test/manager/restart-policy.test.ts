// The Restart= table of semantics §3.6, every cell, plus exit classification and RestartSteps=.

import t from 'tap';
import { isCleanExit, restartDelayUSec, resultOfExit, shallRestart } from '../../src/manager/restart-policy.js';
import { defaultServiceSettings, type ServiceSettings } from '../../src/manager/service-settings.js';
import type { ServiceResult } from '../../src/manager/states.js';
import { SERVICE_RESTARTS as RESTART_POLICIES, type ServiceRestart as RestartPolicy } from '../../src/units/schema/enums.js';

const settings = (restart: RestartPolicy, extra: Partial<ServiceSettings> = {}): ServiceSettings => ({
  ...defaultServiceSettings(),
  restart,
  ...extra,
});

// exit cause → Result, and the policies that restart it
const TABLE: { cause: string; result: ServiceResult; restarts: RestartPolicy[] }[] = [
  { cause: 'clean exit', result: 'success', restarts: ['always', 'on-success'] },
  { cause: 'unclean exit code', result: 'exit-code', restarts: ['always', 'on-failure'] },
  { cause: 'unclean signal', result: 'signal', restarts: ['always', 'on-failure', 'on-abnormal', 'on-abort'] },
  { cause: 'core dump', result: 'core-dump', restarts: ['always', 'on-failure', 'on-abnormal', 'on-abort'] },
  { cause: 'timeout', result: 'timeout', restarts: ['always', 'on-failure', 'on-abnormal'] },
  { cause: 'watchdog', result: 'watchdog', restarts: ['always', 'on-failure', 'on-abnormal', 'on-watchdog'] },
];

t.test('every cell of the Restart= table', async (t) => {
  for (const row of TABLE) {
    for (const policy of RESTART_POLICIES) {
      t.equal(shallRestart(settings(policy), row.result, undefined), row.restarts.includes(policy), `${row.cause} × Restart=${policy}`);
    }
  }
});

t.test('no restart after a start-limit hit or an ExecCondition= skip, whatever the policy', async (t) => {
  t.notOk(shallRestart(settings('always'), 'start-limit-hit', undefined));
  t.notOk(shallRestart(settings('always'), 'exec-condition', undefined));
});

t.test('RestartPreventExitStatus= wins over the table, RestartForceExitStatus= over both', async (t) => {
  const exit3 = { code: 'exited' as const, status: 3 };
  const prevent = settings('always', { restartPreventExitStatus: { statuses: [3], signals: [] } });
  t.notOk(shallRestart(prevent, 'exit-code', exit3));
  const force = settings('no', { restartForceExitStatus: { statuses: [3], signals: [] } });
  t.ok(shallRestart(force, 'exit-code', exit3));
  const bySignal = settings('no', { restartForceExitStatus: { statuses: [], signals: [9] } });
  t.ok(shallRestart(bySignal, 'signal', { code: 'killed', status: 9 }));
  t.notOk(shallRestart(bySignal, 'exit-code', { code: 'exited', status: 9 }), 'exit code 9 is not signal 9');
});

t.test('clean exits: 0, HUP/INT/TERM/PIPE (not for oneshot), SuccessExitStatus=', async (t) => {
  const none = { statuses: [], signals: [] };
  t.ok(isCleanExit({ code: 'exited', status: 0 }, 'simple', none));
  t.notOk(isCleanExit({ code: 'exited', status: 1 }, 'simple', none));
  for (const sig of [1, 2, 13, 15]) {
    t.ok(isCleanExit({ code: 'killed', status: sig }, 'simple', none), `signal ${sig} is clean`);
    t.notOk(isCleanExit({ code: 'killed', status: sig }, 'oneshot', none), `signal ${sig} is unclean for oneshot`);
  }
  t.notOk(isCleanExit({ code: 'killed', status: 9 }, 'simple', none));
  t.ok(isCleanExit({ code: 'exited', status: 75 }, 'simple', { statuses: [75], signals: [] }));
  t.ok(isCleanExit({ code: 'killed', status: 10 }, 'simple', { statuses: [], signals: [10] }));
  t.equal(resultOfExit({ code: 'dumped', status: 11 }, 'simple', none), 'core-dump');
  t.equal(resultOfExit({ code: 'killed', status: 11 }, 'simple', none), 'signal');
  t.equal(resultOfExit({ code: 'exited', status: 2 }, 'simple', none), 'exit-code');
});

t.test('RestartSteps= grows the delay geometrically up to RestartMaxDelaySec=', async (t) => {
  const s = settings('always', { restartUSec: 2_000_000, restartSteps: 3, restartMaxDelayUSec: 16_000_000 });
  t.same([1, 2, 3, 4, 5].map((n) => restartDelayUSec(s, n)), [2_000_000, 4_000_000, 8_000_000, 16_000_000, 16_000_000]);
  t.equal(restartDelayUSec(settings('always'), 7), 100_000, 'without steps: RestartSec= every time');
});

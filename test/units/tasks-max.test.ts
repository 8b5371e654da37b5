// TasksMax= as systemd 252 parses and shows it.

import t from 'tap';
import { parseTasksMax, resolveTasksMax, DEFAULT_TASKS_MAX } from '../../src/units/values/tasks-max.js';

t.test('values', async (t) => {
  t.same(parseTasksMax('7'), { kind: 'count', value: 7 });
  t.same(parseTasksMax('infinity'), { kind: 'infinity' });
  t.same(parseTasksMax('15%'), { kind: 'permyriad', value: 1500 });
  t.same(parseTasksMax('0.5%'), { kind: 'permyriad', value: 50 });
  t.same(parseTasksMax(''), DEFAULT_TASKS_MAX);
  t.equal(parseTasksMax('abc'), "Invalid maximum tasks value 'abc', ignoring: Invalid argument");
  t.equal(parseTasksMax('0'), "Maximum tasks value '0' out of range, ignoring.");
});

t.test('resolution: a percentage is of the kernel limit', async (t) => {
  t.equal(resolveTasksMax({ kind: 'count', value: 7 }), 7);
  t.equal(resolveTasksMax({ kind: 'infinity' }), Infinity);
  t.equal(resolveTasksMax(DEFAULT_TASKS_MAX, () => 192735), 28910, 'as systemd 252 showed on a machine with threads-max 192735');
});

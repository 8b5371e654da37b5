// The share of PID 1's open-files limit that client connections may hold (src/control/fd-budget.ts).

import t from 'tap';
import { connectionCap, openFilesLimit } from '../../src/control/fd-budget.js';

const limits = (soft: string) => `Limit                     Soft Limit           Hard Limit           Units\nMax open files            ${soft}                 524288               files\n`;

t.test('the soft limit is read from /proc/self/limits; unlimited is no cap', async (t) => {
  t.equal(openFilesLimit(limits('256')), 256);
  t.equal(openFilesLimit(limits('unlimited')), undefined);
  t.equal(openFilesLimit(''), undefined);
  t.type(openFilesLimit(), 'number', 'this process has a limit');
});

t.test('each kind of connection gets a quarter of the limit, never more than configured, never fewer than 8', async (t) => {
  t.equal(connectionCap(1024, 1_048_576), 1024, 'docker default: as configured');
  t.equal(connectionCap(1024, 1024), 256);
  t.equal(connectionCap(4096, 256), 64);
  t.equal(connectionCap(1024, 16), 8);
  t.equal(connectionCap(1024, undefined), 1024);
});

// The default stop budget: the longest chain of TimeoutStopSec= along the stop order
// (plus the final-kill slack), capped by UNITD_STOP_BUDGET / --stop-budget.
import t from 'tap';
import { FINAL_KILL_SLACK_MS, longestStopChainMs, MAX_BUDGET_MS, stopBudgetMs, stoppingUnit, type StoppingUnit } from '../../src/manager/stop-budget.js';

const unit = (id: string, seconds: number, order: { after?: string[]; before?: string[] } = {}): StoppingUnit => ({
  id,
  timeoutStopUSec: seconds * 1_000_000,
  after: order.after ?? [],
  before: order.before ?? [],
});

t.test('independent units stop in parallel: the slowest decides', async (t) => {
  t.equal(longestStopChainMs([unit('a.service', 5), unit('b.service', 12), unit('c.service', 3)]), 12_000);
});

t.test('an ordered chain adds up, whichever side declares the ordering', async (t) => {
  // web After=db and Before=app: db → web → app start, so app stops first, then web, then db.
  const units = [unit('db.service', 30), unit('web.service', 10, { after: ['db.service'], before: ['app.service'] }), unit('app.service', 5), unit('other.service', 40)];
  t.equal(longestStopChainMs(units), 45_000, 'db 30 + web 10 + app 5 beats other 40');
});

t.test('targets weigh nothing; ordering through units that are not stopping is ignored', async (t) => {
  const units = [unit('multi-user.target', 0, { after: ['a.service'] }), unit('a.service', 7, { after: ['gone.service'] })];
  t.equal(longestStopChainMs(units), 7_000);
});

t.test('an ordering cycle is cut, not followed forever', async (t) => {
  const units = [unit('x.service', 2, { after: ['y.service'] }), unit('y.service', 3, { after: ['x.service'] })];
  t.equal(longestStopChainMs(units), 5_000);
});

t.test('budget: chain plus slack, capped when a cap is given, bounded for timers', async (t) => {
  const units = [unit('pg.service', 30), unit('web.service', 10, { after: ['pg.service'] })];
  t.equal(stopBudgetMs(units, undefined), 40_000 + FINAL_KILL_SLACK_MS);
  t.equal(stopBudgetMs(units, 35_000), 35_000, 'capped');
  t.equal(stopBudgetMs(units, 60_000), 40_000 + FINAL_KILL_SLACK_MS, 'a larger cap does not stretch it');
  t.equal(stopBudgetMs([{ ...unit('forever.service', 0), timeoutStopUSec: Number.POSITIVE_INFINITY }], undefined), MAX_BUDGET_MS, 'TimeoutStopSec=infinity');
});

t.test('read from unit properties', async (t) => {
  t.same(stoppingUnit({ Id: 'a.service', TimeoutStopUSec: 90_000_000, After: ['b.service'], Before: [] }), unit('a.service', 90, { after: ['b.service'] }));
  t.same(stoppingUnit({ Id: 'x.target', After: [], Before: ['y.target'] }), unit('x.target', 0, { before: ['y.target'] }));
});

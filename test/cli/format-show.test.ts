// `systemctl show` formatting, checked against systemd 252's own output of the
// same units (fixtures from the oracle) after a trip through raw values.

process.env.TZ = 'UTC';

import t from 'tap';

import { formatShow, quoteListItem } from '../../src/cli/format/show.js';
import { loadShow, loadText } from './oracle-fixtures.js';

for (const unit of ['web', 'fail3', 'once', 'nodesc', 'slowstop', 'vendor', 'manager']) {
  t.test(`show --all of ${unit} prints what systemd 252 printed`, async (t) => {
    const props = loadShow(unit);
    t.same(formatShow(props, { all: true, manager: unit === 'manager' }), loadText(`${unit}.show.txt`).lines);
  });
}

t.test('without --all, empty values are hidden (empty strings, lists, unset timestamps)', async (t) => {
  const lines = formatShow(loadShow('web'));
  t.notOk(lines.includes('ExecMainExitTimestamp='));
  t.notOk(lines.includes('Environment='));
  t.ok(lines.includes('ExecMainExitTimestampMonotonic=0'));
  t.ok(lines.includes('MemoryCurrent=[not set]'));
  t.ok(lines.includes('WatchdogUSec=0'));
  t.ok(lines.includes('RuntimeMaxUSec=infinity'));
  t.ok(lines.includes('TimeoutStartUSec=1min 30s'));
  t.ok(lines.includes('Documentation="man:foo(8)" https://example.com/web'));
});

t.test('-p prints in the manager order, not the -p order, and shows empties', async (t) => {
  const props = loadShow('fail3');
  t.same(formatShow(props, { properties: ['ActiveState', 'SubState', 'Result', 'NRestarts', 'ExecMainStatus', 'ExecMainCode', 'MainPID'] }), [
    'MainPID=0',
    'Result=exit-code',
    'NRestarts=0',
    'ExecMainCode=1',
    'ExecMainStatus=3',
    'ActiveState=failed',
    'SubState=failed',
  ]);
  t.same(formatShow(props, { properties: ['InactiveExitTimestamp', 'StatusText', 'Foo'] }).length, 2);
  t.same(formatShow(props, { properties: ['Id', 'ActiveState'], valueOnly: true }), ['fail3.service', 'failed']);
});

t.test('ExecStart= of a killed process shows the signal name', async (t) => {
  const lines = formatShow(loadShow('slowstop'), { properties: ['ExecStart'] });
  t.match(lines[0], /code=killed ; status=9\/KILL }$/);
});

t.test('list items are quoted like shell_maybe_quote', async (t) => {
  t.equal(quoteListItem('A=x y'), '"A=x y"');
  t.equal(quoteListItem('B=2'), 'B=2');
  t.equal(quoteListItem('C=$v'), '"C=\\$v"');
});

t.test('exit status sets arrive raw and print codes, then signals by name; an empty set is hidden without --all', async (t) => {
  const props = { Id: 'x.service', SuccessExitStatus: { statuses: [3, 75], signals: [10] }, RestartForceExitStatus: { statuses: [], signals: [] } };
  t.same(formatShow(props), ['SuccessExitStatus=3 75 USR1', 'Id=x.service']);
  t.same(formatShow(props, { properties: ['RestartForceExitStatus'] }), ['RestartForceExitStatus=']);
});

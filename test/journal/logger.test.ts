// PID 1's logger writes the records pino would (daemon-log.ts reads them), without loading pino.

import t from 'tap';
import { pino } from 'pino';
import { createLogger, type Logger } from '../../src/journal/logger.js';

/** Each line the logger writes, parsed, without the time (which differs between the two). */
function capture(make: (dest: { write(line: string): void }) => Logger): { log: Logger; records: () => unknown[] } {
  const lines: string[] = [];
  const log = make({ write: (line) => void lines.push(line) });
  return {
    log,
    records: () =>
      lines.map((l) => {
        const { time, ...rest } = JSON.parse(l) as { time: unknown };
        // One JSON line a record, each with its time: a mismatch shows in the comparison.
        return { ...rest, oneLine: l.endsWith('}\n') && l.indexOf('\n') === l.length - 1, timed: typeof time === 'number' };
      }),
  };
}

function exercise(log: Logger): void {
  const cause = new Error('disk full');
  const err = Object.assign(new Error('write failed', { cause }), { code: 'ENOSPC', path: '/run/x' });
  log.info('plain');
  log.debug({ unit: 'a.service' }, 'not shown at info');
  log.warn({ unit: 'a.service', count: 3, err }, 'handler failed');
  log.error(new TypeError('bad thing'));
  log.error({ cause: new RangeError('why') }, 'with a cause field');
  log.info({ nested: { a: [1, 2] } });
  log.level = 'debug';
  log.debug({ path: '/x' }, 'now shown');
  log.level = 'silent';
  log.fatal('never');
}

t.test('the same records as pino for every call the daemon makes', (t) => {
  const ours = capture((d) => createLogger({ level: 'info', base: { pid: 1 }, name: 'unitd' }, d));
  const theirs = capture((d) => pino({ level: 'info', base: { pid: 1 }, name: 'unitd', serializers: { err: pino.stdSerializers.err, cause: pino.stdSerializers.err } }, d));
  for (const c of [ours, theirs]) exercise(c.log); // one line: the stacks match
  const a = ours.records();
  t.same(a, theirs.records());
  t.equal(a.length, 6);
  t.match(a[1], { level: 40, err: { type: 'Error', message: 'write failed: disk full', code: 'ENOSPC', stack: /caused by: Error: disk full/ } });
  t.end();
});

t.test('a record never throws: cycles, BigInts, an unknown level', (t) => {
  const c = capture((d) => createLogger({ level: 'loud' }, d));
  const cyclic: Record<string, unknown> = { n: 1n };
  cyclic.self = cyclic;
  c.log.info({ cyclic }, 'odd');
  t.equal(c.log.level, 'info', 'an unknown level name is info');
  t.same(c.records(), [{ level: 30, cyclic: { n: '1', self: '[Circular]' }, msg: 'odd', oneLine: true, timed: true }]);
  t.end();
});

// Service output becomes records the way journald cuts a stdout stream.

import t from 'tap';
import { LineSplitter, parseLevelPrefix, type SplitLine } from '../../src/journal/line-splitter.js';

function split(chunks: Array<string | Buffer>, options: { lineMax?: number; levelPrefix?: boolean } = {}): SplitLine[] {
  const lines: SplitLine[] = [];
  const splitter = new LineSplitter({ ...options, onLine: (line) => lines.push(line) });
  for (const chunk of chunks) splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  splitter.end();
  return lines;
}

const texts = (lines: SplitLine[]) => lines.map((line) => line.message.toString('latin1'));

t.test('lines end at newline or NUL, the delimiter is dropped', async (t) => {
  t.same(texts(split(['one\ntwo\0three\n'])), ['one', 'two', 'three']);
  t.same(texts(split(['\n\n'])), ['', ''], 'empty lines are records too');
});

t.test('a line split across chunks is joined; an unterminated last line is flushed at the end', async (t) => {
  t.same(texts(split(['hel', 'lo wo', 'rld\npart', 'ial'])), ['hello world', 'partial']);
});

t.test('a line longer than LineMax is cut into LineMax pieces', async (t) => {
  const lines = split(['a'.repeat(250) + '\nb\n'], { lineMax: 100 });
  t.same(lines.map((line) => line.message.length), [100, 100, 50, 1]);
  const exact = split(['c'.repeat(100) + '\n'], { lineMax: 100 });
  t.same(exact.map((line) => line.message.length), [100], 'exactly LineMax plus newline stays one record');
  const trickle = split(Array.from({ length: 250 }, () => 'x'), { lineMax: 100 });
  t.same(trickle.map((line) => line.message.length), [100, 100, 50], 'byte-by-byte input is cut the same way');
  t.same(split(['x'.repeat(100)], { lineMax: 5 }).map((line) => line.message.length), [79, 21], 'LineMax below 79 is raised to 79 (journald)');
});

t.test('binary bytes pass through unchanged', async (t) => {
  const bytes = Buffer.from([0xff, 0xfe, 0x80, 0x0d, 0x41]);
  const [line] = split([Buffer.concat([bytes, Buffer.from('\n')])]);
  t.ok(line.message.equals(bytes));
});

t.test('<N> level prefixes set the priority and are removed (SyslogLevelPrefix=yes)', async (t) => {
  const lines = split(['<3>disk failed\n<7>debugging\nplain\n<8>not a level\n<11>facility is not accepted\n<03>leading zero\n']);
  t.same(
    lines.map((line) => [line.priority, line.message.toString()]),
    [
      [3, 'disk failed'],
      [7, 'debugging'],
      [6, 'plain'],
      [6, '<8>not a level'],
      [6, '<11>facility is not accepted'],
      [3, 'leading zero'],
    ],
  );
  t.same(texts(split(['<3>kept\n'], { levelPrefix: false })), ['<3>kept'], 'SyslogLevelPrefix=no keeps the text');
  const cut = split(['<2>' + 'z'.repeat(150) + '\n'], { lineMax: 100 });
  t.same(cut.map((line) => line.priority), [2, 2], 'the pieces of a cut line keep its level');
  t.same(parseLevelPrefix(Buffer.from('<5>')), { priority: 5, length: 3 }, 'a bare prefix is an empty message at that level');
  t.equal(parseLevelPrefix(Buffer.from('<>x')), undefined, 'no digits, no prefix');
});

import t from 'tap';
import { parseEnvironmentAssignment, parsePassEnvironment, parseUnsetEnvironment, unsetVariables } from '../../src/units/values/environment.js';
import { parseEnvironmentFile } from '../../src/units/values/environment-file.js';

const ctx = { unitName: 'syn.service', host: { hostname: 'h', osRelease: {} } };

function env(value: string) {
  const warnings: string[] = [];
  const r = parseEnvironmentAssignment(value, ctx, (m) => warnings.push(m));
  return { vars: r.assignments, warnings };
}

t.test('Environment= items with quotes, escapes and specifiers', async (t) => {
  t.same(env(`"VAR1=word1 word2" VAR2=word3 "VAR3=$word 5 6"`).vars, [
    ['VAR1', 'word1 word2'],
    ['VAR2', 'word3'],
    ['VAR3', '$word 5 6'],
  ]);
  t.same(env('ESC=a\\x41b').vars, [['ESC', 'aAb']]);
  t.same(env('U=%n').vars, [['U', 'syn.service']]);
});

t.test('bad Environment= items are reported in systemd words', async (t) => {
  t.same(env('1BAD=x GOOD=1'), { vars: [['GOOD', '1']], warnings: ['Invalid environment assignment, ignoring: 1BAD=x'] });
  t.same(env('"A'), { vars: [], warnings: ['Invalid syntax, ignoring: "A'] });
  t.same(env('A=%z'), { vars: [], warnings: ['Failed to resolve specifiers in A=%z, ignoring: Invalid slot'] });
  t.same(env('A=\\q').warnings, ['Invalid syntax, ignoring: A=\\q']);
  t.same(env('NOVALUE').warnings, ['Invalid environment assignment, ignoring: NOVALUE']);
});

t.test('PassEnvironment= and UnsetEnvironment=', async (t) => {
  const w: string[] = [];
  t.same(parsePassEnvironment('A B 1BAD', ctx, (m) => w.push(m)), ['A', 'B']);
  t.same(parseUnsetEnvironment('A C=1 1BAD', ctx, (m) => w.push(m)), ['A', 'C=1']);
  t.same(w, ['Invalid environment name for PassEnvironment, ignoring: 1BAD', 'Invalid environment name or assignment UnsetEnvironment, ignoring: 1BAD']);
  t.same(unsetVariables({ A: '1', B: '2', C: '1', D: '2' }, ['A', 'C=1', 'D=1']), { B: '2', D: '2' });
});

t.test('EnvironmentFile= format: the observed examples', async (t) => {
  const text = [
    'F1=plain value  ',
    'F2="double \\"quoted\\" value"',
    "F3='single $quoted'",
    'export NOPE=1',
    '# comment',
    '; comment too',
    '',
    'NOEQUALS',
    '  SPACED  =  v  ',
    'CONT=a\\',
    'b',
    "MULTI='line1",
    "line2'",
    'BS=a\\\\b',
    'DQ="keep \\n and \\$HOME"',
    'LAST=1',
    'LAST=2',
  ].join('\n');
  const r = parseEnvironmentFile(text, '/etc/syn.env');
  t.same(r.assignments, [
    ['F1', 'plain value'],
    ['F2', 'double "quoted" value'],
    ['F3', 'single $quoted'],
    ['SPACED', 'v'],
    ['CONT', 'ab'],
    ['MULTI', 'line1\nline2'],
    ['BS', 'a\\b'],
    ['DQ', 'keep \\n and $HOME'],
    ['LAST', '1'],
    ['LAST', '2'],
  ]);
  t.same(r.warnings, ["Ignoring invalid environment assignment 'export NOPE=1': /etc/syn.env"]);
});

t.test('environment files with garbage do not throw', async (t) => {
  for (const text of ['\0\0=\0', '"unterminated', "A='x", 'A="x\\', 'x'.repeat(1 << 20), '\\\n\\\n=']) {
    t.doesNotThrow(() => parseEnvironmentFile(text, '/x.env'));
  }
  t.same(parseEnvironmentFile('A="x', '/x.env').assignments, [['A', 'x']]);
});

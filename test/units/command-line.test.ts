import t from 'tap';
import { parseCommandLine, expandCommandVariables, resolveExecutable } from '../../src/units/values/command-line.js';
import { parseEnvironmentAssignment } from '../../src/units/values/environment.js';

const ctx = { unitName: 'syn.service', host: { hostname: 'h', osRelease: {} } };

function parse(value: string) {
  const warnings: string[] = [];
  const r = parseCommandLine(value, ctx, (m) => warnings.push(m));
  return { r, warnings };
}

t.test('the observed printf example from the semantics file', async (t) => {
  const env = Object.fromEntries(
    parseEnvironmentAssignment(`"ONE=one" 'TWO=two two' THREE=`, ctx, () => {}).assignments,
  );
  const { r } = parse(`/usr/bin/printf [%%s] $ONE $TWO \${TWO} \${THREE} $THREE "quoted arg" 'single q' dollar$$ESC`);
  t.ok(r.ok);
  if (!r.ok) return;
  const argv = expandCommandVariables(r.commands[0].argv, env);
  t.equal(argv.slice(2).map((a) => `[${a}]`).join(''), '[one][two][two][two two][][quoted arg][single q][dollar$ESC]');
});

t.test('a lone ; splits commands and \\; is a literal argument', async (t) => {
  const { r } = parse('/usr/bin/printf [%%s] one \\; two ; /bin/true x');
  t.ok(r.ok);
  if (!r.ok) return;
  t.same(r.commands.map((c) => c.argv), [['/usr/bin/printf', '[%s]', 'one', ';', 'two'], ['/bin/true', 'x']]);
});

t.test('prefixes combine in any order, only one of + ! !!', async (t) => {
  const cases: [string, string[] | string][] = [
    ['-/bin/true', ['ignore-failure']],
    ['@:-/bin/true x', ['ignore-failure', 'no-env-expand']],
    ['!!-@:/bin/true x', ['ignore-failure', 'ambient', 'no-env-expand']],
    ['+/bin/true', ['privileged']],
    ['!/bin/true', ['no-setuid']],
    ['+!/bin/true', 'Neither a valid executable name nor an absolute path: !/bin/true'],
  ];
  for (const [value, want] of cases) {
    const { r } = parse(value);
    if (typeof want === 'string') t.same(r, { ok: false, message: want, fatal: true }, value);
    else t.same(r.ok && r.commands[0].flags, want, value);
  }
  const at = parse('@/bin/sh mysh -c "echo $0"').r;
  t.same(at.ok && at.commands[0], { path: '/bin/sh', argv: ['mysh', '-c', 'echo $0'], flags: [] });
});

t.test('bad command lines give systemd messages; "-" makes them non-fatal', async (t) => {
  t.same(parse('relative/path').r, { ok: false, message: 'Neither a valid executable name nor an absolute path: relative/path', fatal: true });
  t.same(parse('/bin/echo "unterminated').r, { ok: false, message: 'Unbalanced quoting, ignoring: "/bin/echo "unterminated"', fatal: true });
  t.same(parse('@/bin/true').r, { ok: false, message: 'Empty executable name or zeroeth argument: @/bin/true', fatal: true });
  t.same(parse('-').r, { ok: false, message: "Empty path in command line, ignoring: '-'", fatal: false });
  t.same(parse('-relative/x').r, { ok: false, message: 'Neither a valid executable name nor an absolute path, ignoring: relative/x', fatal: false });
  t.same(parse('/bin/echo %z').r, { ok: false, message: 'Failed to resolve unit specifiers in %z: Invalid slot', fatal: true });
  t.same(parse('/usr/bin/').r, { ok: false, message: 'Executable path specifies a directory: /usr/bin/', fatal: true });
  const esc = parse('/bin/echo \\q');
  t.same(esc.warnings, ['Ignoring unknown escape sequences: "\\q"']);
  t.same(esc.r.ok && esc.r.commands[0].argv, ['/bin/echo', '\\q']);
});

t.test('bare names are allowed and looked up in the fixed search path', async (t) => {
  const { r } = parse('sleep 10');
  t.same(r.ok && r.commands[0].path, 'sleep');
  t.equal(resolveExecutable('sleep', (p) => p === '/usr/bin/sleep'), '/usr/bin/sleep');
  t.equal(resolveExecutable('nosuch', () => false), undefined);
});

t.test('C escapes and quotes inside words', async (t) => {
  const { r } = parse(`/bin/echo a"b c"d '\\x41' \\t`);
  t.same(r.ok && r.commands[0].argv, ['/bin/echo', 'ab cd', 'A', '\t']);
});

t.test('variable expansion: $VAR splits, ${VAR} does not, $$ is literal', async (t) => {
  const env = { A: 'x "y z"', E: '' };
  t.same(expandCommandVariables(['$A', '${A}', '$E', '${E}', '$$A', 'pre${A}post', '$UNSET', '${A:-d}'], env), [
    'x',
    'y z',
    'x "y z"',
    '',
    '$A',
    'prex "y z"post',
    '${A:-d}',
  ]);
});

t.test('malformed input never throws', async (t) => {
  for (const v of ['\0\x01\x02', '"'.repeat(1001), 'x'.repeat(1 << 20), '/bin/x ' + '\\'.repeat(3), "'", ';;;', '/bin/x \\u00', '\uFFFD\uD800']) {
    t.doesNotThrow(() => parse(v), JSON.stringify(v.slice(0, 20)));
  }
});

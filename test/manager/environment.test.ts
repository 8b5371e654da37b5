// The environment a spawned process gets (semantics §5.2) and the spawn spec of one command.

import t from 'tap';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildEnvironment, EnvironmentFileError, type EnvironmentContext } from '../../src/exec/environment.js';
import { defaultExecSettings } from '../../src/exec/settings.js';
import { prepareSpawn, ExecSetupError } from '../../src/exec/spawn-spec.js';

const dir = mkdtempSync(join(tmpdir(), 'unitd-env-'));
writeFileSync(join(dir, 'env'), '# comment\nFROM_FILE=1\nOVERRIDE=file\nQUOTED="a b"\n');

function ctx(extra: Partial<EnvironmentContext> = {}): EnvironmentContext {
  return {
    unit: 'web.service',
    invocationId: '0123456789abcdef0123456789abcdef',
    settings: defaultExecSettings(),
    managerEnvironment: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'LANG=C.UTF-8'],
    processEnvironment: { SECRET: 'from-docker', PASSED: 'yes' },
    ignoreUser: false,
    ...extra,
  };
}

const asMap = (env: string[]) => Object.fromEntries(env.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));

t.test('a plain service: manager block, INVOCATION_ID, our marker, nothing from the daemon environment', async (t) => {
  const env = asMap(buildEnvironment(ctx({ notifySocket: '/run/unitd/notify/web.service' })));
  t.same(Object.keys(env).sort(), ['INVOCATION_ID', 'LANG', 'NOTIFY_SOCKET', 'PATH', 'UNITD_UNIT']);
  t.equal(env.UNITD_UNIT, 'web.service');
  t.notOk('SECRET' in env, 'docker -e variables are not passed');
});

t.test('order: PassEnvironment=, Environment=, EnvironmentFile= (later wins), then UnsetEnvironment=', async (t) => {
  const settings = defaultExecSettings();
  settings.passEnvironment = ['PASSED', 'MISSING'];
  settings.environment = ['OVERRIDE=env', 'DROP=1', 'KEEP=1', 'PASSED=env'];
  settings.environmentFiles = [{ path: join(dir, 'env'), optional: false }, { path: join(dir, 'nope'), optional: true }];
  settings.unsetEnvironment = ['DROP', 'KEEP=2'];
  const env = asMap(buildEnvironment(ctx({ settings })));
  t.match(env, { PASSED: 'env', OVERRIDE: 'file', FROM_FILE: '1', QUOTED: 'a b', KEEP: '1' });
  t.notOk('DROP' in env);
  t.notOk('MISSING' in env);
});

t.test('a missing EnvironmentFile= without "-" fails the spawn', async (t) => {
  const settings = defaultExecSettings();
  settings.environmentFiles = [{ path: join(dir, 'nope'), optional: false }];
  t.throws(() => buildEnvironment(ctx({ settings })), EnvironmentFileError);
});

t.test('User= adds USER, LOGNAME, HOME, and SHELL unless it is a nologin shell', async (t) => {
  const settings = defaultExecSettings();
  settings.user = 'root';
  t.match(asMap(buildEnvironment(ctx({ settings }))), { USER: 'root', LOGNAME: 'root', HOME: '/root' });
  t.notOk('USER' in asMap(buildEnvironment(ctx({ settings, ignoreUser: true }))), '+ ignores User=');
});

t.test('stop commands get SERVICE_RESULT, EXIT_CODE, EXIT_STATUS and MAINPID', async (t) => {
  const env = asMap(buildEnvironment(ctx({ mainPid: 42, serviceResult: 'exit-code', exitCode: 'exited', exitStatus: '3' })));
  t.match(env, { MAINPID: '42', SERVICE_RESULT: 'exit-code', EXIT_CODE: 'exited', EXIT_STATUS: '3' });
});

t.test('the spawn spec: bare names looked up, $VAR expanded unless ":", @argv0 kept, + drops User=', async (t) => {
  const settings = defaultExecSettings();
  settings.environment = ['WORDS=a b', 'ONE=x y'];
  settings.user = 'nobody';
  const c = ctx({ settings });
  const spawn = prepareSpawn(c, { path: 'sh', argv: ['mysh', '-c', '$WORDS', '${ONE}'], ignoreFailure: false, noExpand: false, privileges: 'normal' });
  t.match(spawn.spec, { path: '/usr/bin/sh', argv: ['mysh', '-c', 'a', 'b', 'x y'], user: 'nobody', cwd: '/' });
  t.match(spawn.spec.stdout, { kind: 'pipe' }, 'StandardOutput=journal is a pipe to the daemon');
  const literal = prepareSpawn(c, { path: '/bin/echo', argv: ['/bin/echo', '$WORDS'], ignoreFailure: false, noExpand: true, privileges: 'full' });
  t.same(literal.spec.argv, ['/bin/echo', '$WORDS']);
  t.equal(literal.spec.user, undefined);
  t.throws(() => prepareSpawn(c, { path: 'no-such-binary-here', argv: ['x'], ignoreFailure: false, noExpand: false, privileges: 'normal' }), ExecSetupError);
});

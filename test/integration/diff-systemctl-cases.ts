// The corpus and the command sequence of the systemctl differential suite
// (diff-systemctl.test.ts): the same unit files are booted under systemd 252
// and under unitd, then every step runs in order on both sides. A step's
// stdout, stderr and exit code are compared after normalisation; `settle`
// waits (uncompared) until a unit reaches a state, so both sides compare the
// same moment of a unit's life.
//
// Documented differences that are not cases:
// - `-H HOST` / `-M MACHINE`: systemd connects over ssh / to a container;
//   unitd manages only its own container and refuses early with rc 1.
// - Resource lines of status (Tasks:, Memory:, CPU:) depend on the kernel's
//   accounting for the namespace; diff-normalise.ts removes them on both sides.
// - Units systemd has and unitd has not (its own journald, udev, slices...):
//   list-units and friends only match patterns of corpus units.

import { REPO } from './harness.js';

const NOTIFIER = `${REPO}/test/integration/fixtures/notifier.py`;
const LONG = 'A service whose description is deliberately long, to see how list-units and status lay out a description this long';

export const CORPUS: Record<string, string> = {
  'web.service':
    '[Unit]\nDescription=Web server\nDocumentation=man:web(8) https://example.com/web\n[Service]\nExecStart=/bin/sleep 10000\n[Install]\nWantedBy=multi-user.target\n',
  'fail3.service': "[Unit]\nDescription=Exits with 3\n[Service]\nExecStart=/bin/sh -c 'exit 3'\n",
  'once.service': '[Unit]\nDescription=One shot that stays\n[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/true\n',
  'oneshotfail.service': '[Unit]\nDescription=One shot that fails\n[Service]\nType=oneshot\nExecStart=/bin/false\n',
  'notify.service': `[Unit]\nDescription=Notifying service\n[Service]\nType=notify\nExecStart=/usr/bin/python3 ${NOTIFIER} send:STATUS=Serving send:READY=1 sleep:10000\n`,
  'forking.service':
    "[Unit]\nDescription=Forking daemon\n[Service]\nType=forking\nPIDFile=/run/forking.pid\nExecStart=/bin/sh -c 'sleep 10000 & echo $! > /run/forking.pid'\n",
  'retry.service':
    "[Unit]\nDescription=Retries then fails\nStartLimitBurst=3\nStartLimitIntervalSec=60\n[Service]\nExecStart=/bin/sh -c 'exit 1'\nRestart=on-failure\nRestartSec=100ms\n",
  'bad.service': '[Unit]\nDescription=Bad setting\n[Service]\nType=simple\n',
  'tpl@.service': '[Unit]\nDescription=Template instance %i\n[Service]\nExecStart=/bin/sleep 10000\n',
  'aliased.service': '[Unit]\nDescription=Aliased unit\n[Service]\nExecStart=/bin/sleep 10000\n[Install]\nAlias=nick.service\n',
  'app.target': '[Unit]\nDescription=Application target\nWants=web.service once.service\n',
  'dropin.service': '[Unit]\nDescription=Base description\n[Service]\nExecStart=/bin/sleep 10000\nExecReload=/bin/true\n',
  'dropin.service.d/10-override.conf': '[Unit]\nDescription=Overridden by a drop-in\n[Service]\nEnvironment=FOO=bar\n',
  'longdesc.service': `[Unit]\nDescription=${LONG}\n[Service]\nExecStart=/bin/sleep 10000\n`,
  'leaf.service': '[Unit]\nDescription=Leaf without default dependencies\nDefaultDependencies=no\nWants=once.service\n[Service]\nType=oneshot\nExecStart=/bin/true\n',
};

/** Enabled at boot (wanted by the default target on both sides). */
export const ENABLED = ['web.service', 'once.service', 'notify.service', 'forking.service', 'dropin.service', 'longdesc.service'];

/** Every unit name of the corpus, with the masked, the alias and an unknown one. */
export const UNITS = [
  'web.service',
  'fail3.service',
  'once.service',
  'oneshotfail.service',
  'notify.service',
  'forking.service',
  'retry.service',
  'bad.service',
  'tpl@one.service',
  'aliased.service',
  'nick.service',
  'app.target',
  'dropin.service',
  'longdesc.service',
  'leaf.service',
  'masked.service',
  'nosuch.service',
];

/** list-units patterns that match only corpus units (the oracle also has systemd's own). */
export const PATTERNS = ['web*', 'fail3*', 'once*', 'oneshotfail*', 'notify*', 'forking*', 'retry*', 'bad.service', 'tpl@*', 'aliased*', 'app.target', 'dropin*', 'longdesc*', 'leaf*', 'masked*'];

export const ANSIBLE_PROPS =
  'Id,Names,ActiveState,SubState,LoadState,UnitFileState,UnitFilePreset,MainPID,Description,FragmentPath,Type,Restart,ExecMainStatus,Result,NRestarts,CanStart,CanStop,CanReload,ActiveEnterTimestamp,LoadError,Wants,DropInPaths,Documentation,StatusText,RemainAfterExit,ExecMainCode';

export interface Step {
  args: string[];
  /** After the command, wait until this unit has this ActiveState (not compared). */
  settle?: [unit: string, activeState: string];
  /** Also turn every positive number on a line of its own into <N> (for --value answers). */
  numbers?: boolean;
  /** Compare only the stdout lines matching this (show-environment: both managers have their own base). */
  grep?: RegExp;
  /** Not compared at all: a step that only moves the scenario on. */
  setup?: boolean;
  /** A difference we know about and cannot or do not want to remove, with why. */
  known?: string;
}

const s = (...args: string[]): Step => ({ args });
const perUnit = (f: (u: string) => Step): Step[] => UNITS.map(f);

export const STEPS: Step[] = [
  // Setup that is itself compared: masking, an alias through enable, a reload.
  s('mask', 'masked.service'),
  s('enable', 'aliased.service'),
  s('daemon-reload'),
  { ...s('start', 'fail3.service'), settle: ['fail3.service', 'failed'] },
  s('start', 'oneshotfail.service'),
  { ...s('start', 'retry.service'), settle: ['retry.service', 'failed'] },
  s('start', 'tpl@one.service'),
  s('start', 'app.target'),

  // The state of everything at rest.
  ...perUnit((u) => s('is-active', u)),
  ...perUnit((u) => s('is-failed', u)),
  ...perUnit((u) => s('is-enabled', u)),
  s('is-active', 'web.service', 'fail3.service', 'nosuch.service'),
  s('is-active', 'fail3.service', 'nosuch.service'),
  s('is-failed', 'web.service', 'fail3.service'),
  s('is-failed', 'web.service', 'once.service'),
  s('is-enabled', 'web.service', 'fail3.service', 'masked.service'),
  s('is-active', '-q', 'web.service'),
  s('is-active', 'web'),
  s('is-active', 'web*'),
  s('is-active', 'tpl@*'),
  s('is-active', 'zzz*'),
  s('is-active', 'foo bar'),
  s('is-active', 'app'),
  ...perUnit((u) => s('status', '-n', '0', '--no-pager', u)),
  s('status', '-n', '0', 'web', 'once.service'),
  s('status', '-n', '0', 'nosuch.service', 'web.service'),
  ...perUnit((u) => s('show', '-p', ANSIBLE_PROPS, u)),
  s('show', '-p', 'Id', '-p', 'ActiveState', 'web.service', 'fail3.service'),
  s('show', '--property=SubState,Result', 'retry.service'),
  s('show', '--value', '-p', 'ActiveState', 'web.service'),
  s('show', '--value', '-p', 'ActiveState,SubState', 'once.service'),
  s('show', '-P', 'Result', 'fail3.service'),
  s('show', '-P', 'NRestarts', 'retry.service'),
  s('show', '-P', 'ExecMainStatus', 'fail3.service'),
  s('show', '-P', 'StatusText', 'notify.service'),
  s('show', '-P', 'LoadError', 'nosuch.service'),
  s('show', '-P', 'LoadError', 'bad.service'),
  s('show', '-P', 'LoadError', 'masked.service'),
  { ...s('show', '-P', 'MainPID', 'web.service'), numbers: true },
  s('show', '-p', 'Names', 'aliased.service'),
  s('show', '-p', 'Id,Names', 'nick.service'),
  s('show', '-p', 'Description', 'dropin.service'),
  s('show', '-p', 'Environment', 'dropin.service'),
  s('show', '-p', 'Wants', 'app.target'),
  s('show', '-p', 'NoSuchProperty', 'web.service'),
  s('show', '-p', 'Type,Restart,RestartUSec,TimeoutStartUSec,TimeoutStopUSec,RemainAfterExit,KillMode,KillSignal', 'web.service'),
  s('show', '-p', 'ExecMainCode,ExecMainStatus,Result', 'oneshotfail.service'),
  s('show', '-p', 'ActiveState,SubState', 'app.target'),
  s('show', '-p', 'CanStart,CanStop,CanReload', 'dropin.service'),
  s('show', '-p', 'PIDFile,Type', 'forking.service'),

  s('list-units', ...PATTERNS),
  s('list-units', '--all', ...PATTERNS),
  s('list-units', '--state=failed', ...PATTERNS),
  s('list-units', '--failed', ...PATTERNS),
  s('list-units', '--type=service', ...PATTERNS),
  s('list-units', '--type=target', 'app.target'),
  s('list-units', '--no-legend', ...PATTERNS),
  s('list-units', '--plain', ...PATTERNS),
  s('list-units', '--all', '--plain', '--no-legend', ...PATTERNS),
  s('list-units', 'zzz*'),
  s('list-units', '--state=running', 'web*', 'tpl@*'),
  s('list-units', '--state=exited', ...PATTERNS),
  s('list-jobs'),
  s('cat', 'web.service'),
  s('cat', 'dropin.service'),
  s('cat', 'tpl@one.service'),
  s('cat', 'nosuch.service'),
  s('cat', 'web', 'once'),
  s('list-dependencies', 'app.target'),
  s('list-dependencies', '--plain', 'app.target'),
  { ...s('list-dependencies', 'leaf.service'), known: 'systemd lists the implicit system.slice; unitd has no slices' },
  s('is-system-running'),
  { ...s('show', '-p', 'Requires,After', 'web.service'), known: 'systemd adds the implicit system.slice and systemd-journald.socket; unitd has no slices and no journald unit' },
  // The oracle has systemd's own timers and sockets: patterns that match none of them.
  s('list-timers', 'web*'),
  s('list-timers', '--all', 'web*'),
  s('list-sockets', 'web*'),
  s('list-sockets', '--all', 'web*'),
  s('list-timers', '--no-legend', 'web*'),
  s('isolate', 'app.target'),
  s('isolate', 'nosuch'),
  s('start', '--wait', 'oneshotfail.service'),
  s('start', '--wait', 'fail3.service'),

  // Jobs and their errors.
  s('start', 'nosuch.service'),
  s('stop', 'nosuch.service'),
  s('restart', 'nosuch.service'),
  s('reload', 'nosuch.service'),
  s('kill', 'nosuch.service'),
  s('reset-failed', 'nosuch.service'),
  s('status', 'nosuch.service'),
  s('start', 'masked.service'),
  s('start', 'bad.service'),
  s('start', 'tpl@.service'),
  s('reload', 'web.service'),
  s('reload', 'dropin.service'),
  s('try-restart', 'aliased.service'),
  s('is-active', 'aliased.service'),
  s('reload-or-restart', 'web.service'),
  s('is-active', 'web.service'),
  s('try-reload-or-restart', 'dropin.service'),
  s('start', 'web.service', 'once.service'),
  s('start', 'nick.service'),
  s('is-active', 'aliased.service', 'nick.service'),
  s('stop', 'nick.service'),
  s('is-active', 'aliased.service'),
  s('restart', 'once.service'),
  s('show', '-p', 'ActiveState,SubState,Result', 'once.service'),
  { ...s('restart', 'fail3'), settle: ['fail3.service', 'failed'] },
  s('is-active', 'fail3'),
  s('start', 'oneshotfail.service'),
  { ...s('kill', 'tpl@one.service'), settle: ['tpl@one.service', 'inactive'] },
  s('show', '-p', 'ActiveState,SubState,Result,ExecMainCode,ExecMainStatus', 'tpl@one.service'),
  { ...s('kill', '-s', 'KILL', 'longdesc.service'), settle: ['longdesc.service', 'failed'] },
  s('show', '-p', 'ActiveState,SubState,Result,ExecMainCode,ExecMainStatus', 'longdesc.service'),
  s('status', '-n', '0', 'longdesc.service'),
  s('is-failed', 'longdesc.service'),
  // Settle after the kill, not after the is-active: both managers answer is-active at once, and
  // whether SIGCHLD was handled by then is a race (systemd said active once, unitd inactive).
  { ...s('kill', '--kill-whom=main', 'web.service'), settle: ['web.service', 'inactive'] },
  s('is-active', 'web.service'),
  s('kill', 'once.service'),
  s('stop', 'notify.service', 'forking.service'),
  s('is-active', 'notify.service', 'forking.service'),
  s('show', '-p', 'ActiveState,SubState,Result,StatusText,MainPID', 'notify.service'),
  s('status', '-n', '0', 'notify.service'),
  s('list-units', '--all', ...PATTERNS),
  s('list-units', '--failed', ...PATTERNS),
  s('reset-failed', 'fail3.service'),
  s('is-failed', 'fail3.service'),
  s('show', '-p', 'ActiveState,Result', 'fail3.service'),
  s('reset-failed'),
  s('is-failed', 'retry.service', 'oneshotfail.service', 'longdesc.service'),
  s('list-units', '--all', '--no-legend', ...PATTERNS),
  s('stop', 'app.target'),
  s('is-active', 'app.target'),
  s('stop', 'web.service'),
  s('start', 'web'),
  s('status', '-n', '0', 'web'),
  s('list-jobs'),

  s('show', '--value', '-p', 'Id,ActiveState', 'web.service', 'nosuch.service'),
  s('show', '-P', 'Result', 'fail3', 'oneshotfail'),
  s('is-active', '-q', 'fail3.service'),
  s('is-failed', '-q', 'oneshotfail.service'),
  s('status', '--lines=0', 'oneshotfail.service'),
  s('cat', 'masked.service'),
  s('cat', 'bad.service'),
  s('try-restart', 'web.service'),
  s('reload-or-restart', 'dropin.service'),
  s('restart', 'tpl@three.service'),
  s('show', '-p', 'Id,ActiveState,SubState', 'tpl@three.service'),
  s('stop', 'tpl@three.service'),
  s('show', '-p', 'NeedDaemonReload,CanReload', 'dropin.service'),

  // Environment.
  s('set-environment', 'DIFFTEST_A=1', 'DIFFTEST_B=two words'),
  { ...s('show-environment'), grep: /^DIFFTEST_/ },
  s('unset-environment', 'DIFFTEST_A'),
  { ...s('show-environment'), grep: /^DIFFTEST_/ },
  s('set-environment', 'not valid'),
  s('unset-environment', 'DIFFTEST_B'),
  { ...s('show-environment'), grep: /^DIFFTEST_/ },

  // Names.
  s('is-active', 'web.service', 'web'),
  s('status', '-n', '0', 'tpl@two'),
  s('start', 'tpl@two'),
  s('is-active', 'tpl@two.service'),
  s('stop', 'tpl@two'),
  s('show', '-p', 'Id', 'foo/bar'),
  s('is-active', 'a:b'),
];

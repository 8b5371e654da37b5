// .path units as PID 1, through the real systemctl: each kind starts its unit only when its
// condition holds, watches are re-armed after the triggered unit stops, the triggered unit
// sees TRIGGER_UNIT=/TRIGGER_PATH=, and a condition the service never consumes ends in
// unit-start-limit-hit (systemd.path(5), semantics §15).

import t from 'tap';
import { boot, sleep, waitProps, type System } from './harness.js';

/** A oneshot that appends its trigger environment to a log and then removes `consume` (if given). */
function recorder(name: string, consume = ''): string {
  return `[Service]
Type=oneshot
ExecStart=/bin/sh -c 'echo "$TRIGGER_UNIT $TRIGGER_PATH" >> /run/${name}.log${consume ? `; rm -rf ${consume}` : ''}'
`;
}

const units: Record<string, string> = {
  'pex.path': '[Unit]\nDescription=Flag watcher\n[Path]\nPathExists=/run/ptest/sub/flag\n',
  'pex.service': recorder('pex', '/run/ptest/sub/flag'),
  'pglob.path': '[Path]\nPathExistsGlob=/run/pglob/*.job\nMakeDirectory=yes\n',
  'pglob.service': recorder('pglob', '/run/pglob/*.job'),
  'pdir.path': '[Path]\nDirectoryNotEmpty=/run/pspool/in\nMakeDirectory=yes\nDirectoryMode=0700\n',
  'pdir.service': recorder('pdir', '/run/pspool/in/*'),
  'pchg.path': '[Path]\nPathChanged=/run/pchg/watched\nUnit=pchg-run.service\n',
  'pchg-run.service': recorder('pchg'),
  'pmod.path': '[Path]\nPathModified=/run/pmod/modded\n',
  'pmod.service': recorder('pmod'),
  'pstuck.path': '[Path]\nPathExists=/run/pstuck-flag\n',
  'pstuck.service': recorder('pstuck'),
  'pnone.path': '[Path]\nUnit=pex.service\n',
  'porphan.path': '[Path]\nPathExists=/run/x\nUnit=missing.service\n',
};

let sys: System;
t.before(async () => {
  sys = await boot({ units, enable: ['pex.path', 'pglob.path', 'pdir.path', 'pchg.path', 'pmod.path'] });
});
t.teardown(async () => {
  await sys?.stop();
});

async function runs(name: string): Promise<string[]> {
  const r = await sys.exec('cat', `/run/${name}.log`);
  return r.code === 0 ? r.stdout.trim().split('\n').filter(Boolean) : [];
}

async function waitRuns(name: string, n: number, timeoutMs = 5000): Promise<string[]> {
  const end = Date.now() + timeoutMs;
  let lines = await runs(name);
  while (lines.length < n && Date.now() < end) {
    await sleep(50);
    lines = await runs(name);
  }
  return lines;
}

t.test('enabled path units wait after boot, with systemd states and properties', async (t) => {
  const p = await waitProps(sys, 'pex.path', ['ActiveState', 'SubState', 'Result', 'Unit', 'Triggers', 'Paths'], (x) => x.SubState === 'waiting');
  t.match(p, { ActiveState: 'active', SubState: 'waiting', Result: 'success', Unit: 'pex.service', Triggers: ['pex.service'], Paths: ['/run/ptest/sub/flag (PathExists)'] });
  t.same((await sys.props('pex.service', 'TriggeredBy')).TriggeredBy, ['pex.path'], 'the service is TriggeredBy the path');
  t.same(await runs('pex'), [], 'nothing ran while the flag is missing');
  const status = await sys.ctl('status', 'pex.path');
  t.match(status.stdout, /Active: active \(waiting\)/);
  t.equal((await sys.ctl('is-active', 'pex.path')).stdout.trim(), 'active');
});

t.test('PathExists= fires when a missing directory chain and the file appear, once per appearance', async (t) => {
  await sys.exec('mkdir', '-p', '/run/ptest/sub');
  await sleep(200);
  t.same(await runs('pex'), [], 'the directory alone does not trigger');
  await sys.exec('touch', '/run/ptest/sub/flag');
  t.same(await waitRuns('pex', 1), ['pex.path /run/ptest/sub/flag'], 'ran once, with TRIGGER_UNIT and TRIGGER_PATH');
  await waitProps(sys, 'pex.path', ['SubState'], (x) => x.SubState === 'waiting');
  await sys.exec('touch', '/run/ptest/sub/flag');
  t.equal((await waitRuns('pex', 2)).length, 2, 're-armed after the service finished: a second appearance runs it again');
});

t.test('PathExistsGlob= and DirectoryNotEmpty= with MakeDirectory=', async (t) => {
  const mode = await sys.exec('stat', '-c', '%a', '/run/pspool/in');
  t.equal(mode.stdout.trim(), '700', 'DirectoryNotEmpty= directory made with DirectoryMode=');
  await sys.exec('mkdir', '/run/pglob'); // MakeDirectory= makes no directory for a glob
  await sys.exec('touch', '/run/pglob/.hidden.job');
  await sys.exec('touch', '/run/pspool/in/.hidden');
  await sleep(300);
  t.same(await runs('pglob'), [], 'a dot file does not match the glob');
  t.same(await runs('pdir'), [], 'a hidden file does not make the directory non-empty');
  await sys.exec('touch', '/run/pglob/a.job');
  await sys.exec('touch', '/run/pspool/in/work');
  t.same(await waitRuns('pglob', 1), ['pglob.path /run/pglob/a.job'], 'TRIGGER_PATH is the first match');
  t.same(await waitRuns('pdir', 1), ['pdir.path /run/pspool/in'], 'TRIGGER_PATH is the directory');
});

t.test('PathChanged= runs on close-after-write, PathModified= on a write before close', async (t) => {
  await sys.exec('mkdir', '-p', '/run/pchg', '/run/pmod');
  await sleep(200);
  t.same(await runs('pchg'), [], 'creating the parent directory is no change of the path');
  await sys.exec('sh', '-c', 'echo a > /run/pchg/watched');
  t.equal((await waitRuns('pchg', 1)).length, 1, 'Unit= names the service started');
  await waitProps(sys, 'pchg.path', ['SubState'], (x) => x.SubState === 'waiting');
  await sys.exec('sh', '-c', 'echo b >> /run/pchg/watched');
  t.equal((await waitRuns('pchg', 2)).length, 2, 'a second write-and-close runs it again');

  // Hold the file open for writing: PathModified= fires before the writer closes.
  await sys.exec('touch', '/run/pmod/modded');
  t.equal((await waitRuns('pmod', 1)).length, 1, 'creation counts');
  await waitProps(sys, 'pmod.path', ['SubState'], (x) => x.SubState === 'waiting');
  const writer = sys.exec('sh', '-c', 'exec 3>>/run/pmod/modded; echo x >&3; sleep 1.5');
  t.equal((await waitRuns('pmod', 2, 1400)).length, 2, 'the write triggered while the file is still open');
  await writer;
});

t.test('a condition the service never consumes ends in unit-start-limit-hit', async (t) => {
  await sys.exec('touch', '/run/pstuck-flag');
  const start = await sys.ctl('start', 'pstuck.path');
  t.equal(start.code, 0);
  const p = await waitProps(sys, 'pstuck.path', ['ActiveState', 'Result'], (x) => x.ActiveState === 'failed', 10_000);
  t.match(p, { ActiveState: 'failed', Result: 'unit-start-limit-hit' });
  t.equal((await runs('pstuck')).length, 5, 'the service ran up to its start limit (5 in 10 s)');
  t.match((await sys.props('pstuck.service', 'Result')).Result, 'start-limit-hit');
  const status = await sys.ctl('status', 'pstuck.path');
  t.match(status.stdout, /Active: failed \(Result: unit-start-limit-hit\)/);
  await sys.exec('rm', '-f', '/run/pstuck-flag');
  await sys.ctl('reset-failed', 'pstuck.path', 'pstuck.service');
  t.equal((await sys.ctl('start', 'pstuck.path')).code, 0, 'reset-failed and start: it watches again');
  t.match(await sys.props('pstuck.path', 'SubState'), { SubState: 'waiting' });
});

t.test('bad path units: no path setting, trigger not loaded', async (t) => {
  t.match(await sys.props('pnone.path', 'LoadState'), { LoadState: 'bad-setting' });
  const none = await sys.ctl('start', 'pnone.path');
  t.not(none.code, 0, 'a path unit without paths does not start');
  const orphan = await sys.ctl('start', 'porphan.path');
  t.not(orphan.code, 0, 'a path unit whose unit is missing refuses to start');
  t.match(await sys.props('porphan.path', 'ActiveState'), { ActiveState: 'inactive' });
  t.match(sys.console(), /porphan\.path: Refusing to start, unit missing\.service to trigger not loaded\./);
});

t.test('stopping a path unit removes its watches', async (t) => {
  t.equal((await sys.ctl('stop', 'pex.path')).code, 0);
  t.match(await sys.props('pex.path', 'ActiveState', 'SubState'), { ActiveState: 'inactive', SubState: 'dead' });
  const before = (await runs('pex')).length;
  await sys.exec('touch', '/run/ptest/sub/flag');
  await sleep(400);
  t.equal((await runs('pex')).length, before, 'nothing runs while the path unit is stopped');
  t.equal((await sys.ctl('start', 'pex.path')).code, 0);
  t.equal((await waitRuns('pex', before + 1)).length, before + 1, 'a true PathExists= fires at once on start');
});

// The pager: on a terminal, systemctl and journalctl put their output through the pager
// systemd 252 would pick, with its environment (LESS, LESSCHARSET, LESSSECURE); not on a
// terminal, or with --no-pager, output goes straight out. The terminal is a real
// pseudo-terminal (script -qc); the pagers are scripts that record how they were run and
// what they read. Where systemd works offline (systemctl --root, --help) the same
// command line runs under systemctl 252 and the recordings must be equal.

import t from 'tap';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { planPager, sessionOwnerUid, type PagerSituation } from '../../src/cli/pager.js';
import { isLocaleUTF8 } from '../../src/cli/locale.js';
import { JournalStore } from '../../src/journal/store.js';
import { OUR_LAUNCHER, REAL_SYSTEMCTL } from './differential.js';

const OUR_JOURNALCTL = resolve(OUR_LAUNCHER, '../journalctl');
const work = mkdtempSync(join(tmpdir(), 'unitd-pager-'));
t.teardown(() => rmSync(work, { recursive: true, force: true }));

// ---- the decision, case by case ----

const situation = (env: NodeJS.ProcessEnv, more: Partial<PagerSituation> = {}): PagerSituation => ({
  env: { TERM: 'xterm', LANG: 'C.UTF-8', ...env },
  onTTY: true,
  euid: 0,
  sessionOwnerUid: undefined,
  ...more,
});

t.test('no terminal, a dumb one, or an empty or "cat" pager: no pager', async (t) => {
  t.equal(planPager(situation({}, { onTTY: false })), undefined);
  t.equal(planPager(situation({ TERM: 'dumb' })), undefined);
  t.equal(planPager({ ...situation({}), env: { LANG: 'C.UTF-8' } }), undefined, 'TERM unset');
  t.equal(planPager(situation({ SYSTEMD_PAGER: '' , PAGER: 'less' })), undefined, 'SYSTEMD_PAGER= wins over PAGER');
  t.equal(planPager(situation({ PAGER: '  cat ' })), undefined);
  t.not(planPager(situation({ PAGER: 'cat -v' })), undefined, '"cat -v" is a pager');
});

t.test('defaults: LESS=FRSXMK (+G for -e), LESSCHARSET from the locale', async (t) => {
  const plan = planPager(situation({ SYSTEMD_PAGERSECURE: 'no' }));
  t.same(plan?.candidates, [['pager'], ['less'], ['more']]);
  t.same(plan?.env, { LESS: 'FRSXMK', LESSCHARSET: 'utf-8', LESSSECURE: undefined });
  t.equal(planPager(situation({ SYSTEMD_PAGERSECURE: 'no' }), { jumpToEnd: true })?.env.LESS, 'FRSXMK +G');
  t.same(planPager(situation({ SYSTEMD_PAGERSECURE: 'no', SYSTEMD_LESS: 'R', SYSTEMD_LESSCHARSET: 'latin1' }))?.env, { LESS: 'R', LESSCHARSET: 'latin1', LESSSECURE: undefined });
});

t.test('secure mode: only less, and $PAGER only when $SYSTEMD_PAGERSECURE was given', async (t) => {
  const inContainer = planPager(situation({ PAGER: 'most -s' }));
  t.same(inContainer?.candidates, [['less']], 'no login session: secure, $PAGER not trusted');
  t.equal(inContainer?.env.LESSSECURE, '1');
  const owner = planPager(situation({ PAGER: 'most -s' }, { sessionOwnerUid: 1000, euid: 1000 }));
  t.same(owner?.candidates, [['pager'], ['less'], ['more']], 'the session owner: not secure, still $PAGER untrusted');
  t.same(planPager(situation({ PAGER: 'most', SUDO_UID: '1000' }, { sessionOwnerUid: 1000, euid: 1000 }))?.candidates, [['less']], 'under sudo');
  t.same(planPager(situation({ PAGER: 'most -s', SYSTEMD_PAGERSECURE: '1' }))?.candidates, [['most', '-s'], ['less']]);
  t.same(planPager(situation({ SYSTEMD_PAGER: 'most', PAGER: 'x', SYSTEMD_PAGERSECURE: 'off' }))?.candidates, [['most'], ['pager'], ['less'], ['more']]);
  const bad = planPager(situation({ SYSTEMD_PAGERSECURE: 'maybe' }));
  t.equal(bad?.env.LESSSECURE, '1');
  t.equal(bad?.warning, 'Unable to parse $SYSTEMD_PAGERSECURE, assuming true: Invalid argument');
});

t.test('the session owner comes from a user-UID.slice in our cgroup', async (t) => {
  t.equal(sessionOwnerUid('0::/user.slice/user-1000.slice/session-3.scope\n'), 1000);
  t.equal(sessionOwnerUid('0::/\n'), undefined);
  t.equal(sessionOwnerUid('0::/system.slice/ssh.service\n'), undefined);
  t.equal(sessionOwnerUid('1:name=systemd:/user.slice/user-7.slice/user@7.service/app.slice\n'), 7, 'the innermost leading slice');
});

t.test('UTF-8 locale as systemd 252 decides it', async (t) => {
  t.ok(isLocaleUTF8({}), 'nothing set');
  t.notOk(isLocaleUTF8({ LANG: 'C' }));
  t.notOk(isLocaleUTF8({ LANG: '' }));
  t.notOk(isLocaleUTF8({ LC_ALL: 'POSIX', LANG: 'C.UTF-8' }));
  t.ok(isLocaleUTF8({ LC_CTYPE: 'de_DE.utf8', LANG: 'C' }));
  t.notOk(isLocaleUTF8({ LANG: 'de_DE.ISO-8859-1' }));
});

// ---- on a pseudo-terminal ----

const bin = join(work, 'bin');
const recordings = join(work, 'rec');
mkdirSync(bin);
// Each pager records its name and arguments, the less variables, then what it read.
const RECORDER = `#!/bin/sh
{ echo "pager: \${0##*/} $*"; echo "LESS=\${LESS-unset}"; echo "LESSSECURE=\${LESSSECURE-unset}"; echo "LESSCHARSET=\${LESSCHARSET-unset}"; echo "---"; cat; } > "${recordings}/$$"
`;
for (const name of ['less', 'pager', 'more', 'custom-pager']) {
  writeFileSync(join(bin, name), RECORDER);
  chmodSync(join(bin, name), 0o755);
}

/** Runs a shell command on a fresh pseudo-terminal; returns what the pagers recorded. */
function onTerminal(command: string, env: Record<string, string>): { recorded: string[]; terminal: string } {
  rmSync(recordings, { recursive: true, force: true });
  mkdirSync(recordings);
  const base: Record<string, string> = { PATH: `${bin}:/usr/bin:/bin`, TERM: 'xterm', LANG: 'C.UTF-8', HOME: work, TZ: 'UTC' };
  const result = spawnSync('script', ['-qec', command, '/dev/null'], { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000, encoding: 'utf8' });
  if (result.error) throw result.error;
  const recorded = readdirSync(recordings).map((name) => readFileSync(join(recordings, name), 'utf8'));
  return { recorded, terminal: result.stdout };
}

// A small root for systemctl --root: the output is the same under both implementations.
const root = join(work, 'root');
for (const name of ['a.service', 'b.service', 'c.socket']) {
  mkdirSync(join(root, 'etc/systemd/system'), { recursive: true });
  writeFileSync(join(root, 'etc/systemd/system', name), `[Unit]\nDescription=${name}\n[Install]\nWantedBy=multi-user.target\n`);
}

const ENVIRONMENTS: Record<string, Record<string, string>> = {
  'no pager variables (secure: less only)': {},
  '$PAGER untrusted in secure mode': { PAGER: 'custom-pager -x' },
  '$SYSTEMD_PAGER trusted with SYSTEMD_PAGERSECURE=0': { SYSTEMD_PAGER: 'custom-pager -a b', PAGER: 'more', SYSTEMD_PAGERSECURE: '0' },
  'SYSTEMD_PAGERSECURE=1 keeps the pager, sets LESSSECURE': { SYSTEMD_PAGER: 'custom-pager', SYSTEMD_PAGERSECURE: '1' },
  'not secure and no pager set: Debian\'s pager first': { SYSTEMD_PAGERSECURE: 'no' },
  'SYSTEMD_LESS and SYSTEMD_LESSCHARSET': { SYSTEMD_LESS: 'XR', SYSTEMD_LESSCHARSET: 'latin1' },
  'C locale: no LESSCHARSET': { LANG: 'C' },
  'SYSTEMD_PAGER=cat: no pager': { SYSTEMD_PAGER: 'cat', SYSTEMD_PAGERSECURE: '0' },
  'TERM=dumb: no pager': { TERM: 'dumb' },
};

/** The recording without the input (systemd colours list-unit-files; the decision is what is compared). */
const header = (recording: string): string => recording.slice(0, recording.indexOf('---\n'));

t.test('systemctl pages as systemctl 252 does (--root list-unit-files, --help)', { skip: !existsSync(REAL_SYSTEMCTL) && 'systemd 252 is not installed' }, async (t) => {
  for (const [what, env] of Object.entries(ENVIRONMENTS)) {
    for (const args of [`--root=${root} list-unit-files`, '--help']) {
      const theirs = onTerminal(`${REAL_SYSTEMCTL} ${args}`, env).recorded.map(header);
      const ours = onTerminal(`${OUR_LAUNCHER} ${args}`, env).recorded.map(header);
      t.same(ours, theirs, `${what}: systemctl ${args.replace(root, 'ROOT')}`);
    }
  }
  const paged = onTerminal(`${OUR_LAUNCHER} --root=${root} list-unit-files`, {}).recorded;
  t.equal(paged.length, 1);
  t.match(paged[0], /---\nUNIT FILE +STATE +PRESET\na\.service +disabled +enabled\n/, 'the pager reads the listing');
});

t.test('no pager with --no-pager, when stdout is not the terminal, or for verbs systemd does not page', async (t) => {
  for (const command of [
    `${OUR_LAUNCHER} --no-pager --root=${root} list-unit-files`,
    `${OUR_LAUNCHER} --root=${root} list-unit-files | cat`,
    `${OUR_LAUNCHER} --root=${root} list-unit-files 2>/dev/null`,
    `${OUR_LAUNCHER} --root=${root} is-enabled a.service`,
    `${OUR_LAUNCHER} --root=${root} get-default`,
  ]) {
    const { recorded, terminal } = onTerminal(command, { SYSTEMD_PAGERSECURE: '0' });
    t.same(recorded, [], command.replace(OUR_LAUNCHER, 'systemctl').replace(root, 'ROOT'));
    t.not(terminal, '', 'the output reached the terminal');
  }
  if (existsSync(REAL_SYSTEMCTL)) {
    t.same(onTerminal(`${REAL_SYSTEMCTL} --root=${root} is-enabled a.service`, {}).recorded, [], 'systemctl 252 does not page is-enabled either');
  }
});

t.test('journalctl pages its output, -e adds +G and implies -b, -f is never paged', async (t) => {
  const dir = join(work, 'journal');
  for (let boot = 0; boot < 2; boot++) {
    const store = new JournalStore({ dir, config: { maxUse: 1 << 30, maxFileSize: 1 << 20, maxFiles: 100 } });
    for (let i = 0; i < 3; i++) store.append({ timestamp: Date.now() * 1000 + boot * 1000 + i, unit: 'a.service', identifier: 'a', pid: 5, priority: 6, message: Buffer.from(`boot ${boot} line ${i}`) });
    await store.close();
  }
  const plain = onTerminal(`${OUR_JOURNALCTL} -D ${dir} -o cat`, {}).recorded;
  t.equal(plain.length, 1);
  t.equal(plain[0], 'pager: less \nLESS=FRSXMK\nLESSSECURE=1\nLESSCHARSET=utf-8\n---\nboot 0 line 0\nboot 0 line 1\nboot 0 line 2\nboot 1 line 0\nboot 1 line 1\nboot 1 line 2\n');
  const end = onTerminal(`${OUR_JOURNALCTL} -D ${dir} -o cat -e`, {}).recorded;
  t.equal(end[0], 'pager: less \nLESS=FRSXMK +G\nLESSSECURE=1\nLESSCHARSET=utf-8\n---\nboot 1 line 0\nboot 1 line 1\nboot 1 line 2\n', '-e: +G and only this boot');
  t.match(onTerminal(`${OUR_JOURNALCTL} -D ${dir} --list-boots`, {}).recorded[0], /---\nIDX BOOT ID/);
  const follow = onTerminal(`timeout -s INT 3 ${OUR_JOURNALCTL} -D ${dir} -o cat -f -n 1; true`, {});
  t.same(follow.recorded, [], '-f: no pager');
  t.match(follow.terminal, /boot 1 line 2/);
  const noPager = onTerminal(`${OUR_JOURNALCTL} -D ${dir} -o cat --no-pager`, {});
  t.same(noPager.recorded, []);
  t.match(noPager.terminal, /boot 0 line 0/);
  const missing = onTerminal(`${OUR_JOURNALCTL} -D ${dir} -b -5; true`, {});
  t.same(missing.recorded, [], 'a refusal before any output is not paged');
  t.match(missing.terminal, /Data from the specified boot \(-5\) is not available/);
});

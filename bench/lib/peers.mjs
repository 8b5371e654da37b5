// Starting each init (unitd, systemd, supervisord, tini, dumb-init) as PID 1 in its own PID and mount
// namespace, with the same services, and tearing it down by PID.
//
//   const sys = await launch('unitd', work, [{ name: 'a', argv: [...], enabled: true }]);
//   sys.pid            host PID of the namespace's PID 1
//   await sys.exited   { code, signal, at }   (at: wall clock ms when unshare saw PID 1 end)
//   sys.ctl(...args)   argv of the peer's own control client run inside the namespace
//   sys.clientEnv      environment a client inside the namespace needs to see the units PID 1 loaded
//   await sys.kill()   SIGKILL to PID 1: the kernel kills everything else in the namespace
//
// Every init gets the same root: an overlay of / with a tmpfs upper layer (lib/ns-root.sh), so nothing it
// writes reaches the host. Services see the work dir at the same path as the host (a bind mount), so the
// marks they write land where the bench reads them. Every namespace started here is killed at process exit.

import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const REPO = resolve(BENCH, '..');
export const FIXTURES = join(BENCH, 'fixtures');
const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Wall clock in ms with sub-ms precision, comparable with the services' $EPOCHREALTIME. */
export const now = () => performance.timeOrigin + performance.now();
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const live = new Set();
function killAll() {
  for (const pid of live) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    killAll();
    process.exit(130);
  });
}

/** Which peers can run multiple services, and how they stop. */
export const PEERS = {
  unitd: { multi: true, stopSignal: 'SIGTERM' },
  // systemd as PID 1 treats SIGTERM as "re-execute"; containers stop it with SIGRTMIN+3 (halt), as docker's STOPSIGNAL does.
  systemd: { multi: true, stopSignal: 37 /* SIGRTMIN+3 */ },
  supervisord: { multi: true, stopSignal: 'SIGTERM' },
  tini: { multi: false, stopSignal: 'SIGTERM' },
  'dumb-init': { multi: false, stopSignal: 'SIGTERM' },
};

function which(bin) {
  for (const dir of PATH.split(':')) if (existsSync(join(dir, bin))) return join(dir, bin);
  return undefined;
}

/** Why a peer cannot run here, or undefined. */
export function unavailable(peer) {
  if (process.getuid?.() !== 0) return 'needs root (namespaces)';
  switch (peer) {
    case 'unitd':
      return existsSync(join(REPO, 'dist/manager/main.js')) ? undefined : 'not built (npm run build)';
    case 'systemd':
      return existsSync('/lib/systemd/systemd') ? undefined : 'systemd not installed';
    case 'supervisord':
      return which('supervisord') ? undefined : 'supervisor not installed';
    default:
      return which(peer) ? undefined : `${peer} not installed`;
  }
}

/**
 * A service: { name, argv, type?: 'simple'|'notify'|'oneshot', restart?: 'no'|'on-failure'|'always',
 * restartMs?: number, stopTimeoutS?: number, enabled?: boolean (default true) }; or any unit as
 * written, for the systemd-like peers only: { file: 'x.socket', text, enabled? }.
 */
const fileName = (s) => s.file ?? `${s.name}.service`;
const unitText = (s) => s.text ?? unitFile(s);

function unitFile(s) {
  const lines = ['[Unit]', `Description=bench ${s.name}`, 'StartLimitIntervalSec=0', '', '[Service]'];
  lines.push(`Type=${s.type ?? 'simple'}`);
  if (s.type === 'oneshot') lines.push('RemainAfterExit=yes');
  if (s.type === 'notify') lines.push('NotifyAccess=main');
  lines.push(`ExecStart=${s.argv.join(' ')}`);
  if (s.restart) lines.push(`Restart=${s.restart}`, `RestartSec=${s.restartMs ?? 100}ms`);
  lines.push(`TimeoutStopSec=${s.stopTimeoutS ?? 90}s`);
  return lines.join('\n') + '\n';
}

function supervisorConf(work, services) {
  const sup = join(work, 'supervisor');
  mkdirSync(sup, { recursive: true });
  const out = [
    '[supervisord]',
    'nodaemon=true',
    `logfile=${sup}/supervisord.log`,
    `pidfile=${sup}/supervisord.pid`,
    `childlogdir=${sup}`,
    'loglevel=warn',
    '[unix_http_server]',
    `file=${sup}/s.sock`,
    '[rpcinterface:supervisor]',
    'supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface',
    '[supervisorctl]',
    `serverurl=unix://${sup}/s.sock`,
  ];
  for (const s of services) {
    out.push(
      `[program:${s.name}]`,
      `command=${s.argv.join(' ')}`,
      `autostart=${s.enabled === false ? 'false' : 'true'}`,
      'startsecs=0',
      'startretries=1000000',
      // The closest match of Restart=: supervisord has no RestartSec (it restarts at once).
      `autorestart=${s.restart === 'always' ? 'true' : s.restart === 'on-failure' ? 'unexpected' : 'false'}`,
      'exitcodes=0',
      `stopwaitsecs=${s.stopTimeoutS ?? 10}`,
      // Like KillMode=control-group: the whole process group gets the signal.
      'stopasgroup=true',
      'killasgroup=true',
      'stdout_logfile=NONE',
      'stderr_logfile=NONE',
    );
  }
  writeFileSync(join(sup, 'supervisord.conf'), out.join('\n') + '\n');
  return join(sup, 'supervisord.conf');
}

const UNSHARE = ['unshare', '--pid', '--fork', '--mount', '--propagation', 'private'];
/** The wrapper that gives an init its overlay root and execs it as PID 1 (see ns-root.sh). */
/** Run a command inside a namespace: its mounts, PIDs, root and working directory. */
export const nsenter = (pid) => ['nsenter', '-t', String(pid), '-m', '-p', '-r', '-w', '--'];
const root = (work) => ['bash', join(BENCH, 'lib/ns-root.sh'), work, 'exec'];

function childOf(parent) {
  try {
    const c = readFileSync(`/proc/${parent}/task/${parent}/children`, 'utf8').trim().split(/\s+/)[0];
    return c ? Number(c) : undefined;
  } catch {
    return undefined;
  }
}

/** Resident set size of a process in KiB (VmRSS; field: RssAnon for its anonymous part), or undefined when it is gone. */
export function rssKiB(pid, field = 'VmRSS') {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** How many children of a process (all its threads) are zombies (state Z) right now. */
export function zombieCount(pid) {
  let n = 0;
  try {
    for (const t of readdirSync(`/proc/${pid}/task`)) {
      for (const c of readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim().split(/\s+/)) {
        if (!c) continue;
        try {
          const stat = readFileSync(`/proc/${c}/stat`, 'utf8');
          if (stat[stat.lastIndexOf(')') + 2] === 'Z') n++;
        } catch {
          /* reaped meanwhile */
        }
      }
    }
  } catch {
    /* gone */
  }
  return n;
}

/** Number of children of a process (all its threads), zombies included until reaped. */
export function childCount(pid) {
  let n = 0;
  try {
    for (const t of readdirSync(`/proc/${pid}/task`)) {
      const c = readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim();
      if (c) n += c.split(/\s+/).length;
    }
  } catch {
    /* gone */
  }
  return n;
}

/**
 * Start PEER as PID 1 with SERVICES. For tini and dumb-init, `single` is the one program they run.
 * Resolves once PID 1 exists (not when services run: callers wait on marks for that).
 * `t0` is the wall clock just before unshare is spawned. `env`: more environment for PID 1.
 */
export async function launch(peer, work, services, { single, env: extraEnv } = {}) {
  const consoleFd = openSync(join(work, `console-${peer}.log`), 'a');
  const env = { PATH, LANG: 'C.UTF-8', HOME: '/root', ...extraEnv };
  let argv;
  let ctl;
  let clientEnv = {};
  if (peer === 'unitd') {
    const dir = join(work, 'units');
    mkdirSync(join(dir, 'multi-user.target.wants'), { recursive: true });
    writeFileSync(join(dir, 'multi-user.target'), '[Unit]\nDescription=Multi-User System\n');
    symlinkSync('multi-user.target', join(dir, 'default.target'));
    for (const s of services) {
      writeFileSync(join(dir, fileName(s)), unitText(s));
      if (s.enabled !== false) symlinkSync(join(dir, fileName(s)), join(dir, 'multi-user.target.wants', fileName(s)));
    }
    Object.assign(env, { SYSTEMD_UNIT_PATH: dir, UNITD_LOG_LEVEL: 'warn' });
    // Unit-file verbs (is-enabled) read the files in the client, as systemctl does.
    clientEnv = { SYSTEMD_UNIT_PATH: dir };
    // The launcher as the image runs it, so its node flags (heap and semi-space limits) apply.
    argv = [...UNSHARE, ...root(work), `${REPO}/init/unitd`];
    // The launcher as users run it (/usr/bin/systemctl links to it): its sh prelude takes the
    // native fast path for is-active/is-failed/is-system-running (init/probe.sh).
    ctl = (pid, args) => [...nsenter(pid), `${REPO}/init/systemctl`, ...args];
  } else if (peer === 'systemd') {
    const dir = join(work, 'sdunits');
    mkdirSync(dir, { recursive: true });
    for (const s of services) writeFileSync(join(dir, fileName(s)), unitText(s));
    const enable = services.filter((s) => s.enabled !== false).map(fileName);
    // The namespaces systemd-oracle.sh gives systemd.
    argv = [...UNSHARE, '--uts', '--ipc', '--net', '--cgroup', 'bash', join(BENCH, 'lib/ns-root.sh'), work, 'systemd', dir, ...enable];
    ctl = (pid, args) => [...nsenter(pid), 'systemctl', ...args];
  } else if (peer === 'supervisord') {
    const conf = supervisorConf(work, services);
    argv = [...UNSHARE, ...root(work), 'supervisord', '-n', '-c', conf];
    ctl = (pid, args) => [...nsenter(pid), 'supervisorctl', '-c', conf, ...args];
  } else {
    if (!single) throw new Error(`${peer} runs one program: pass { single }`);
    // tini -g: forward signals to the child's process group, as dumb-init does by default.
    argv = [...UNSHARE, ...root(work), ...(peer === 'tini' ? ['tini', '-g', '--'] : ['dumb-init', '--']), ...single];
    ctl = () => undefined;
  }
  const t0 = now();
  const child = spawn(argv[0], argv.slice(1), { env, stdio: ['ignore', consoleFd, consoleFd] });
  closeSync(consoleFd);
  const exited = new Promise((r) => child.on('exit', (code, signal) => r({ code, signal, at: now() })));
  let done = false;
  void exited.then(() => (done = true));
  let pid;
  const until = Date.now() + 5000;
  while (pid === undefined && !done && Date.now() < until) {
    pid = childOf(child.pid);
    if (pid === undefined) await sleep(1);
  }
  if (pid === undefined) {
    child.kill('SIGKILL');
    throw new Error(`${peer}: PID 1 did not appear (see ${work}/console-${peer}.log)`);
  }
  live.add(pid);
  const sys = {
    peer,
    pid,
    t0,
    exited,
    clientEnv,
    ctl: (...args) => ctl(pid, args),
    signal(sig) {
      try {
        process.kill(pid, sig);
      } catch {
        /* gone */
      }
    },
    async kill() {
      if (!done) {
        sys.signal('SIGKILL');
        await Promise.race([exited, sleep(5000)]);
      }
      if (!done) child.kill('SIGKILL');
      live.delete(pid);
    },
  };
  return sys;
}

/** Parse the marks file: [{ name, what, at (ms) }]. */
export function readMarks(file) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const out = [];
  for (const line of text.split('\n')) {
    const [name, what, t] = line.split(' ');
    if (t) out.push({ name, what, at: Number(t.replace(',', '.')) * 1000 });
  }
  return out;
}

/** Poll until predicate(marks) is truthy or the time is up; returns the predicate's value or undefined. */
export async function waitMarks(file, predicate, timeoutMs, everyMs = 2) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = predicate(readMarks(file));
    if (v) return v;
    if (Date.now() > end) return undefined;
    await sleep(everyMs);
  }
}

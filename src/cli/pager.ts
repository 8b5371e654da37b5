// The pager systemctl and journalctl put their output through on a terminal, chosen and
// set up as systemd 252's pager_open() does (see systemctl(1), ENVIRONMENT):
// - only when stdout and stderr are both terminals and TERM is set and not "dumb";
// - $SYSTEMD_PAGER, else $PAGER, split on whitespace; empty or exactly "cat" means no pager;
// - the pager gets LESS=$SYSTEMD_LESS (default "FRSXMK", plus " +G" for journalctl -e),
//   LESSCHARSET=$SYSTEMD_LESSCHARSET (or utf-8 in a UTF-8 locale), and LESSSECURE=1 in
//   secure mode;
// - secure mode is $SYSTEMD_PAGERSECURE when set; unset, it is on when $SUDO_UID is set or
//   the caller is not the owner of a login session (always so in a container: no
//   user-UID.slice), and then only `less` may page; the $SYSTEMD_PAGER/$PAGER command is
//   trusted only when $SYSTEMD_PAGERSECURE was given explicitly;
// - candidates are tried in turn: that command, then `pager` (Debian's alternative),
//   `less`, `more`; when none runs, output goes to the terminal unchanged (systemd's
//   built-in fallback copies it as it is).
// Both stdout and stderr go into the pager while it runs, as systemd redirects both.

import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Writable } from 'node:stream';
import { parseBoolean } from '../units/values/boolean.js';
import { isTerminal, type CliIO } from './io.js';
import { isLocaleUTF8 } from './locale.js';

/** node:child_process (with net and streams) costs every client start about 3 ms; only a pager that starts needs it. */
const requireBuiltin = createRequire(import.meta.url);

export interface PagerFlags {
  /** journalctl -e: start at the end (less's +G). */
  jumpToEnd?: boolean;
}

/** What pager_open() looks at, gathered once so the decision is a pure function. */
export interface PagerSituation {
  env: NodeJS.ProcessEnv;
  /** stdout and stderr are both terminals (systemd's on_tty()). */
  onTTY: boolean;
  euid: number;
  /** The login session owner's UID from our cgroup (sd_pid_get_owner_uid()), if any. */
  sessionOwnerUid: number | undefined;
}

export interface PagerPlan {
  /** Commands tried in turn; the first that starts is the pager. */
  candidates: string[][];
  /** Set (a string) or removed (undefined) in the pager's environment. */
  env: Record<string, string | undefined>;
  /** Printed on stderr before the pager starts (systemd's child logs it to the terminal). */
  warning?: string;
}

const DEFAULT_LESS = 'FRSXMK';
/** Only less implements secure mode (LESSSECURE=1); the others are skipped then. */
const FALLBACK_PAGERS = ['pager', 'less', 'more'] as const;

/** systemd's terminal_is_dumb(): no terminal, or TERM unset or "dumb". */
function terminalIsDumb(s: PagerSituation): boolean {
  return !s.onTTY || s.env.TERM === undefined || s.env.TERM === 'dumb';
}

/** The pager to run, or undefined when output goes straight to stdout. */
export function planPager(s: PagerSituation, flags: PagerFlags = {}): PagerPlan | undefined {
  if (terminalIsDumb(s)) return undefined;
  const configured = s.env.SYSTEMD_PAGER ?? s.env.PAGER;
  const userCommand = configured === undefined ? undefined : configured.split(/[ \t\n\r]+/).filter((word) => word !== '');
  // An explicitly empty pager, or plain "cat", turns paging off.
  if (userCommand !== undefined && (userCommand.length === 0 || (userCommand.length === 1 && userCommand[0] === 'cat'))) return undefined;

  let less = s.env.SYSTEMD_LESS ?? DEFAULT_LESS;
  if (flags.jumpToEnd) less += ' +G';

  let warning: string | undefined;
  let secure: boolean;
  const explicit = s.env.SYSTEMD_PAGERSECURE;
  if (explicit === undefined) secure = runningWithEscalatedPrivileges(s);
  else {
    const parsed = parseBoolean(explicit);
    secure = parsed.ok ? parsed.value : true;
    if (!parsed.ok) warning = 'Unable to parse $SYSTEMD_PAGERSECURE, assuming true: Invalid argument';
  }
  // A globally configured $PAGER may not suit secure mode: only an explicit
  // $SYSTEMD_PAGERSECURE says the user thought about it.
  const candidates: string[][] = [];
  if (explicit !== undefined && userCommand !== undefined) candidates.push(userCommand);
  for (const name of FALLBACK_PAGERS) if (!secure || name === 'less') candidates.push([name]);

  const charset = s.env.SYSTEMD_LESSCHARSET ?? (isLocaleUTF8(s.env) ? 'utf-8' : undefined);
  return {
    candidates,
    env: { LESS: less, ...(charset !== undefined ? { LESSCHARSET: charset } : {}), LESSSECURE: secure ? '1' : undefined },
    ...(warning !== undefined ? { warning } : {}),
  };
}

function runningWithEscalatedPrivileges(s: PagerSituation): boolean {
  if (s.env.SUDO_UID !== undefined) return true;
  return s.sessionOwnerUid === undefined || s.sessionOwnerUid !== s.euid;
}

/**
 * sd_pid_get_owner_uid(0): the UID in the innermost user-UID.slice of the leading run of
 * slices in our cgroup path (unified hierarchy, else name=systemd).
 */
export function sessionOwnerUid(procSelfCgroup: string): number | undefined {
  const lines = procSelfCgroup.split('\n');
  const line = lines.find((l) => l.startsWith('0::')) ?? lines.find((l) => l.includes(':name=systemd:'));
  if (line === undefined) return undefined;
  const path = line.slice(line.indexOf(':', line.indexOf(':') + 1) + 1);
  let slice: string | undefined;
  for (const part of path.split('/').filter((p) => p !== '')) {
    if (!part.endsWith('.slice')) break;
    slice = part;
  }
  const uid = slice === undefined ? undefined : /^user-(\d+)\.slice$/.exec(slice)?.[1];
  return uid === undefined ? undefined : Number(uid);
}

export function processPagerSituation(): PagerSituation {
  let cgroup = '';
  try {
    cgroup = readFileSync('/proc/self/cgroup', 'utf8');
  } catch {
    // no /proc: no session, so secure mode
  }
  return {
    env: process.env,
    onTTY: isTerminal(1) && isTerminal(2),
    euid: process.geteuid?.() ?? 0,
    sessionOwnerUid: sessionOwnerUid(cgroup),
  };
}

/** A running pager: write into it, then close() to let it show the rest and wait for it. */
export class Pager {
  private gone = false;
  private readonly exited: Promise<void>;
  private readonly keepInterrupts = (): void => {};

  private constructor(
    private readonly child: ChildProcess,
    private readonly input: Writable,
    ignoreInterrupts: boolean,
  ) {
    this.exited = new Promise((resolve) => child.once('close', () => resolve()));
    // The user quitting the pager closes the pipe: stop writing, quietly.
    input.on('error', () => {
      this.gone = true;
    });
    child.once('exit', () => {
      this.gone = true;
    });
    // less without K ignores Ctrl-C to stop reading; systemd then ignores it too so that
    // the output is not cut short behind the pager's back.
    if (ignoreInterrupts) process.on('SIGINT', this.keepInterrupts);
  }

  /** Starts the first candidate that runs, or returns undefined (no pager: write to stdout). */
  static open(plan: PagerPlan | undefined): Pager | undefined {
    if (plan === undefined) return undefined;
    if (plan.warning !== undefined) process.stderr.write(plan.warning + '\n');
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const [key, value] of Object.entries(plan.env)) {
      if (value === undefined) delete env[key];
      else env[key] = value;
    }
    const { spawn } = requireBuiltin('node:child_process') as typeof import('node:child_process');
    for (const [file, ...args] of plan.candidates) {
      const child = spawn(file, args, { stdio: ['pipe', 'inherit', 'inherit'], env });
      if (child.pid === undefined || child.stdin === null) {
        child.once('error', () => {}); // the next candidate is tried instead
        continue;
      }
      // systemd's no_quit_on_interrupt(): only a pager run as plain "less" without K.
      const interruptsQuitLess = (plan.env.LESS ?? '').includes('K');
      return new Pager(child, child.stdin, file === 'less' && !interruptsQuitLess);
    }
    return undefined;
  }

  closed(): boolean {
    return this.gone;
  }

  /** Writes and resolves when the pipe has room again (journalctl's backpressure). */
  write(chunk: string | Buffer): Promise<void> {
    if (this.gone) return Promise.resolve();
    if (this.input.write(chunk)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.input.off('drain', done);
        clearInterval(poll);
        resolve();
      };
      // The pager may exit without draining: stop waiting then.
      const poll = setInterval(() => this.gone && done(), 100);
      this.input.on('drain', done);
    });
  }

  /** pager_close(): end its input, wake it if stopped, and wait until the user leaves it. */
  async close(): Promise<void> {
    this.input.end();
    this.child.kill('SIGCONT');
    await this.exited;
    process.off('SIGINT', this.keepInterrupts);
  }
}

/** Opens the pager for this process when systemd would (not with --no-pager). */
export function openPager(noPager: boolean, flags: PagerFlags = {}): Pager | undefined {
  if (noPager) return undefined;
  return Pager.open(planPager(processPagerSituation(), flags));
}

/** systemctl's line-oriented output, both streams into the pager as systemd's dup2() does. */
export function pagedIO(pager: Pager): CliIO {
  return {
    out: (line) => void pager.write(line + '\n'),
    err: (line) => void pager.write(line + '\n'),
  };
}

// journald's forwarding to this machine (journald.conf(5)): ForwardToKMsg= writes entries to
// the kernel log, ForwardToConsole= to a terminal (TTYPath=), ForwardToWall= to the terminal
// of every logged-in user, each filtered by its MaxLevel*=, in systemd 252's formats
// (journald-kmsg.c, journald-console.c, journald-wall.c). Like syslog-forward.ts, nothing here
// may block the journal: terminals are opened non-blocking and a message they cannot take at
// once is dropped, where journald would wait.

import { closeSync, constants, openSync, readFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { isatty } from 'node:tty';
import { strerror } from '../units/values/errno.js';
import { formatTimestamp } from '../units/values/timestamp.js';
import type { JournalConfig } from './config.js';
import type { JournalEntry } from './entry.js';

/** The kernel log device journald writes to. */
export const KMSG_PATH = '/dev/kmsg';
/** glibc's _PATH_UTMP (/var/run is /run). */
export const UTMP_PATH = '/run/utmp';

/** LOG_USER: the journal keeps no facility; journald never lets kern (0) reach /dev/kmsg either. */
const FACILITY_USER = 1;
const WRITE_FLAGS = constants.O_WRONLY | constants.O_NOCTTY | constants.O_NONBLOCK; // libuv adds O_CLOEXEC itself

export interface LocalForwardOptions {
  kmsgPath?: string;
  utmpPath?: string;
  /** One line when a forward cannot work here (no /dev/kmsg), said once. */
  warn?: (message: string) => void;
  /** CLOCK_MONOTONIC in ns, for the console's `[  12.345678] ` prefix. */
  monotonicNs?: () => bigint;
  /** Whether the kernel prefixes its own lines with a time (/sys/module/printk/parameters/time). */
  printkTime?: boolean;
}

type ForwardConfig = Pick<
  JournalConfig,
  'forwardToKMsg' | 'forwardToConsole' | 'forwardToWall' | 'maxLevelKMsg' | 'maxLevelConsole' | 'maxLevelWall' | 'ttyPath'
>;

/** `IDENT[PID]: `, naming the process by its comm when it gave no identifier (as journald). */
function sender(entry: JournalEntry): string {
  let ident = entry.identifier;
  if (ident === '' && entry.pid > 0) {
    try {
      ident = readFileSync(`/proc/${entry.pid}/comm`, 'utf8').trimEnd();
    } catch {
      // gone already: the pid alone
    }
  }
  return `${ident}[${entry.pid}]: `;
}

export class LocalForwarder {
  private kmsgFd: number | undefined;
  private readonly printkTime: boolean;
  private readonly monotonicNs: () => bigint;
  private readonly utmpPath: string;
  forwarded = { kmsg: 0, console: 0, wall: 0 };
  /** /dev/kmsg was tried (opened or refused): never again. */
  private kmsgTried = false;

  constructor(
    private readonly config: ForwardConfig,
    private readonly options: LocalForwardOptions = {},
  ) {
    this.utmpPath = options.utmpPath ?? UTMP_PATH;
    this.monotonicNs = options.monotonicNs ?? (() => process.hrtime.bigint());
    this.printkTime = options.printkTime ?? readPrintkTime();
    if (config.forwardToKMsg) this.openKmsg();
  }

  /** server_open_dev_kmsg(): opened once; a container without a writable /dev/kmsg says so once. */
  private openKmsg(): number | undefined {
    if (this.kmsgTried) return this.kmsgFd;
    this.kmsgTried = true;
    const path = this.options.kmsgPath ?? KMSG_PATH;
    try {
      this.kmsgFd = openSync(path, WRITE_FLAGS);
    } catch (err) {
      this.options.warn?.(`Failed to open ${path}, ignoring: ${errorText(err)}`);
    }
    return this.kmsgFd;
  }

  /** Whether any forward is on, so the journal can skip this object entirely. */
  static wanted(config: ForwardConfig): boolean {
    return config.forwardToKMsg || config.forwardToConsole || config.forwardToWall;
  }

  /** journald.conf's ForwardTo*=, or a stdout stream's own flags (entry.forward) for kmsg and console. */
  forward(entry: JournalEntry): void {
    const level = entry.priority & 7;
    if ((this.config.forwardToKMsg || entry.forward?.kmsg) && level <= this.config.maxLevelKMsg) {
      const fd = this.openKmsg();
      if (fd !== undefined) this.toKmsg(fd, entry, level);
    }
    if ((this.config.forwardToConsole || entry.forward?.console) && level <= this.config.maxLevelConsole) this.toConsole(entry);
    if (this.config.forwardToWall && level <= this.config.maxLevelWall) this.toWall(entry);
  }

  close(): void {
    if (this.kmsgFd !== undefined) closeSync(this.kmsgFd);
    this.kmsgFd = undefined;
  }

  /** server_forward_kmsg(): `<PRI>IDENT[PID]: MESSAGE`, one write per record. */
  private toKmsg(fd: number, entry: JournalEntry, level: number): void {
    const record = Buffer.concat([Buffer.from(`<${FACILITY_USER * 8 + level}>${sender(entry)}`), entry.message]);
    try {
      writeSync(fd, record);
      this.forwarded.kmsg++;
    } catch {
      // the kernel's rate limit or a full buffer: journald drops it too
    }
  }

  /**
   * server_forward_console(): `[ SSSSS.UUUUUU] IDENT[PID]: MESSAGE\n` (the time only when the
   * kernel stamps its own lines), opened for each message so the terminal never becomes ours.
   */
  private toConsole(entry: JournalEntry): void {
    let prefix = '';
    if (this.printkTime) {
      const ns = this.monotonicNs();
      const seconds = String(ns / 1_000_000_000n).padStart(5, ' ');
      const micros = String((ns % 1_000_000_000n) / 1000n).padStart(6, '0');
      prefix = `[${seconds}.${micros}] `;
    }
    const text = Buffer.concat([Buffer.from(prefix + sender(entry)), entry.message, Buffer.from('\n')]);
    if (writeTerminal(this.config.ttyPath, text)) this.forwarded.console++;
  }

  /** server_forward_wall() through utmp_wall(): the broadcast banner to each USER_PROCESS tty. */
  private toWall(entry: JournalEntry): void {
    const ttys = loggedInTerminals(this.utmpPath);
    if (ttys.length === 0) return;
    const stamp = formatTimestamp(Date.now() * 1000);
    const text = Buffer.concat([
      Buffer.from(`\r\nBroadcast message from systemd-journald@${hostname()} (${stamp}):\r\n\r\n${sender(entry)}`),
      entry.message,
      Buffer.from('\r\n\r\n'),
    ]);
    for (const tty of ttys) if (writeTerminal(tty, text)) this.forwarded.wall++;
  }
}

/** open_terminal() + write: false when it is no terminal, cannot be opened, or would block. */
function writeTerminal(path: string, text: Buffer): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, WRITE_FLAGS);
    if (!isatty(fd)) return false;
    writeSync(fd, text);
    return true;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** struct utmp (x86_64 and aarch64 glibc): 384 bytes; ut_type at 0, ut_line[32] at 8, ut_user[32] at 44. */
const UTMP_RECORD = 384;
const USER_PROCESS = 7;

/** The terminals of utmp's USER_PROCESS records with a user, as /dev paths. */
export function loggedInTerminals(utmpPath: string): string[] {
  let data: Buffer;
  try {
    data = readFileSync(utmpPath);
  } catch {
    return [];
  }
  const field = (offset: number, length: number): string => {
    const raw = data.subarray(offset, offset + length);
    const end = raw.indexOf(0);
    return raw.subarray(0, end < 0 ? length : end).toString('latin1');
  };
  const ttys: string[] = [];
  for (let at = 0; at + UTMP_RECORD <= data.length; at += UTMP_RECORD) {
    if (data.readInt16LE(at) !== USER_PROCESS || field(at + 44, 32) === '') continue;
    const line = field(at + 8, 32);
    if (line !== '') ttys.push(line.startsWith('/dev/') ? line : `/dev/${line}`);
  }
  return ttys;
}

function readPrintkTime(): boolean {
  try {
    return /^[Yy1]/.test(readFileSync('/sys/module/printk/parameters/time', 'utf8'));
  } catch {
    return false;
  }
}

function errorText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e.code ? strerror(e.code) : e.message;
}

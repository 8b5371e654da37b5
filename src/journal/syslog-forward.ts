// journald's ForwardToSyslog=: every journal entry is also sent, as BSD syslog, to the socket a
// syslog daemon gets from syslog.socket (/run/systemd/journal/syslog), so rsyslog's files fill
// as under systemd while /dev/log stays the journal's. Never blocks the journal: a socket nobody
// reads is tried again once a second at most, and a full queue drops the message, as journald does.

import { existsSync } from 'node:fs';
import { sendDatagram } from '../native/index.js';
import type { JournalEntry } from './entry.js';

/** syslog.socket's ListenDatagram= (systemd's syslog.socket; rsyslog takes it via LISTEN_FDS). */
export const JOURNAL_SYSLOG_SOCKET = '/run/systemd/journal/syslog';

/** LOG_USER: the journal keeps no facility, and user is syslog(3)'s default. */
const FACILITY_USER = 1;
const RECHECK_MS = 1000;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export interface SyslogForwarderOptions {
  path?: string;
  send?: (path: string, data: Buffer) => void;
  nowMs?: () => number;
}

export class SyslogForwarder {
  private readonly path: string;
  private readonly send: (path: string, data: Buffer) => void;
  private readonly nowMs: () => number;
  /** Nobody reads the socket until then: skip without a system call. */
  private quietUntil = 0;
  /** The last send found no socket file: until one appears, a stat (0.6 µs) stands in for a
   * failed send (13 µs with its exception), so a flood of lines with no syslog daemon costs
   * nothing, and the first entry after syslog.socket appears still goes through. */
  private missing = false;
  forwarded = 0;
  dropped = 0;

  constructor(options: SyslogForwarderOptions = {}) {
    this.path = options.path ?? JOURNAL_SYSLOG_SOCKET;
    this.send = options.send ?? sendDatagram;
    this.nowMs = options.nowMs ?? Date.now;
  }

  forward(entry: JournalEntry): void {
    if (this.quietUntil > 0 && this.nowMs() < this.quietUntil) return;
    if (this.missing) {
      if (!existsSync(this.path)) return;
      this.missing = false;
    }
    try {
      this.send(this.path, formatSyslog(entry));
      this.quietUntil = 0;
      this.forwarded++;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN' || code === 'ENOBUFS') this.dropped++;
      // A socket file nobody reads (the syslog daemon stopped): look again in a second. No file
      // at all: syslog.socket may appear any moment, so look for it before each entry.
      else if (code === 'ECONNREFUSED') this.quietUntil = this.nowMs() + RECHECK_MS;
      else if (code === 'ENOENT') this.missing = true;
    }
  }
}

/** `<PRI>Mmm dd hh:mm:ss IDENT[PID]: MESSAGE`, as journald's server_forward_syslog() writes it. */
export function formatSyslog(entry: JournalEntry): Buffer {
  const d = new Date(Math.floor(entry.timestamp / 1000));
  const two = (n: number) => String(n).padStart(2, '0');
  const stamp = `${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
  const ident = entry.identifier !== '' ? `${entry.identifier}[${entry.pid}]: ` : '';
  return Buffer.concat([Buffer.from(`<${FACILITY_USER * 8 + (entry.priority & 7)}>${stamp} ${ident}`), entry.message]);
}

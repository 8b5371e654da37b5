// The journal as PID 1 runs it: the store plus console forwarding as the manager's log sink,
// the /dev/log and /run/systemd/journal/socket receivers, and one line on the console (and a
// record) when writing starts failing or recovers, so a full disk is visible in `docker logs`
// without a line per lost record. main.ts calls openDaemonJournal() once and close() at exit.

import { Journal, type JournalOptions } from './journal.js';
import { JOURNAL_IDENTIFIER, type WriteState } from './store.js';
import { lstatSync } from 'node:fs';
import { dirname } from 'node:path';
import { writableOrCreatable } from '../control/paths.js';
import { NATIVE_JOURNAL_SOCKET, SYSLOG_SOCKET, SyslogReceiver } from './syslog.js';
import { nowMicros } from './entry.js';
import { STDOUT_STREAM_SOCKET, StreamServer } from './stream-socket.js';
import { publishBootId } from './boots.js';
import type { LogSender } from '../native/index.js';

/** Where the daemon reports journal trouble: a console line, and its own log. */
export interface JournalReporter {
  console(line: string): void;
  warn(message: string, details?: Record<string, unknown>): void;
  /** As warn(), for a message console() has already shown in its own words. */
  warnShown?(message: string, details?: Record<string, unknown>): void;
}

export interface DaemonJournal {
  readonly journal: Journal;
  /** Binds /dev/log and /run/systemd/journal/socket; `unitForSender` attributes senders. */
  serveSyslog(unitForSender: (sender: LogSender) => string | undefined): void;
  /** Binds /run/systemd/journal/stdout (systemd-cat, sd_journal_stream_fd); `unitForSender` attributes clients as they connect. */
  serveStreams(unitForSender: (sender: LogSender) => string | undefined): void;
  /** Unbinds the sockets (removing their files) and writes out what is queued. */
  close(timeoutMs?: number): Promise<void>;
  /** Log sockets left out because a non-root manager may not create them (/dev/log, /run/systemd/journal/*). */
  readonly unserved: readonly string[];
}

export function openDaemonJournal(reporter: JournalReporter, options: JournalOptions = {}): DaemonJournal {
  // The store is created before the journal object exists, so its state callback reaches the
  // journal through this variable.
  let journal: Journal | undefined;
  const warnShown = (message: string, details: Record<string, unknown>) =>
    reporter.warnShown ? reporter.warnShown(message, details) : reporter.warn(message, details);
  const onWriteStateChange = (state: WriteState) => {
    const dir = journal?.store.dir ?? '';
    if (!state.ok) {
      reporter.console(`unitd: journal: writing to ${dir} failed (${state.error.message}); lines are dropped and counted until it works again.`);
      warnShown('journal writing failed', { dir, error: state.error.message });
      return;
    }
    const message = `journal: writing to ${dir} works again; ${state.droppedWhileFailing} lines were dropped meanwhile.`;
    reporter.console(`unitd: ${message}`);
    warnShown('journal writing recovered', { dir, dropped: state.droppedWhileFailing });
    journal?.append(
      { timestamp: nowMicros(), unit: '', identifier: JOURNAL_IDENTIFIER, pid: process.pid, priority: 4, message: Buffer.from(message), transport: 'driver' },
      { console: false },
    );
  };
  const onVolatileFallback = (from: string, to: string, error: Error) => {
    const reason = (error as NodeJS.ErrnoException).code === 'EROFS' ? 'read-only file system' : error.message;
    reporter.console(`unitd: journal: ${from} is not writable (${reason}); logging to the volatile ${to} instead.`);
    warnShown('journal falls back to volatile storage', { from, to, error: error.message });
  };
  journal = new Journal({ forwardToSyslog: {}, forwardLocal: { warn: (message) => reporter.warn(message) }, ...options, onWriteStateChange, onVolatileFallback });
  const opened = journal;
  publishBootId(opened.store.bootId); // where journalctl -b finds "this boot"
  let syslog: SyslogReceiver | undefined;
  let streams: StreamServer | undefined;
  // Non-root mode: sockets in directories this user cannot write are left out (one line in
  // main.ts says so) rather than failing one by one; root binds them all, or warns.
  const unserved = (process.getuid?.() ?? 0) === 0 ? [] : [...syslogSocketPaths(), NATIVE_JOURNAL_SOCKET, STDOUT_STREAM_SOCKET].filter((p) => !writableOrCreatable(dirname(p)));
  const served = (paths: string[]) => paths.filter((p) => !unserved.includes(p));
  return {
    journal: opened,
    unserved,
    serveSyslog(unitForSender) {
      syslog ??= new SyslogReceiver({
        sink: (entry) => opened.append(entry),
        unitForSender,
        syslogPaths: served(syslogSocketPaths()),
        nativePaths: served([NATIVE_JOURNAL_SOCKET]),
        onBindError: (path, error) => reporter.warn('cannot serve a log socket', { path, error: error.message }),
      });
    },
    serveStreams(unitForSender) {
      if (unserved.includes(STDOUT_STREAM_SOCKET)) return;
      streams ??= new StreamServer({
        sink: (entry) => opened.append(entry, { paced: true }),
        flow: opened.flow,
        lineMax: opened.store.config.lineMax,
        unitForSender,
        onBindError: (path, error) => reporter.warn('cannot serve a log socket', { path, error: error.message }),
        onWarning: (message, details) => reporter.warn(message, details),
      });
    },
    async close(timeoutMs) {
      syslog?.close();
      streams?.close();
      await opened.close(timeoutMs);
    },
  };
}

/** Where journald itself binds the syslog socket; /dev/log is normally a symlink to it. */
export const JOURNALD_DEV_LOG = '/run/systemd/journal/dev-log';

/**
 * journald binds /run/systemd/journal/dev-log and links /dev/log to it. We bind both places,
 * except that an existing /dev/log symlink (a host /dev shared with the container, or an image
 * that ships journald's link) is left alone: it leads to the socket in /run anyway, and
 * replacing it would change a /dev that is not ours.
 */
function syslogSocketPaths(): string[] {
  try {
    if (lstatSync(SYSLOG_SOCKET).isSymbolicLink()) return [JOURNALD_DEV_LOG];
  } catch {
    // No /dev/log yet: the usual case in a container.
  }
  return [JOURNALD_DEV_LOG, SYSLOG_SOCKET];
}

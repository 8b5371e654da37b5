// The /dev/log and /run/systemd/journal/socket receivers: services that log through syslog(3),
// `logger` or sd_journal_print(3) land in the journal attributed to their unit. The unit is
// found from the sender as the kernel reports it (SO_PASSCRED) and /proc described it on
// arrival, never from what the message claims, through a lookup the daemon supplies.

import { chmodSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { LogSocket, type LogMessage, type LogSender } from '../native/index.js';
import type { JournalEntry } from './entry.js';
import { parseNativeDatagram, parseSyslogDatagram, type ParsedLogMessage } from './syslog-parse.js';

export const SYSLOG_SOCKET = '/dev/log';
export const NATIVE_JOURNAL_SOCKET = '/run/systemd/journal/socket';

export interface ClosableSocket {
  close(): void;
}

/** How a receiver binds a log socket; the native LogSocket, or a stand-in in tests. */
export type BindLogSocket = (path: string, onMessage: (message: LogMessage) => void) => ClosableSocket;

export interface SyslogReceiverOptions {
  /** Where journal entries go (the store and the console forwarder). */
  sink: (entry: JournalEntry) => void;
  /** The unit a sender belongs to, from the daemon's process tracking. */
  unitForSender: (sender: LogSender) => string | undefined;
  /** BSD syslog sockets; default ['/dev/log']. */
  syslogPaths?: string[];
  /** journald native protocol sockets; default ['/run/systemd/journal/socket']. */
  nativePaths?: string[];
  bind?: BindLogSocket;
  /** A socket that could not be bound; the others still work. */
  onBindError?: (path: string, error: Error) => void;
}

export interface SyslogStats {
  received: number;
  bound: string[];
}

export class SyslogReceiver {
  private readonly sockets: ClosableSocket[] = [];
  private readonly bound: string[] = [];
  private received = 0;

  constructor(private readonly options: SyslogReceiverOptions) {
    const bind = options.bind ?? ((path, onMessage) => LogSocket.bind(path, onMessage));
    const listen = (paths: string[], parse: (data: Buffer) => ParsedLogMessage) => {
      for (const path of paths) {
        try {
          if (!path.startsWith('@')) mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
          this.sockets.push(bind(path, (message) => this.receive(parse(message.data), message)));
          this.bound.push(path);
          // Any user may log, as with journald: services running as User= need write access.
          if (!path.startsWith('@')) chmodIfExists(path, 0o666);
        } catch (error) {
          options.onBindError?.(path, error instanceof Error ? error : new Error(String(error)));
        }
      }
    };
    listen(options.syslogPaths ?? [SYSLOG_SOCKET], parseSyslogDatagram);
    listen(options.nativePaths ?? [NATIVE_JOURNAL_SOCKET], parseNativeDatagram);
  }

  close(): void {
    for (const socket of this.sockets.splice(0)) {
      try {
        socket.close();
      } catch {
        // Already gone; closing must not throw during shutdown.
      }
    }
  }

  stats(): SyslogStats {
    return { received: this.received, bound: [...this.bound] };
  }

  private receive(parsed: ParsedLogMessage, { sender, receivedAt }: LogMessage): void {
    this.received++;
    let unit = '';
    try {
      unit = this.options.unitForSender(sender) ?? '';
    } catch {
      // A failing lookup loses the attribution, not the message.
    }
    this.options.sink({
      timestamp: receivedAt,
      unit,
      // journald shows _COMM when a message names no identifier.
      identifier: parsed.identifier ?? sender.comm ?? 'unknown',
      pid: parsed.pid ?? sender.pid,
      priority: parsed.priority,
      message: Buffer.from(parsed.message),
      transport: parsed.transport,
    });
  }
}

function chmodIfExists(path: string, mode: number): void {
  try {
    chmodSync(path, mode);
  } catch {
    // A stand-in socket in tests, or a file system that refuses: the socket still works for root.
  }
}

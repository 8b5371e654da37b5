// The daemon's one entry point to logging: every entry goes to the store, to a small
// per-unit ring (the `systemctl status` tail without touching the disk), and, for service
// output, to the console forwarder. Structurally it satisfies the manager's LogSink
// (`write(LogLine)`, `tail(unit, n)`), so the daemon can swap its in-memory ring for it.

import type { LogLine } from '../control/api.js';
import { ConsoleForwarder, type ConsoleForwarderOptions } from './console.js';
import { captureOutput, type Capture, type CaptureSource, type FlowControl } from './capture.js';
import { toLogLine, type JournalEntry } from './entry.js';
import { JournalStore, type JournalStats, type JournalStoreOptions } from './store.js';
import { LocalForwarder, type LocalForwardOptions } from './local-forward.js';
import { SyslogForwarder, type SyslogForwarderOptions } from './syslog-forward.js';
import type { Readable } from 'node:stream';

export interface JournalOptions extends JournalStoreOptions {
  /** Console forwarding for `docker logs`; false turns it off (see console.ts for UNITD_CONSOLE_LOG). */
  console?: ConsoleForwarderOptions | false;
  /** Entries kept in memory per unit for the status tail (default 100). */
  recentPerUnit?: number;
  /** The daemon's journal: forward entries to syslog.socket's reader when ForwardToSyslog= says so. */
  forwardToSyslog?: SyslogForwarderOptions;
  /** The daemon's journal: ForwardToKMsg=, ForwardToConsole=, ForwardToWall= as journald.conf says. */
  forwardLocal?: LocalForwardOptions;
}

/** Bytes of a message kept in the per-unit memory ring. */
const RECENT_MESSAGE_MAX = 4096;

export class Journal {
  readonly store: JournalStore;
  readonly console: ConsoleForwarder | undefined;
  /**
   * The status tail: lines as LogLine (text, one shape), not the entries themselves: an entry's
   * Buffer is a view that pins the pipe chunk it was cut from, and entries spread from
   * differently shaped lines each got a hidden class of their own (~0.7 KiB a line).
   */
  private readonly recent = new Map<string, LogLine[]>();
  private readonly recentPerUnit: number;
  private syslog: SyslogForwarder | undefined;
  private local: LocalForwarder | undefined;
  private readonly syslogOptions: SyslogForwarderOptions | undefined;
  private readonly localOptions: LocalForwardOptions | undefined;

  constructor(options: JournalOptions = {}) {
    this.store = new JournalStore(options);
    this.console = options.console === false ? undefined : new ConsoleForwarder(options.console ?? {});
    this.recentPerUnit = options.recentPerUnit ?? 100;
    this.syslogOptions = options.forwardToSyslog;
    this.localOptions = options.forwardLocal;
    if (this.syslogOptions && this.store.config.forwardToSyslog) this.syslog = new SyslogForwarder(this.syslogOptions);
    if (this.localOptions && LocalForwarder.wanted(this.store.config)) this.local = new LocalForwarder(this.store.config, this.localOptions);
  }

  /**
   * Records one entry. The daemon's own messages about units (its pid) are not echoed to the
   * console: the manager prints its own `[  OK  ] Started ...` lines there.
   */
  append(entry: JournalEntry, options: { console?: boolean; paced?: boolean } = {}): void {
    this.store.append(entry, { paced: options.paced });
    this.remember(entry);
    const config = this.store.config;
    // A stream's own forward flags turn a forward on for its lines (created on first use).
    const stream = entry.forward;
    if (stream?.syslog && this.syslogOptions) this.syslog ??= new SyslogForwarder(this.syslogOptions);
    if ((stream?.kmsg || stream?.console) && this.localOptions) this.local ??= new LocalForwarder(config, this.localOptions);
    if (this.syslog && (config.forwardToSyslog || stream?.syslog) && (entry.priority & 7) <= config.maxLevelSyslog) this.syslog.forward(entry);
    this.local?.forward(entry);
    if (options.console ?? entry.pid !== process.pid) this.console?.forward(entry);
  }

  /** LogSink.write: a LogLine with a text message. */
  write(line: LogLine): void {
    // The manager's own lines (its pid) are PID 1 logging natively; the rest is captured output.
    this.append({ ...line, message: Buffer.from(line.message), transport: line.pid === process.pid ? 'journal' : 'stdout' });
  }

  /** LogSink.tail: the unit's most recent entries since the daemon started, oldest first. */
  tail(unit: string, lines: number): LogLine[] {
    const ring = this.recent.get(unit) ?? [];
    return ring.slice(Math.max(0, ring.length - lines));
  }

  /**
   * Starts reading a service's stdout/stderr pipe into the journal. Reading pauses while the
   * store is behind or while the console consumer (`docker logs`) is behind but still taking
   * lines, so a burst costs the service some speed instead of lines; see flowControl().
   */
  capture(source: number | Readable, meta: CaptureSource): Capture {
    return captureOutput(source, { lineMax: this.store.config.lineMax, ...meta }, (entry) => this.append(entry, { paced: true }), this.flow);
  }

  /** Readers of pipes and streams pause while either the store or the console is congested. */
  readonly flow: FlowControl = {
    congested: () => this.store.congested() || (this.console?.congested() ?? false),
    whenUncongested: (callback) => {
      const wait = () => {
        if (this.store.congested()) this.store.whenUncongested(wait);
        else if (this.console?.congested()) this.console.whenUncongested(wait);
        else callback();
      };
      wait();
    },
  };

  stats(): { store: JournalStats; console?: ReturnType<ConsoleForwarder['stats']> } {
    return { store: this.store.stats(), console: this.console?.stats() };
  }

  close(timeoutMs?: number): Promise<void> {
    this.local?.close();
    return this.store.close(timeoutMs);
  }

  private remember(entry: JournalEntry): void {
    if (!entry.unit) return;
    let ring = this.recent.get(entry.unit);
    if (!ring) this.recent.set(entry.unit, (ring = []));
    // The status tail shows short lines: a huge line's start keeps memory bounded.
    const message = entry.message.length > RECENT_MESSAGE_MAX ? entry.message.subarray(0, RECENT_MESSAGE_MAX) : entry.message;
    ring.push(toLogLine({ ...entry, message }));
    if (ring.length > this.recentPerUnit) ring.splice(0, ring.length - this.recentPerUnit);
  }
}

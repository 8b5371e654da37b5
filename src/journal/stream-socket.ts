// journald's stdout stream transport, /run/systemd/journal/stdout: what systemd-cat(1) and
// sd_journal_stream_fd(3) connect a program's stdout to. A client connects, sends a header of
// seven "\n"-terminated lines (identifier, unit id, priority, level prefix, forward to
// syslog/kmsg/console), and then every line it writes is one journal entry. The unit comes from
// the kernel's SO_PEERCRED pid at connect time, never from what the client claims, except that
// root may name a unit that the pid does not lead to (journald's unit_id fallback).
//
// Behaviour kept from journald-stream.c: a header line must end in "\n" within 255 bytes (a
// NUL, the length limit or EOF there closes the connection without logging anything); header
// lines are whitespace-stripped; the priority line may carry a facility (0..999, the level is
// its low 3 bits); the booleans take 1/yes/y/true/t/on and 0/no/n/false/f/off; after the header
// lines are split at "\n", NUL and LineMax= (LineSplitter); the unterminated last line is logged
// at EOF; empty messages (also "<N>" alone) are not logged; at most 4096 streams, more are
// closed at once; the server shuts down its writing side, as the client shuts down its reading.

import { chmodSync, closeSync, mkdirSync } from 'node:fs';
import { Socket } from 'node:net';
import { dirname } from 'node:path';
import { connectionCap } from '../control/fd-budget.js';
import { LogSocket, type LogSender } from '../native/index.js';
import { parseUnitName } from '../units/unit-name.js';
import { captureOutput, type Capture, type FlowControl } from './capture.js';
import { DEFAULT_PRIORITY, type JournalEntry } from './entry.js';

export const STDOUT_STREAM_SOCKET = '/run/systemd/journal/stdout';
/** journald's STDOUT_STREAMS_MAX before v256 (it is 64 Ki since); each stream holds an fd. */
export const STDOUT_STREAMS_MAX = 4096;  // fewer under a low RLIMIT_NOFILE (control/fd-budget.ts)
/** journald's STDOUT_STREAM_SETUP_PROTOCOL_LINE_MAX (UNIT_NAME_MAX - 1): a unit name fits. */
export const HEADER_LINE_MAX = 255;
const HEADER_LINES = 7;

export interface StreamHeader {
  /** SYSLOG_IDENTIFIER; '' when the client sent none. */
  identifier: string;
  /** A unit name root asked for ('' otherwise); used only when the pid leads to no unit. */
  unitId: string;
  priority: number;
  levelPrefix: boolean;
  forwardToSyslog: boolean;
  forwardToKmsg: boolean;
  forwardToConsole: boolean;
}

export interface StreamServerOptions {
  /** Where journal entries go (the daemon appends them paced, as service pipe lines). */
  sink: (entry: JournalEntry) => void;
  /** Reading pauses while this says congested, so a fast writer waits instead of losing lines. */
  flow?: FlowControl;
  /** The unit a client belongs to, from the daemon's process tracking. */
  unitForSender: (sender: LogSender) => string | undefined;
  /** Default /run/systemd/journal/stdout. */
  path?: string;
  /** LineMax= (default 48 KiB). */
  lineMax?: number;
  /** Default 4096; connections beyond it are closed at once. */
  maxConnections?: number;
  onBindError?: (path: string, error: Error) => void;
  /** Trouble worth a line in the daemon's own log (refused connections, accept errors). */
  onWarning?: (message: string, details?: Record<string, unknown>) => void;
}

export interface StreamStats {
  active: number;
  accepted: number;
  refused: number;
  malformed: number;
  bound: boolean;
}

type HeaderScan =
  | { state: 'more' }
  | { state: 'invalid'; reason: string }
  | { state: 'done'; header: StreamHeader; rest: Buffer };

/** Reads the seven header lines from the first bytes of a stream; the rest is log data. */
export class StreamHeaderReader {
  private buffered: Buffer = Buffer.alloc(0);
  private readonly lines: string[] = [];
  private readonly header: StreamHeader = {
    identifier: '',
    unitId: '',
    priority: DEFAULT_PRIORITY,
    levelPrefix: true,
    forwardToSyslog: false,
    forwardToKmsg: false,
    forwardToConsole: false,
  };

  /** `rootPeer`: only root may name the unit (journald checks ucred.uid == 0). */
  constructor(private readonly rootPeer: boolean) {}

  push(chunk: Buffer): HeaderScan {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    while (this.lines.length < HEADER_LINES) {
      const window = this.buffered.subarray(0, HEADER_LINE_MAX);
      const newline = window.indexOf(0x0a);
      if (window.subarray(0, newline < 0 ? window.length : newline).includes(0x00)) return invalid('header line ended by NUL');
      if (newline < 0) return this.buffered.length >= HEADER_LINE_MAX ? invalid('header line too long') : { state: 'more' };
      const line = stripWhitespace(this.buffered.subarray(0, newline).toString('utf8'));
      this.buffered = this.buffered.subarray(newline + 1);
      const error = this.accept(line);
      if (error) return invalid(error);
    }
    // Copied: the rest may be a small slice of a large read buffer.
    return { state: 'done', header: { ...this.header }, rest: Buffer.from(this.buffered) };
  }

  private accept(line: string): string | undefined {
    const index = this.lines.push(line) - 1;
    switch (index) {
      case 0:
        this.header.identifier = line;
        return undefined;
      case 1:
        if (this.rootPeer && isPlainOrInstanceUnit(line)) this.header.unitId = line;
        return undefined;
      case 2: {
        const value = parsePriorityAndFacility(line);
        if (value === undefined) return 'bad priority line';
        this.header.priority = value & 7;
        return undefined;
      }
      default:
        return this.acceptBoolean(index, line);
    }
  }

  private acceptBoolean(index: number, line: string): string | undefined {
    const value = parseBoolean(line);
    if (value === undefined) return `bad boolean in header line ${index + 1}`;
    if (index === 3) this.header.levelPrefix = value;
    else if (index === 4) this.header.forwardToSyslog = value;
    else if (index === 5) this.header.forwardToKmsg = value;
    else this.header.forwardToConsole = value;
    return undefined;
  }
}

const invalid = (reason: string): HeaderScan => ({ state: 'invalid', reason });

/** strstrip(): journald's WHITESPACE is " \t\n\r", narrower than String.prototype.trim(). */
function stripWhitespace(text: string): string {
  return text.replace(/^[ \t\n\r]+|[ \t\n\r]+$/g, '');
}

/** syslog_parse_priority_and_facility(): an integer 0..999 (facility * 8 + level). */
export function parsePriorityAndFacility(text: string): number | undefined {
  if (!/^\+?[0-9]+$/.test(text)) return undefined;
  const value = Number(text);
  return value <= 999 ? value : undefined;
}

/** systemd's parse_boolean(). */
export function parseBoolean(text: string): boolean | undefined {
  const lower = text.toLowerCase();
  if (['1', 'yes', 'y', 'true', 't', 'on'].includes(lower)) return true;
  if (['0', 'no', 'n', 'false', 'f', 'off'].includes(lower)) return false;
  return undefined;
}

function isPlainOrInstanceUnit(name: string): boolean {
  const parsed = parseUnitName(name);
  return parsed !== undefined && !parsed.isTemplate;
}

interface Connection {
  socket: Socket;
  capture?: Capture;
}

/** The client as found at accept time, while it is most likely still alive. */
interface Peer {
  pid: number;
  uid: number | undefined;
  /** The pid's unit, if the daemon knows it. */
  unit: string | undefined;
  /** Its command name, for a header without an identifier. */
  comm: string;
}

export class StreamServer {
  private listener: LogSocket | undefined;
  private readonly connections = new Set<Connection>();
  private readonly path: string;
  private readonly maxConnections: number;
  private readonly counts = { accepted: 0, refused: 0, malformed: 0 };
  private closed = false;
  /** Set while refusing, so a flood of connections costs one warning, not one per connection. */
  private refusing = false;
  /** Settles once the socket is bound or binding failed. */
  readonly ready: Promise<boolean>;

  constructor(private readonly options: StreamServerOptions) {
    this.path = options.path ?? STDOUT_STREAM_SOCKET;
    this.maxConnections = options.maxConnections ?? connectionCap(STDOUT_STREAMS_MAX);
    this.ready = Promise.resolve(this.listen());
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const connection of [...this.connections]) this.finish(connection);
    this.guard(() => this.listener?.close()); // removes the socket file
  }

  stats(): StreamStats {
    return { active: this.connections.size, ...this.counts, bound: this.listener !== undefined };
  }

  /**
   * Connections are accepted by the native receiver threads, which read the client's /proc
   * entry on arrival: `echo x | systemd-cat` may exit and be reaped right after connecting.
   */
  private listen(): boolean {
    try {
      mkdirSync(dirname(this.path), { recursive: true, mode: 0o755 });
      this.listener = LogSocket.listen(this.path, ({ connection, sender }) => this.guard(() => this.adopt(connection, sender)));
    } catch (error) {
      this.options.onBindError?.(this.path, asError(error));
      return false;
    }
    // Any user may log, as with journald: services running as User= need write access.
    this.guard(() => chmodSync(this.path, 0o666));
    return true;
  }

  private adopt(fd: number, sender: LogSender): void {
    let socket: Socket;
    try {
      // Half-open: the client shuts down its reading side and we our writing side.
      socket = new Socket({ fd, readable: true, writable: true, allowHalfOpen: true });
    } catch {
      closeQuietly(fd);
      return;
    }
    this.accept(socket, this.peerOf(sender));
  }

  private accept(socket: Socket, peer: Peer): void {
    // A client's reset or a read error ends its stream only.
    socket.on('error', () => socket.destroy());
    if (this.closed || this.connections.size >= this.maxConnections) {
      this.refuse(socket);
      return;
    }
    const connection: Connection = { socket };
    this.connections.add(connection);
    this.counts.accepted++;
    socket.on('close', () => this.forget(connection));
    // journald shuts down its writing side: nothing is ever sent back.
    socket.end();
    this.readHeader(connection, peer);
  }

  private refuse(socket: Socket): void {
    this.counts.refused++;
    socket.destroy();
    if (this.refusing || this.closed) return;
    this.refusing = true;
    this.options.onWarning?.('too many stdout streams, refusing connections', { max: this.maxConnections });
  }

  private forget(connection: Connection): void {
    this.connections.delete(connection);
    if (this.connections.size < this.maxConnections) this.refusing = false;
  }

  private peerOf(sender: LogSender): Peer {
    let unit: string | undefined;
    try {
      unit = this.options.unitForSender(sender);
    } catch {
      // A failing lookup loses the attribution, not the lines.
    }
    return { pid: sender.pid, uid: sender.uid, unit, comm: sender.comm ?? 'unknown' };
  }

  private readHeader(connection: Connection, peer: Peer): void {
    const { socket } = connection;
    const reader = new StreamHeaderReader(peer.uid === 0);
    // EOF inside the header is a malformed header too: nothing to log.
    const onEnd = () => this.reject(connection);
    const onData = (chunk: Buffer) =>
      this.guard(() => {
        const scan = reader.push(chunk);
        if (scan.state === 'more') return;
        socket.pause();
        socket.removeListener('data', onData);
        socket.removeListener('end', onEnd);
        if (scan.state === 'invalid') this.reject(connection);
        else this.startCapture(connection, peer, scan.header, scan.rest);
      }, socket);
    socket.on('data', onData);
    socket.on('end', onEnd);
  }

  private reject(connection: Connection): void {
    this.counts.malformed++;
    connection.socket.destroy();
  }

  private startCapture(connection: Connection, peer: Peer, header: StreamHeader, rest: Buffer): void {
    const { socket } = connection;
    const meta = {
      unit: peer.unit || header.unitId,
      identifier: header.identifier || peer.comm,
      pid: peer.pid,
      priority: header.priority,
      levelPrefix: header.levelPrefix,
      lineMax: this.options.lineMax,
      // One object per stream, shared by its entries; none when every flag is off (the usual case).
      forward:
        header.forwardToSyslog || header.forwardToKmsg || header.forwardToConsole
          ? { syslog: header.forwardToSyslog, kmsg: header.forwardToKmsg, console: header.forwardToConsole }
          : undefined,
    };
    // Bytes after the header in the same read are the first log data.
    if (rest.length > 0) socket.unshift(rest);
    connection.capture = captureOutput(socket, meta, (entry) => this.deliver(entry), this.options.flow);
    // Our writing side was shut at accept, so the client's EOF is the end of the connection.
    socket.once('end', () => socket.destroy());
    socket.resume();
  }

  /** journald skips a line that is empty once its "<N>" prefix is removed. */
  private deliver(entry: JournalEntry): void {
    if (entry.message.length === 0) return;
    try {
      this.options.sink(entry);
    } catch {
      // The sink's trouble loses this line, not the stream or the daemon.
    }
  }

  private finish(connection: Connection): void {
    this.guard(() => {
      // close() flushes an unterminated line before destroying the socket.
      if (connection.capture) connection.capture.close();
      else connection.socket.destroy();
    });
    this.connections.delete(connection);
  }

  /** This runs in PID 1: a surprise closes the one connection, never the daemon. */
  private guard(work: () => void, socket?: Socket): void {
    try {
      work();
    } catch (error) {
      this.options.onWarning?.('stdout stream failed', { error: asError(error).message });
      socket?.destroy();
    }
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

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

import { chmodSync, mkdirSync, readFileSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { socketPeerCredentials, type Credentials } from '../native/index.js';
import { parseUnitName } from '../units/unit-name.js';
import { captureOutput, type Capture, type FlowControl } from './capture.js';
import { DEFAULT_PRIORITY, type JournalEntry } from './entry.js';

export const STDOUT_STREAM_SOCKET = '/run/systemd/journal/stdout';
/** journald's STDOUT_STREAMS_MAX before v256 (it is 64 Ki since); each stream holds an fd. */
export const STDOUT_STREAMS_MAX = 4096;
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
  /** The unit a process belongs to, from the daemon's process tracking. */
  unitForPid: (pid: number) => string | undefined;
  /** Default /run/systemd/journal/stdout. */
  path?: string;
  /** LineMax= (default 48 KiB). */
  lineMax?: number;
  /** Default 4096; connections beyond it are closed at once. */
  maxConnections?: number;
  /** Who connected; default SO_PEERCRED through the native addon. */
  credentials?: (socket: Socket) => Credentials | undefined;
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
  private readonly server: Server;
  private readonly connections = new Set<Connection>();
  private readonly path: string;
  private readonly maxConnections: number;
  private readonly credentials: (socket: Socket) => Credentials | undefined;
  private readonly counts = { accepted: 0, refused: 0, malformed: 0 };
  private bound = false;
  private closed = false;
  /** Set while refusing, so a flood of connections costs one warning, not one per connection. */
  private refusing = false;
  /** Settles once the socket is bound or binding failed. */
  readonly ready: Promise<boolean>;

  constructor(private readonly options: StreamServerOptions) {
    this.path = options.path ?? STDOUT_STREAM_SOCKET;
    this.maxConnections = options.maxConnections ?? STDOUT_STREAMS_MAX;
    this.credentials = options.credentials ?? socketPeerCredentials;
    // Half-open: the client shuts down its reading side and we our writing side; either
    // half closing must not end the other.
    this.server = createServer({ allowHalfOpen: true }, (socket) => this.guard(() => this.accept(socket), socket));
    this.ready = this.listen();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const connection of [...this.connections]) this.finish(connection);
    // libuv removes the socket file when the listening handle closes.
    this.guard(() => this.server.close());
  }

  stats(): StreamStats {
    return { active: this.connections.size, ...this.counts, bound: this.bound };
  }

  private listen(): Promise<boolean> {
    return new Promise((resolve) => {
      const failed = (error: Error) => {
        this.options.onBindError?.(this.path, error);
        resolve(false);
      };
      try {
        mkdirSync(dirname(this.path), { recursive: true, mode: 0o755 });
        removeStale(this.path);
      } catch (error) {
        failed(asError(error));
        return;
      }
      this.server.once('error', failed);
      this.server.listen(this.path, () => {
        this.server.removeListener('error', failed);
        // After binding, accept errors (EMFILE) are reported and the server keeps listening.
        this.server.on('error', (error) => this.options.onWarning?.('stdout stream socket error', { error: error.message }));
        this.bound = true;
        // Any user may log, as with journald: services running as User= need write access.
        this.guard(() => chmodSync(this.path, 0o666));
        if (this.closed) this.guard(() => this.server.close());
        resolve(true);
      });
    });
  }

  private accept(socket: Socket): void {
    // A client's reset or a read error ends its stream only.
    socket.on('error', () => socket.destroy());
    if (this.closed || this.connections.size >= this.maxConnections) {
      this.refuse(socket);
      return;
    }
    const peer = this.peerOf(socket);
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

  /**
   * Looked up before anything is read: a short-lived client (`echo x | systemd-cat`) may exit and
   * be reaped soon after connecting, and then its pid no longer leads to a unit.
   */
  private peerOf(socket: Socket): Peer {
    const credentials = this.credentials(socket);
    const pid = credentials?.pid ?? 0;
    let unit: string | undefined;
    try {
      if (pid > 0) unit = this.options.unitForPid(pid);
    } catch {
      // A failing lookup loses the attribution, not the lines.
    }
    return { pid, uid: credentials?.uid, unit, comm: commandName(pid) };
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

/** A socket file left by an earlier run would make bind() fail; journald unlinks it too. */
function removeStale(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/** journald shows _COMM when a stream names no identifier. */
function commandName(pid: number): string {
  try {
    return pid > 0 ? readFileSync(`/proc/${pid}/comm`, 'utf8').trim() : 'unknown';
  } catch {
    return 'unknown';
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

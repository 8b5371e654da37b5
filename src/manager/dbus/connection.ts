// A connection to a D-Bus message bus over its unix socket: SASL EXTERNAL authentication,
// Hello, method calls with their replies, and signals. Just enough for PID 1 to follow bus
// names (bus-names.ts); it never blocks: every step is an event on Node's loop.

import { createConnection, type Socket } from 'node:net';
import { decodeMessage, encodeMessage, FLAG_NO_REPLY_EXPECTED, MESSAGE_TYPE, messageLength, type DBusValue, type Message } from './wire.js';

export const BUS_NAME = 'org.freedesktop.DBus';
export const BUS_PATH = '/org/freedesktop/DBus';

/** An error reply (`org.freedesktop.DBus.Error.NameHasNoOwner: ...`). */
export class DBusError extends Error {
  /** The error name (`org.freedesktop.DBus.Error.AccessDenied`). */
  readonly errorName: string;

  constructor(errorName: string, message: string) {
    super(`${errorName}: ${message}`);
    this.errorName = errorName;
  }
}

interface Pending {
  resolve: (m: Message) => void;
  reject: (e: Error) => void;
}

/** The longest SASL line a bus sends; more without a newline is a broken peer. */
const MAX_AUTH_LINE = 16 * 1024;

export class BusConnection {
  private serial = 0;
  private readonly pending = new Map<number, Pending>();
  private input: Buffer = Buffer.alloc(0);
  private closed = false;
  /** The unique name the bus gave us (Hello). */
  uniqueName = '';

  private constructor(
    private readonly socket: Socket,
    private readonly onSignal: (m: Message) => void,
    private readonly onClose: (err?: Error) => void,
  ) {}

  /**
   * Connects, authenticates as our uid and says Hello. `onSignal` hears every signal the bus
   * routes to us; `onClose` the end of the connection (after open() resolved).
   */
  static open(path: string, onSignal: (m: Message) => void, onClose: (err?: Error) => void, timeoutMs = 10_000): Promise<BusConnection> {
    return new Promise((resolve, reject) => {
      const socket = createConnection({ path });
      const connection = new BusConnection(socket, onSignal, onClose);
      let settled = false;
      const fail = (err: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.destroy();
        reject(err);
      };
      const timer = setTimeout(() => fail(new Error(`no answer from the bus at ${path} within ${timeoutMs} ms`)), timeoutMs);
      socket.once('error', fail);
      socket.once('close', () => fail(new Error(`the bus at ${path} closed the connection`)));
      socket.once('connect', () => {
        const uid = Buffer.from(String(process.getuid?.() ?? 0)).toString('hex');
        socket.write(Buffer.concat([Buffer.from([0]), Buffer.from(`AUTH EXTERNAL ${uid}\r\n`)]));
      });
      let auth = '';
      const onAuthData = (chunk: Buffer) => {
        auth += chunk.toString('latin1');
        const eol = auth.indexOf('\r\n');
        if (eol < 0) {
          if (auth.length > MAX_AUTH_LINE) fail(new Error('the bus sent an over-long authentication line'));
          return;
        }
        const line = auth.slice(0, eol);
        if (!line.startsWith('OK ')) {
          fail(new Error(`the bus refused authentication: ${line}`));
          return;
        }
        socket.off('data', onAuthData);
        socket.write('BEGIN\r\n');
        // Whatever followed the OK line is already the first message.
        const rest = Buffer.from(auth.slice(eol + 2), 'latin1');
        socket.removeAllListeners('error');
        socket.removeAllListeners('close');
        connection.attach();
        if (rest.length > 0) connection.receive(rest);
        connection
          .call(BUS_NAME, BUS_PATH, BUS_NAME, 'Hello', '', [])
          .then((reply) => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            connection.uniqueName = String(reply.body[0] ?? '');
            resolve(connection);
          })
          .catch(fail);
      };
      socket.on('data', onAuthData);
    });
  }

  private attach(): void {
    this.socket.on('data', (chunk: Buffer) => this.receive(chunk));
    this.socket.on('error', (err) => this.shut(err));
    this.socket.on('close', () => this.shut());
  }

  private receive(chunk: Buffer): void {
    this.input = this.input.length === 0 ? chunk : Buffer.concat([this.input, chunk]);
    try {
      for (;;) {
        const length = messageLength(this.input);
        if (length === undefined || this.input.length < length) return;
        const m = decodeMessage(this.input.subarray(0, length));
        this.input = this.input.subarray(length);
        this.dispatch(m);
      }
    } catch (err) {
      // A message we cannot parse leaves the stream unframed: the connection is lost.
      this.shut(err as Error);
    }
  }

  private dispatch(m: Message): void {
    if (m.type === MESSAGE_TYPE.signal) {
      this.onSignal(m);
      return;
    }
    if (m.replySerial === undefined) return; // method calls to us: nothing is exported
    const waiting = this.pending.get(m.replySerial);
    if (!waiting) return;
    this.pending.delete(m.replySerial);
    if (m.type === MESSAGE_TYPE.error) waiting.reject(new DBusError(m.errorName ?? 'org.freedesktop.DBus.Error.Failed', String(m.body[0] ?? '')));
    else waiting.resolve(m);
  }

  private shut(err?: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    const reason = err ?? new Error('the bus connection closed');
    for (const p of this.pending.values()) p.reject(reason);
    this.pending.clear();
    this.onClose(err);
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  call(destination: string, path: string, iface: string, member: string, signature: string, body: DBusValue[], options: { noReply?: boolean } = {}): Promise<Message> {
    if (this.closed) return Promise.reject(new Error('the bus connection is closed'));
    const serial = (this.serial = (this.serial % 0xffffffff) + 1);
    const flags = options.noReply ? FLAG_NO_REPLY_EXPECTED : 0;
    const data = encodeMessage({ type: MESSAGE_TYPE.methodCall, flags, serial, path, interface: iface, member, destination, signature, body });
    this.socket.write(data);
    if (options.noReply) return Promise.resolve({ type: MESSAGE_TYPE.methodReturn, flags: 0, serial: 0, signature: '', body: [] });
    return new Promise((resolve, reject) => this.pending.set(serial, { resolve, reject }));
  }

  /** A call to the bus itself (org.freedesktop.DBus). */
  callBus(member: string, signature: string, body: DBusValue[]): Promise<Message> {
    return this.call(BUS_NAME, BUS_PATH, BUS_NAME, member, signature, body);
  }

  close(): void {
    this.shut();
  }
}

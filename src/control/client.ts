// The systemctl side of the control socket. Short-lived and on every command's path, so it
// loads nothing but the protocol and its transport: blocking calls through unitd_client.so
// (src/native/control-sync.c) for the clients, node:net (loaded only then) for everyone else.

import { createRequire } from 'node:module';
import type { Socket } from 'node:net';

import type {
  JobListEntry,
  JobOutcome,
  JobRequest,
  KillWhom,
  LogLine,
  ManagerApi,
  Properties,
  UnitListEntry,
  UnitFileStateAnswer,
  UnitProcess,
} from './api.js';
import { CONTROL_LIMITS } from './limits.js';
import { controlSocketPath } from './paths.js';
import { clientBinding, type ClientBinding } from '../native/client-binding.js';
import {
  encodeFrame,
  FrameReader,
  fromUnitListRows,
  PROTOCOL_ERRORS,
  PROTOCOL_VERSION,
  parseResponse,
  type MethodName,
  type MethodParams,
  type MethodResult,
  type ShutdownKind,
} from './protocol.js';

/** Reads answer quickly; anything slower than this means the daemon is stuck. */
export const DEFAULT_CALL_TIMEOUT_MS = 25_000;

/** The daemon answered with an error (a unit not found, access denied, ...). */
export class ControlCallError extends Error {
  constructor(
    readonly method: MethodName,
    readonly busError: string,
    message: string,
  ) {
    super(message);
    this.name = 'ControlCallError';
  }
}

/**
 * No daemon to talk to. `code` is the errno of the connect (ENOENT when the
 * socket does not exist, ECONNREFUSED when nobody listens, ...), which is what
 * systemctl reports as "Failed to connect to bus: <strerror>".
 */
export class DaemonUnavailableError extends Error {
  constructor(
    readonly socketPath: string,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'DaemonUnavailableError';
  }
}

interface Pending {
  method: MethodName;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout | undefined;
}

/** How long `daemon-reexec` waits for the old program to close the connection after its reply. */
const REEXEC_CLOSE_WAIT_MS = 60_000;

export interface CallOptions {
  /** 0 waits forever (job waits: the manager owns job timeouts). */
  timeoutMs?: number;
}

export interface ConnectOptions {
  /**
   * Blocking calls (unitd_client.so) when the addon is there: for a client process that only
   * waits for its answers, one at a time (calls made together run one after the other). Never in
   * a process whose event loop must run meanwhile (a server in the same process, the tests).
   */
  blocking?: boolean;
}

/**
 * One connection to the daemon: requests out, replies paired by id (streamed ones joined), and
 * ManagerApi typed on top. The transport (a node:net socket, or blocking calls) is the subclass's.
 */
export abstract class ControlClient implements ManagerApi {
  private nextId = 1;
  protected readonly pending = new Map<number, Pending>();
  private readonly reader = new FrameReader();
  /** Parts of streamed replies (protocol.ts ReplyPartFrame), by request id, until the last one. */
  private readonly parts = new Map<number, string[]>();
  protected failure: Error | undefined;

  constructor(readonly socketPath: string) {}

  /** Send one request and wait for its reply. */
  call<M extends MethodName>(method: M, params: MethodParams[M], options: CallOptions = {}): Promise<MethodResult<M>> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const id = this.nextId++;
    const reply = new Promise<MethodResult<M>>((resolve, reject) => {
      this.pending.set(id, { method, resolve: resolve as (v: unknown) => void, reject, timer: undefined });
    });
    this.send(id, method, encodeFrame({ v: PROTOCOL_VERSION, id, method, params }), options.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS);
    return reply;
  }

  abstract close(): void;
  /** Writes the request `id` (already pending); its reply settles it through onData. */
  protected abstract send(id: number, method: MethodName, frame: string, timeoutMs: number): void;
  /** Starts waiting for the daemon to close the connection; the function returned resolves when it did, or after `ms`. */
  protected abstract closedWithin(ms: number): () => Promise<void>;
  /** The stream is beyond repair (a frame over the limit): drop the connection. */
  protected abstract abandon(): void;

  /** The request `id` got no reply in time: it fails alone, and a late reply is dropped. */
  protected timedOut(id: number, method: MethodName): void {
    const p = this.pending.get(id);
    if (p !== undefined) this.settle(id, p, () => p.reject(new ControlCallError(method, PROTOCOL_ERRORS.noReply, 'Connection timed out')));
  }

  protected onData(chunk: Buffer): void {
    let lines: string[];
    try {
      lines = this.reader.push(chunk);
    } catch (err) {
      this.failAll(err as Error);
      this.abandon();
      return;
    }
    for (const line of lines) {
      const frame = parseResponse(line);
      if (frame === undefined || frame.id === null) {
        // An answer we cannot pair (the daemon rejected our framing): it applies to everyone waiting.
        const message = frame !== undefined && !frame.ok ? frame.error.message : 'Bad message from daemon';
        this.failAll(new ControlCallError('systemState', frame !== undefined && !frame.ok ? frame.error.busError : PROTOCOL_ERRORS.failed, message));
        continue;
      }
      const p = this.pending.get(frame.id);
      if (p === undefined) continue;
      let result: unknown;
      if ('part' in frame) {
        const parts = this.parts.get(frame.id) ?? [];
        parts.push(frame.part);
        this.parts.set(frame.id, parts);
        if (frame.more) continue;
        this.parts.delete(frame.id);
        try {
          result = JSON.parse(parts.join(''));
        } catch {
          this.settle(frame.id, p, () => p.reject(new ControlCallError(p.method, PROTOCOL_ERRORS.failed, 'Bad message from daemon')));
          continue;
        }
        this.settle(frame.id, p, () => p.resolve(result));
        continue;
      }
      if (frame.ok) this.settle(frame.id, p, () => p.resolve(frame.result));
      else this.settle(frame.id, p, () => p.reject(new ControlCallError(p.method, frame.error.busError, frame.error.message)));
    }
  }

  private settle(id: number, p: Pending, outcome: () => void): void {
    this.pending.delete(id);
    if (p.timer !== undefined) clearTimeout(p.timer);
    outcome();
  }

  protected failAll(err: Error): void {
    this.failure ??= err;
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      if (p.timer !== undefined) clearTimeout(p.timer);
      p.reject(err instanceof ControlCallError ? new ControlCallError(p.method, err.busError, err.message) : err);
    }
  }

  // ---- ManagerApi, typed ------------------------------------------------

  enqueueJob(request: JobRequest): Promise<JobOutcome> {
    return this.call('enqueueJob', request, { timeoutMs: request.wait ? 0 : DEFAULT_CALL_TIMEOUT_MS });
  }
  killUnit(unit: string, whom: KillWhom, signal: number): Promise<{ signalled: number }> {
    return this.call('killUnit', { unit, whom, signal });
  }
  resetFailed(unit?: string): Promise<void> {
    return this.call('resetFailed', unit === undefined ? {} : { unit });
  }
  /** Asked in batches of CONTROL_LIMITS.maxNamesPerRequest names, the most the daemon serves per request. */
  async unitProperties(units: string[]): Promise<Properties[]> {
    const size = CONTROL_LIMITS.maxNamesPerRequest;
    if (units.length <= size) return this.call('unitProperties', { units });
    const out: Properties[] = [];
    for (let i = 0; i < units.length; i += size) out.push(...(await this.call('unitProperties', { units: units.slice(i, i + size) })));
    return out;
  }
  managerProperties(): Promise<Properties> {
    return this.call('managerProperties', {});
  }
  unitFileStates(units: string[], unitPath?: string): Promise<UnitFileStateAnswer[]> {
    return this.call('unitFileStates', unitPath === undefined ? { units } : { units, unitPath });
  }
  async listUnits(options: { all: boolean }): Promise<UnitListEntry[]> {
    const units = fromUnitListRows(await this.call('listUnits', { all: options.all, rows: true }));
    if (units === undefined) throw new ControlCallError('listUnits', PROTOCOL_ERRORS.failed, 'Bad message from daemon');
    return units;
  }
  listJobs(): Promise<JobListEntry[]> {
    return this.call('listJobs', {});
  }
  cancelJobs(ids: number[]): Promise<void> {
    return this.call('cancelJobs', { ids });
  }
  unitProcesses(unit: string): Promise<UnitProcess[]> {
    return this.call('unitProcesses', { unit });
  }
  unitLog(unit: string, lines: number): Promise<LogLine[]> {
    return this.call('unitLog', { unit, lines });
  }
  daemonReload(): Promise<void> {
    // A reload re-reads every unit file; give it longer than a query.
    return this.call('daemonReload', {}, { timeoutMs: 0 });
  }
  async daemonReexec(): Promise<void> {
    const closed = this.closedWithin(REEXEC_CLOSE_WAIT_MS);
    // Checking the new program starts a Node: longer than a query.
    await this.call('daemonReexec', {}, { timeoutMs: 0 });
    // systemctl waits for the manager to drop the bus: the old program closes every
    // connection at execve, so the next command reaches the new program, never the old one.
    await closed();
  }
  shutdown(kind: ShutdownKind, exitCode?: number): Promise<void> {
    return this.call('shutdown', exitCode === undefined ? { kind } : { kind, exitCode });
  }
  systemState(): Promise<MethodResult<'systemState'>> {
    return this.call('systemState', {});
  }
  environment(): Promise<string[]> {
    return this.call('environment', {});
  }
  setEnvironment(assignments: string[], unset: string[]): Promise<void> {
    return this.call('setEnvironment', { assignments, unset });
  }
  freezeUnit(unit: string, action: 'freeze' | 'thaw'): Promise<void> {
    return this.call('freezeUnit', { unit, action });
  }
  cleanUnit(unit: string, what: string[]): Promise<void> {
    return this.call('cleanUnit', { unit, what });
  }
}

/** Over a node:net socket: the daemon's tests, and clients whose event loop must keep running. */
class SocketControlClient extends ControlClient {
  constructor(
    private readonly socket: Socket,
    socketPath: string,
  ) {
    super(socketPath);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.failAll(err));
    socket.on('close', () => this.failAll(new Error('Connection reset by peer')));
  }

  protected send(id: number, method: MethodName, frame: string, timeoutMs: number): void {
    const p = this.pending.get(id);
    if (p !== undefined && timeoutMs > 0) p.timer = setTimeout(() => this.timedOut(id, method), timeoutMs);
    this.socket.write(frame);
  }

  close(): void {
    this.socket.end();
    this.socket.destroy();
  }

  protected abandon(): void {
    this.socket.destroy();
  }

  protected closedWithin(ms: number): () => Promise<void> {
    const closed = new Promise<void>((resolve) => {
      if (this.socket.destroyed) return resolve();
      const timer = setTimeout(resolve, ms);
      this.socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    return () => closed;
  }
}

/**
 * Blocking calls on the socket (unitd_client.so): a call returns with its reply already in, so
 * the promise it gives is settled. A client process loads no node:net, streams or events for it.
 */
class BlockingControlClient extends ControlClient {
  private fd: number | undefined;

  constructor(
    private readonly binding: ClientBinding,
    fd: number,
    socketPath: string,
  ) {
    super(socketPath);
    this.fd = fd;
  }

  protected send(id: number, method: MethodName, frame: string, timeoutMs: number): void {
    const fd = this.fd;
    if (fd === undefined) return this.failAll(new Error('Connection reset by peer'));
    const deadline = timeoutMs > 0 ? Date.now() + timeoutMs : 0;
    try {
      this.binding.write(fd, frame, timeoutMs);
      while (this.pending.has(id)) {
        const left = deadline === 0 ? 0 : deadline - Date.now();
        if (deadline !== 0 && left <= 0) return this.timedOut(id, method);
        const chunk = this.binding.read(fd, left);
        if (chunk.length === 0) return this.failAll(new Error('Connection reset by peer'));
        this.onData(chunk);
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ETIMEDOUT') return this.timedOut(id, method);
      this.failAll(err as Error);
    }
  }

  close(): void {
    if (this.fd !== undefined) this.binding.close(this.fd);
    this.fd = undefined;
  }

  protected abandon(): void {
    this.close();
  }

  /** Reads (and drops) until the daemon closes, when asked: the reexec reply comes first. */
  protected closedWithin(ms: number): () => Promise<void> {
    return async () => {
      const deadline = Date.now() + ms;
      try {
        while (this.fd !== undefined && Date.now() < deadline) {
          if (this.binding.read(this.fd, Math.max(1, deadline - Date.now())).length === 0) break;
        }
      } catch {
        // closed with an error, or the time is up: either way, on
      }
      this.close();
    };
  }
}

/**
 * Connect to the daemon. Rejects with DaemonUnavailableError when there is
 * none, so callers can print systemctl's "Failed to connect to bus" wording.
 */
export function connectControl(socketPath: string = controlSocketPath(), timeoutMs = DEFAULT_CALL_TIMEOUT_MS, options: ConnectOptions = {}): Promise<ControlClient> {
  const binding = options.blocking === true ? clientBinding() : undefined;
  if (binding !== undefined) {
    try {
      return Promise.resolve(new BlockingControlClient(binding, binding.connect(socketPath, timeoutMs), socketPath));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
      return Promise.reject(new DaemonUnavailableError(socketPath, code, `connect ${code} ${socketPath}`));
    }
  }
  // Loaded only here: node:net brings the streams and events with it (a few ms of a client start).
  const { connect } = createRequire(import.meta.url)('node:net') as typeof import('node:net');
  return new Promise<ControlClient>((resolve, reject) => {
    const socket = connect(socketPath);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new DaemonUnavailableError(socketPath, 'ETIMEDOUT', 'Connection timed out'));
    }, timeoutMs);
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new DaemonUnavailableError(socketPath, err.code ?? 'EIO', err.message));
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(new SocketControlClient(socket, socketPath));
    });
  });
}

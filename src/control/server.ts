// The daemon side of the control socket. Like s6's control tools, it must
// never be able to take the manager down: every callback catches, a broken or
// hostile client only ever loses its own connection, and a reply that cannot
// be written is dropped.

import { chmod, mkdir, unlink } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';

import { ManagerError, type ManagerApi } from './api.js';
import { CONTROL_LIMITS } from './limits.js';
import { connectionCap } from './fd-budget.js';
import { MEMORY_PROBE_METHOD, memoryProbeEnabled, memoryStats } from './memory-probe.js';
import { socketPeerCredentials, type Credentials as PeerCredentials } from '../native/index.js';
import {
  encodeFrame,
  encodeReply,
  FrameReader,
  MUTATING_METHODS,
  PROTOCOL_ERRORS,
  PROTOCOL_VERSION,
  ProtocolError,
  parseRequest,
  toUnitListRows,
  type MethodName,
  type MethodParams,
  type RequestFrame,
  type ResponseFrame,
  type WireError,
} from './protocol.js';

export interface ControlServer {
  readonly path: string;
  /**
   * Stop accepting, then wait (at most `timeoutMs`) until every client has hung up
   * and its process is gone. At shutdown the leftover sweep, and PID 1's own exit,
   * would otherwise kill the `systemctl poweroff`/`exit N` that asked for it.
   */
  drain(timeoutMs: number): Promise<void>;
  /** Stop accepting, end open connections and remove the socket file. */
  close(): Promise<void>;
  /** The listening socket's fd, which daemon-reexec keeps so clients queue while the next program starts. */
  listeningFd(): number | undefined;
}

export interface ControlServerOptions {
  /**
   * Decides whether a caller may use a method. The default lets anyone read
   * and only uid 0 change state; when credentials are unknown (no native
   * addon) the socket is made owner-only instead, so the default allows.
   */
  authorize?: (method: MethodName, peer: PeerCredentials | undefined) => boolean;
  /** Told about anything odd (a client error, a failing api call); never throws into the server. */
  onError?: (what: string, err: unknown) => void;
  /** One line about clients refused for going over a bound (rate-limited); default: onError. */
  onRefusal?: (line: string) => void;
  /** The listening socket the previous program kept open across daemon-reexec: served again, not re-bound. */
  adoptFd?: number;
}

/**
 * Root, and the uid the manager runs as: a non-root unitd is that user's manager (as systemd's
 * user manager obeys its user), so that user changes state and gets root's reserved share.
 */
const MANAGER_UID = process.getuid?.() ?? 0;
function privilegedUid(uid: number): boolean {
  return uid === 0 || uid === MANAGER_UID;
}

/** What each connection is served with (the adopted fd matters only to serveControl). */
type ServingOptions = Required<Omit<ControlServerOptions, 'adoptFd'>>;

function defaultAuthorize(method: MethodName, peer: PeerCredentials | undefined): boolean {
  if (!MUTATING_METHODS.has(method)) return true;
  return peer === undefined || privilegedUid(peer.uid);
}

/** Calls the manager with validated params; one line per method keeps the wire and the api in step. */
function dispatch(api: ManagerApi, req: RequestFrame): Promise<unknown> {
  const p = req.params;
  switch (req.method) {
    case 'enqueueJob':
      return api.enqueueJob(p as MethodParams['enqueueJob']);
    case 'killUnit': {
      const k = p as MethodParams['killUnit'];
      return api.killUnit(k.unit, k.whom, k.signal);
    }
    case 'resetFailed':
      return api.resetFailed((p as MethodParams['resetFailed']).unit);
    case 'unitProperties':
      return api.unitProperties((p as MethodParams['unitProperties']).units);
    case 'managerProperties':
      return api.managerProperties();
    case 'unitFileStates': {
      const f = p as MethodParams['unitFileStates'];
      return api.unitFileStates(f.units, f.unitPath);
    }
    case 'listUnits': {
      const l = p as MethodParams['listUnits'];
      return l.rows === true ? api.listUnits({ all: l.all }).then(toUnitListRows) : api.listUnits({ all: l.all });
    }
    case 'listJobs':
      return api.listJobs();
    case 'cancelJobs':
      return api.cancelJobs((p as MethodParams['cancelJobs']).ids);
    case 'unitProcesses':
      return api.unitProcesses((p as MethodParams['unitProcesses']).unit);
    case 'unitLog': {
      const l = p as MethodParams['unitLog'];
      return api.unitLog(l.unit, l.lines);
    }
    case 'daemonReload':
      return api.daemonReload();
    case 'daemonReexec':
      return api.daemonReexec();
    case 'shutdown': {
      const s = p as MethodParams['shutdown'];
      return api.shutdown(s.kind, s.exitCode);
    }
    case 'systemState':
      return api.systemState();
    case 'environment':
      return api.environment();
    case 'setEnvironment': {
      const e = p as MethodParams['setEnvironment'];
      return api.setEnvironment(e.assignments, e.unset);
    }
    case 'freezeUnit': {
      const f = p as MethodParams['freezeUnit'];
      return api.freezeUnit(f.unit, f.action);
    }
    case 'cleanUnit': {
      const c = p as MethodParams['cleanUnit'];
      return api.cleanUnit(c.unit, c.what);
    }
  }
}

function toWireError(err: unknown): WireError {
  if (err instanceof ManagerError || err instanceof ProtocolError) return { busError: err.busError, message: err.message };
  const message = err instanceof Error ? err.message : String(err);
  return { busError: PROTOCOL_ERRORS.failed, message };
}

/** One line per interval about refused clients, however many there are: a flood must not flood the log. */
class RefusalLog {
  private lastAt = 0;
  private suppressed = 0;

  constructor(private readonly write: (line: string) => void) {}

  note(line: string): void {
    const t = Date.now();
    if (t - this.lastAt < CONTROL_LIMITS.refusalLogIntervalMs) {
      this.suppressed++;
      return;
    }
    this.lastAt = t;
    const more = this.suppressed > 0 ? ` (${this.suppressed} more refusals since the last report)` : '';
    this.suppressed = 0;
    this.write(line + more);
  }
}

/** Errors a client gets for going over a bound (the message names the bound). */
function limitError(id: number | null, message: string): ResponseFrame {
  return { v: PROTOCOL_VERSION, id, ok: false, error: { busError: PROTOCOL_ERRORS.limitsExceeded, message } };
}

/** Read once: the probe exists only in a daemon started with it (tests, the bench's long run). */
const MEMORY_PROBE = memoryProbeEnabled();

/** How long a connection being hung up on may take to flush its last answer before it is cut. */
const HANG_UP_GRACE_MS = 1000;

/**
 * Serves one request at a time across all connections: root's connections
 * first, then unprivileged ones in turn, with the event loop let in between
 * requests. However many clients pipeline expensive requests, root's request
 * waits for at most the one being served (unprivileged peers can never starve it).
 */
class Scheduler {
  private readonly privileged = new Set<Connection>();
  private readonly unprivileged = new Set<Connection>();
  private running = false;

  wake(conn: Connection): void {
    (conn.privileged ? this.privileged : this.unprivileged).add(conn);
    if (this.running) return;
    this.running = true;
    setImmediate(() => void this.run());
  }

  private next(): Connection | undefined {
    for (const set of [this.privileged, this.unprivileged]) {
      for (const conn of set) {
        set.delete(conn);
        return conn;
      }
    }
    return undefined;
  }

  private async run(): Promise<void> {
    for (let conn = this.next(); conn !== undefined; conn = this.next()) {
      await conn.serveNext();
      // Back of the line: the others, and new I/O, go first.
      if (conn.servable()) (conn.privileged ? this.privileged : this.unprivileged).add(conn);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    this.running = false;
  }
}

/**
 * One client. Its requests are served in the order they came, one at a time,
 * by the server's Scheduler (a start that waits for its job is the exception:
 * it waits aside, so a status query behind it is answered). Reading stops
 * while too many requests are queued or too many reply bytes wait for the
 * client, and resumes on 'drain': a client that sends without reading holds
 * a bounded amount of PID 1's memory (limits.ts).
 */
class Connection {
  private readonly reader = new FrameReader();
  private readonly queue: string[] = [];
  private waitingJobs = 0;
  private closed = false;
  readonly privileged: boolean;

  constructor(
    private readonly socket: Socket,
    private readonly api: ManagerApi,
    private readonly options: ServingOptions,
    readonly peer: PeerCredentials | undefined,
    private readonly scheduler: Scheduler,
    private readonly replies: ReplyBudget,
  ) {
    this.privileged = isPrivileged(peer);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => (this.privileged ? this.flowControl() : this.replies.drained()));
    socket.on('error', (err) => this.options.onError('control connection', err));
    socket.on('close', () => {
      this.closed = true;
      this.queue.length = 0;
    });
    if (!this.privileged) {
      socket.setTimeout(CONTROL_LIMITS.idleTimeoutMs, () => this.end());
    }
  }

  /** The client's pid, from SO_PEERCRED at accept. */
  peerPid(): number | undefined {
    return this.peer?.pid;
  }

  end(): void {
    this.closed = true;
    this.queue.length = 0;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    let lines: string[];
    try {
      lines = this.reader.push(chunk);
    } catch (err) {
      this.reject(err);
      return;
    }
    for (const line of lines) if (line.trim() !== '') this.queue.push(line);
    this.flowControl();
  }

  /** Reply bytes written to this client and not yet taken. */
  queuedReplyBytes(): number {
    return this.socket.writableLength;
  }

  private congested(): boolean {
    if (this.socket.writableLength > CONTROL_LIMITS.maxQueuedReplyBytes) return true;
    return !this.privileged && this.replies.exhausted();
  }

  /** Has a request it may serve now. */
  servable(): boolean {
    return !this.closed && this.queue.length > 0 && !this.congested();
  }

  /** Read only while the queues are short; ask for a turn when there is work. */
  flowControl(): void {
    if (this.closed) return;
    if (this.congested() || this.queue.length >= CONTROL_LIMITS.maxQueuedRequests) this.socket.pause();
    else this.socket.resume();
    if (this.servable()) this.scheduler.wake(this);
  }

  /** Serve the oldest queued request (called by the Scheduler). */
  async serveNext(): Promise<void> {
    const line = this.queue.shift();
    if (line === undefined || this.closed) return;
    try {
      if (MEMORY_PROBE && this.privileged && this.serveMemoryProbe(line)) return;
      let req: RequestFrame;
      try {
        req = parseRequest(line);
      } catch (err) {
        this.reject(err);
        return;
      }
      if (req.method === 'enqueueJob' && (req.params as MethodParams['enqueueJob']).wait) {
        if (this.waitingJobs >= CONTROL_LIMITS.maxWaitingJobs) {
          this.send(limitError(req.id, `Too many waiting jobs on this connection (at most ${CONTROL_LIMITS.maxWaitingJobs}).`));
        } else {
          this.waitingJobs++;
          void this.serve(req).finally(() => this.waitingJobs--);
        }
      } else {
        await this.serve(req);
      }
    } catch (err) {
      this.options.onError('control connection', err);
      this.end();
      return;
    }
    if (this.closed) return;
    if (this.congested() || this.queue.length >= CONTROL_LIMITS.maxQueuedRequests) this.socket.pause();
    else this.socket.resume();
  }

  /** The test-only memory probe (memory-probe.ts); false when the line asks for something else. */
  private serveMemoryProbe(line: string): boolean {
    if (!line.includes(MEMORY_PROBE_METHOD)) return false;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      return false;
    }
    if (typeof raw !== 'object' || raw === null || (raw as { method?: unknown }).method !== MEMORY_PROBE_METHOD) return false;
    const { id, params } = raw as { id?: unknown; params?: { heapSnapshot?: unknown } };
    const snapshot = typeof params?.heapSnapshot === 'string' ? params.heapSnapshot : undefined;
    this.send({ v: PROTOCOL_VERSION, id: typeof id === 'number' ? id : null, ok: true, result: memoryStats(snapshot) });
    return true;
  }

  /** A message we cannot serve: answer once, then hang up on this client only. */
  private reject(err: unknown): void {
    if (this.closed) return;
    const id = err instanceof ProtocolError ? err.id : null;
    this.closed = true;
    this.queue.length = 0;
    hangUp(this.socket, { v: PROTOCOL_VERSION, id, ok: false, error: toWireError(err) });
  }

  private async serve(req: RequestFrame): Promise<void> {
    try {
      if (!this.options.authorize(req.method, this.peer)) {
        this.send({ v: PROTOCOL_VERSION, id: req.id, ok: false, error: { busError: PROTOCOL_ERRORS.accessDenied, message: 'Access denied' } });
        return;
      }
      const result = await dispatch(this.api, req);
      this.send({ v: PROTOCOL_VERSION, id: req.id, ok: true, result: result ?? null });
    } catch (err) {
      if (!(err instanceof ManagerError)) this.options.onError(`control method ${req.method}`, err);
      this.send({ v: PROTOCOL_VERSION, id: req.id, ok: false, error: toWireError(err) });
    }
  }

  /**
   * Write a reply, in parts when it is larger than a frame. Written whole: a
   * lagging client then gets no further request served until 'drain', so
   * what waits for it is at most maxQueuedReplyBytes plus one reply.
   */
  private send(frame: ResponseFrame): void {
    let frames: string[];
    try {
      frames = encodeReply(frame);
    } catch (err) {
      // A result that does not serialise (a cycle, a BigInt) is a manager bug; the client still gets an answer.
      frames = [encodeFrame({ v: PROTOCOL_VERSION, id: frame.id, ok: false, error: toWireError(err) })];
    }
    for (const text of frames) {
      if (this.socket.destroyed || !this.socket.writable) return;
      try {
        this.socket.write(text);
      } catch (err) {
        this.options.onError('control write', err);
        return;
      }
    }
  }
}

/**
 * Send a last frame, stop writing, and drop whatever the client still sends
 * until it hangs up, so that it reads the frame rather than an EPIPE; one that
 * keeps its end open loses it after a short grace, so refused clients hold no
 * descriptor of PID 1 for long.
 */
/** Refused sockets still open, waiting for their client to read the refusal and hang up. */
let hangingUp = 0;

function hangUp(socket: Socket, frame: ResponseFrame): void {
  // Each holds an fd for up to HANG_UP_GRACE_MS (closing before the client has read its request
  // would reset the connection and lose the message): a burst of refused clients that never hang
  // up gets the message only up to a bound, the rest are closed at once.
  if (hangingUp >= CONTROL_LIMITS.maxRefusedWaiting) {
    socket.destroy();
    return;
  }
  hangingUp++;
  socket.once('close', () => hangingUp--);
  // A refused socket has no other listener: an ECONNRESET must not become an uncaught error.
  socket.on('error', () => undefined);
  socket.on('data', () => undefined);
  socket.resume();
  try {
    socket.end(encodeFrame(frame));
  } catch {
    socket.destroy();
    return;
  }
  setTimeout(() => socket.destroy(), HANG_UP_GRACE_MS).unref();
}

/**
 * What all unprivileged connections together may have written and not yet been taken
 * (maxUnprivilegedQueuedReplyBytes). When one of them drains, the others that waited on the
 * shared budget are woken.
 */
class ReplyBudget {
  constructor(private readonly connections: ReadonlySet<Connection>) {}

  exhausted(): boolean {
    let sum = 0;
    for (const c of this.connections) {
      if (c.privileged) continue;
      sum += c.queuedReplyBytes();
      if (sum > CONTROL_LIMITS.maxUnprivilegedQueuedReplyBytes) return true;
    }
    return false;
  }

  drained(): void {
    for (const c of this.connections) if (!c.privileged) c.flowControl();
  }
}

/** Root (or an unknown peer, when the socket is owner-only) is never capped below its reserved share nor timed out. */
function isPrivileged(peer: PeerCredentials | undefined): boolean {
  return peer === undefined || privilegedUid(peer.uid);
}

/**
 * Connection caps per peer uid (SO_PEERCRED): unprivileged uids share
 * maxConnections minus root's reserved part, each at most maxConnectionsPerUid.
 * Returns why a new connection is refused, or undefined to accept it.
 */
class ConnectionCaps {
  private readonly perUid = new Map<number, number>();
  private total = 0;
  private unprivileged = 0;
  /** maxConnections, or less under a low RLIMIT_NOFILE (fd-budget.ts); root keeps a quarter of it at most. */
  private readonly max = connectionCap(CONTROL_LIMITS.maxConnections);
  private readonly unprivilegedMax = this.max - Math.min(CONTROL_LIMITS.rootReservedConnections, Math.floor(this.max / 4));

  refusal(peer: PeerCredentials | undefined): string | undefined {
    const L = CONTROL_LIMITS;
    if (this.total >= this.max) return `Too many control connections (at most ${this.max}).`;
    if (isPrivileged(peer)) return undefined;
    const uid = (peer as PeerCredentials).uid;
    if ((this.perUid.get(uid) ?? 0) >= L.maxConnectionsPerUid) {
      return `The maximum number of active connections for UID ${uid} has been reached (${L.maxConnectionsPerUid}).`;
    }
    if (this.unprivileged >= this.unprivilegedMax) {
      return `Too many control connections of unprivileged users (at most ${this.unprivilegedMax}).`;
    }
    return undefined;
  }

  add(peer: PeerCredentials | undefined): void {
    this.count(peer, 1);
  }

  remove(peer: PeerCredentials | undefined): void {
    this.count(peer, -1);
  }

  private count(peer: PeerCredentials | undefined, delta: number): void {
    this.total += delta;
    if (isPrivileged(peer)) return;
    const uid = (peer as PeerCredentials).uid;
    this.unprivileged += delta;
    const n = (this.perUid.get(uid) ?? 0) + delta;
    if (n > 0) this.perUid.set(uid, n);
    else this.perUid.delete(uid);
  }
}

async function removeStaleSocket(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/**
 * Listen on `socketPath` and serve `api` to every client. A socket file left
 * by an earlier daemon is replaced (PID 1 owns this path).
 */
export async function serveControl(
  socketPath: string,
  api: ManagerApi,
  options: ControlServerOptions = {},
): Promise<ControlServer> {
  const opts: ServingOptions = {
    authorize: options.authorize ?? defaultAuthorize,
    onError: (what, err) => {
      try {
        options.onError?.(what, err);
      } catch {
        // a broken logger must not break serving
      }
    },
    onRefusal: (line) => {
      try {
        if (options.onRefusal) options.onRefusal(line);
        else options.onError?.('control limits', new Error(line));
      } catch {
        // as above
      }
    },
  };
  await mkdir(dirname(socketPath), { recursive: true, mode: 0o755 });
  if (options.adoptFd === undefined) await removeStaleSocket(socketPath);

  const connections = new Set<Connection>();
  const caps = new ConnectionCaps();
  const scheduler = new Scheduler();
  const replies = new ReplyBudget(connections);
  const refusals = new RefusalLog((line) => opts.onRefusal(line));
  const server: Server = createServer((socket) => {
    try {
      const peer = socketPeerCredentials(socket);
      const refused = caps.refusal(peer);
      if (refused !== undefined) {
        refusals.note(`Refused control connection from uid ${peer?.uid ?? '?'} pid ${peer?.pid ?? '?'}: ${refused}`);
        hangUp(socket, limitError(null, refused));
        return;
      }
      const conn = new Connection(socket, api, opts, peer, scheduler, replies);
      connections.add(conn);
      caps.add(peer);
      socket.on('close', () => {
        connections.delete(conn);
        caps.remove(peer);
      });
    } catch (err) {
      opts.onError('control accept', err);
      socket.destroy();
    }
  });
  server.on('error', (err) => opts.onError('control server', err));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    const listening = () => {
      server.off('error', reject);
      resolve();
    };
    if (options.adoptFd !== undefined) server.listen({ fd: options.adoptFd }, listening);
    else server.listen(socketPath, listening);
  });
  // Anyone may connect, as to systemd's private bus: each request is authorized by the peer's uid.
  if (options.adoptFd === undefined) await chmod(socketPath, 0o666);

  let closing: Promise<void> | undefined;
  return {
    path: socketPath,
    listeningFd() {
      // net.Server keeps its pipe handle's fd on the (undocumented but stable) _handle.
      const fd = (server as unknown as { _handle?: { fd?: number } | null })._handle?.fd;
      return typeof fd === 'number' && fd >= 0 ? fd : undefined;
    },
    async drain(timeoutMs: number): Promise<void> {
      server.close();
      const deadline = Date.now() + timeoutMs;
      const pids = new Set<number>();
      for (const c of connections) {
        const pid = c.peerPid();
        if (pid !== undefined && pid !== process.pid) pids.add(pid);
      }
      // A client outside our process tree gives no exit event, so this is a short bounded wait.
      while (Date.now() < deadline && (connections.size > 0 || [...pids].some(processRunning))) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const c of connections) c.end();
      }).then(() => removeStaleSocket(socketPath).catch(() => undefined));
      return closing;
    },
  };
}

/** Alive and not a zombie: a zombie has finished; its parent only has not collected it yet. */
function processRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

// The daemon side of the control socket. Like s6's control tools, it must
// never be able to take the manager down: every callback catches, a broken or
// hostile client only ever loses its own connection, and a reply that cannot
// be written is dropped.

import { chmod, mkdir, unlink } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';

import { ManagerError, type ManagerApi } from './api.js';
import { socketPeerCredentials, type Credentials as PeerCredentials } from '../native/index.js';
import {
  encodeFrame,
  FrameReader,
  MUTATING_METHODS,
  PROTOCOL_ERRORS,
  PROTOCOL_VERSION,
  ProtocolError,
  parseRequest,
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
}

function defaultAuthorize(method: MethodName, peer: PeerCredentials | undefined): boolean {
  if (!MUTATING_METHODS.has(method)) return true;
  return peer === undefined || peer.uid === 0;
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
    case 'listUnits':
      return api.listUnits(p as MethodParams['listUnits']);
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

class Connection {
  private readonly reader = new FrameReader();
  private closed = false;
  private peer: PeerCredentials | undefined;

  /** The client's pid once its credentials were read (they are read with its first request). */
  peerPid(): number | undefined {
    return this.peer?.pid;
  }

  constructor(
    private readonly socket: Socket,
    private readonly api: ManagerApi,
    private readonly options: Required<ControlServerOptions>,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.options.onError('control connection', err));
    socket.on('close', () => {
      this.closed = true;
    });
  }

  end(): void {
    this.closed = true;
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
    for (const line of lines) {
      if (this.closed) return;
      if (line.trim() === '') continue;
      let req: RequestFrame;
      try {
        req = parseRequest(line);
      } catch (err) {
        this.reject(err);
        return;
      }
      void this.serve(req);
    }
  }

  /** A message we cannot serve: answer once, then hang up on this client only. */
  private reject(err: unknown): void {
    const id = err instanceof ProtocolError ? err.id : null;
    this.send({ v: PROTOCOL_VERSION, id, ok: false, error: toWireError(err) }, () => this.end());
    this.closed = true;
  }

  private async serve(req: RequestFrame): Promise<void> {
    try {
      this.peer ??= socketPeerCredentials(this.socket);
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

  private send(frame: ResponseFrame, done?: () => void): void {
    if (this.socket.destroyed || !this.socket.writable) {
      done?.();
      return;
    }
    let text: string;
    try {
      text = encodeFrame(frame);
    } catch (err) {
      // A result that does not serialise (a cycle, a BigInt) is a manager bug; the client still gets an answer.
      text = encodeFrame({ v: PROTOCOL_VERSION, id: frame.id, ok: false, error: toWireError(err) });
    }
    try {
      this.socket.write(text, () => done?.());
    } catch (err) {
      this.options.onError('control write', err);
      done?.();
    }
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
  const opts: Required<ControlServerOptions> = {
    authorize: options.authorize ?? defaultAuthorize,
    onError: (what, err) => {
      try {
        options.onError?.(what, err);
      } catch {
        // a broken logger must not break serving
      }
    },
  };
  await mkdir(dirname(socketPath), { recursive: true, mode: 0o755 });
  await removeStaleSocket(socketPath);

  const connections = new Set<Connection>();
  const server: Server = createServer((socket) => {
    try {
      const conn = new Connection(socket, api, opts);
      connections.add(conn);
      socket.on('close', () => connections.delete(conn));
    } catch (err) {
      opts.onError('control accept', err);
      socket.destroy();
    }
  });
  server.on('error', (err) => opts.onError('control server', err));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Anyone may connect, as to systemd's private bus: each request is authorized by the peer's uid.
  await chmod(socketPath, 0o666);

  let closing: Promise<void> | undefined;
  return {
    path: socketPath,
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

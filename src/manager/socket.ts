// .socket units (systemd.socket(5), src/core/socket.c): PID 1 creates the listening sockets,
// FIFOs and special files, and starts the service on traffic. Accept=no: the fds are watched
// for readability (never read) while `listening`; traffic starts the service through a normal
// job and the socket is `running` (not watched) until the service is down again; the service
// gets every fd at 3+ with LISTEN_FDS. Accept=yes: PID 1 accepts and starts one instance of
// `<prefix>@.service` per connection, the connection being its socket.

import { randomId128 } from './random-id.js';
import { chownSync, closeSync, mkdirSync, openSync, constants as fsConstants, rmSync, symlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ExecCommandState, KillWhom, Properties } from '../control/api.js';
import type { ChildExit, PendingSpawn } from '../exec/native.js';
import { defaultExecSettings, type ExecCommand, type ExecSettings } from '../exec/settings.js';
import { lookupGroupId, lookupUser } from '../exec/users.js';
import { acceptConnection, listenSocket, openFifo, ReadableWatch, setBlocking, type AcceptedConnection, type ListenSpec } from '../native/listen.js';
import { defaultSocketSection } from '../units/schema/defaults.js';
import { keepAliveSeconds } from '../units/schema/socket-keys.js';
import type { SocketPort, SocketSection } from '../units/schema/types.js';
import { instantiate } from '../units/unit-name.js';
import { formatSocketAddress } from '../units/values/socket-address.js';
import { DeadlineTimer, now } from './clock.js';
import { afterKillPhase, EmptinessCheck, enterKillPhase, killedLine, killPhaseDone, signalPid, type KillPhase } from './kill.js';
import { SIGNAL } from '../units/values/signal.js';
import { PRIORITY, type CapturedStream } from './log-sink.js';
import { deadlineOf, keptFd, rearm, restoreStreams, snapshotStreams } from './serialize-fields.js';
import { notYetReaped, scanProcesses, unitPids } from './process-tracker.js';
import { execStateProperty, noTimestamps, timestampProperties, unitBaseProperties, type UnitTimestamps } from './properties.js';
import { RateLimit } from './rate-limit.js';
import { resultOfExit } from './restart-policy.js';
import { commandExitError, commandLine, commandStartError, EXIT_CODE_NUMBER, launchCommand, type CommandOutcome, type StartedCommand } from './run-command.js';
import { serviceSettingsOf, type ServiceSettings } from './service-settings.js';
import { isDown, type ActiveState } from './states.js';
import { DEFAULT_STATUS_MESSAGES, type UnitSnapshot, type LoadedUnit, type StatusMessageFormats, type TriggeredUnitStatus, type UnitHost, type UnitInstance, type UnitType } from './unit-type.js';

/** socket_state_to_string() with its UnitActiveState (state_translation_table). */
const SOCKET_STATE_TABLE = {
  dead: 'inactive',
  'start-pre': 'activating',
  'start-chown': 'activating',
  'start-post': 'activating',
  listening: 'active',
  running: 'active',
  'stop-pre': 'deactivating',
  'stop-pre-sigterm': 'deactivating',
  'stop-pre-sigkill': 'deactivating',
  'stop-post': 'deactivating',
  'final-sigterm': 'deactivating',
  'final-sigkill': 'deactivating',
  failed: 'failed',
} as const satisfies Record<string, ActiveState>;
type SocketState = keyof typeof SOCKET_STATE_TABLE;

/** socket_result_to_string(). */
export const SOCKET_RESULTS = ['success', 'resources', 'timeout', 'exit-code', 'signal', 'core-dump', 'start-limit-hit', 'trigger-limit-hit', 'service-start-limit-hit'] as const;
type SocketResult = (typeof SOCKET_RESULTS)[number];

/** The socket's command lists, in the order they run; ExecStopPre= lives in `execStop`. */
type SocketExecList = 'execStartPre' | 'execStartPost' | 'execStop' | 'execStopPost';
const EXEC_PROPERTY: Record<SocketExecList, string> = {
  execStartPre: 'ExecStartPre',
  execStartPost: 'ExecStartPost',
  execStop: 'ExecStopPre',
  execStopPost: 'ExecStopPost',
};
const LIST_STATE: Record<SocketExecList, SocketState> = {
  execStartPre: 'start-pre',
  execStartPost: 'start-post',
  execStop: 'stop-pre',
  execStopPost: 'stop-post',
};

type KillState = 'stop-pre-sigterm' | 'stop-pre-sigkill' | 'final-sigterm' | 'final-sigkill';
const KILL_PHASE: Record<KillState, KillPhase> = { 'stop-pre-sigterm': 'term', 'final-sigterm': 'term', 'stop-pre-sigkill': 'kill', 'final-sigkill': 'kill' };

/** States in which the ports are open (socket_set_state() closes them in every other one). */
const PORTS_OPEN: readonly SocketState[] = ['start-post', 'listening', 'running', 'stop-pre', 'stop-pre-sigterm', 'stop-pre-sigkill'];


interface OpenPort {
  port: SocketPort;
  fd: number;
  /** A socket's listenSocket spec: an Accept=yes connection gets the same options. */
  spec?: ListenSpec;
}

/** An accepted connection waiting for (or handed to) its instance. */
interface Connection {
  fd: number | undefined;
  source: string | undefined;
}

let syntheticPid = 0;

/** Service substates in which socket_trigger_notify() returns the socket to listening. */
const SERVICE_GONE: ReadonlySet<string> = new Set(['dead', 'failed', 'final-sigterm', 'final-sigkill', 'auto-restart']);

/**
 * The fds a service gets are blocking (systemd's flags_fds() with NonBlocking=no, the default):
 * O_NONBLOCK lives in the open file description, so clearing it here is what the child would do.
 * PID 1 only watches Accept=no ports for readability and never reads them, except flushPorts().
 */
function handBlocking(fds: number[]): void {
  for (const fd of fds) {
    try {
      setBlocking(fd, true);
    } catch {
      // a closed fd: the spawn reports it
    }
  }
}

function closeQuietly(fd: number | undefined): void {
  if (fd === undefined) return;
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}

export class SocketUnit implements UnitInstance {
  private state: SocketState = 'dead';
  private result: SocketResult = 'success';
  private invocationId = '';
  private section: SocketSection;
  private s: ServiceSettings;
  private exec: ExecSettings;
  private ports: OpenPort[] = [];
  private watches: ReadableWatch[] = [];
  private triggerLimit: RateLimit;
  private readonly startLimit: RateLimit;
  private readonly ts: UnitTimestamps = noTimestamps();

  private controlPid = 0;
  private controlList: SocketExecList | undefined;
  private controlIndex = 0;
  private records = new Map<string, { startTimestamp: number; stopTimestamp: number; pid: number; code: number; status: number }>();
  private readonly sessions = new Set<number>();
  private readonly streams = new Map<number, CapturedStream>();

  private nAccepted = 0;
  private nRefused = 0;
  /** Accept=yes: live instances and their connections. */
  private readonly connections = new Map<string, Connection>();

  private readonly timer = new DeadlineTimer(() => this.host.deliver(this.id, 'timer', () => this.onTimeout()));
  private readonly emptiness = new EmptinessCheck(() => this.host.deliver(this.id, 'timer', () => this.checkKillProgress()));

  constructor(
    private config: LoadedUnit,
    private readonly host: UnitHost,
  ) {
    this.section = config.schema?.socket ?? defaultSocketSection();
    this.s = serviceSettingsOf(this.section.exec);
    this.exec = config.exec ?? defaultExecSettings();
    this.triggerLimit = new RateLimit(this.section.triggerLimitIntervalUSec, this.triggerLimitBurst());
    this.startLimit = new RateLimit(config.unit.startLimitIntervalUSec, config.unit.startLimitBurst);
  }

  private get id(): string {
    return this.config.id;
  }

  get activeState(): ActiveState {
    return SOCKET_STATE_TABLE[this.state];
  }

  get subState(): string {
    return this.state;
  }

  lastResult(): string {
    return this.result;
  }

  private triggerLimitBurst(): number {
    return this.section.triggerLimitBurst ?? (this.section.accept ? 200 : 20);
  }

  /** Accept=no: the service started on traffic (Service= or the same name). */
  private get service(): string | undefined {
    return this.section.accept ? undefined : this.config.unit.triggers[0];
  }

  reload(config: LoadedUnit): void {
    this.config = config;
    this.section = config.schema?.socket ?? defaultSocketSection();
    this.s = serviceSettingsOf(this.section.exec);
    this.exec = config.exec ?? defaultExecSettings();
    this.triggerLimit = new RateLimit(this.section.triggerLimitIntervalUSec, this.triggerLimitBurst());
  }

  private setState(next: SocketState): void {
    const from = this.activeState;
    const old = this.state;
    this.state = next;
    if (!PORTS_OPEN.includes(next)) this.closePorts();
    if (next !== 'listening') this.unwatch();
    if (!['start-pre', 'start-post', 'stop-pre', 'stop-post', 'stop-pre-sigterm', 'stop-pre-sigkill', 'final-sigterm', 'final-sigkill'].includes(next)) {
      this.timer.disarm();
      this.emptiness.disarm();
    }
    if (old === next) return;
    const to = this.activeState;
    if (from !== to) {
      const t = now();
      this.ts.stateChange = t;
      if (isDown(from) && !isDown(to)) this.ts.inactiveExit = t;
      if (from !== 'active' && to === 'active') this.ts.activeEnter = t;
      if (from === 'active' && to !== 'active') this.ts.activeExit = t;
      if (!isDown(from) && isDown(to)) this.ts.inactiveEnter = t;
    }
    this.host.log.debug({ unit: this.id, from: old, to: next }, 'state change');
    if (from !== to) this.host.stateChanged(this.id, { from, to });
  }

  private message(text: string, priority: number = PRIORITY.info): void {
    this.host.unitMessage(this.id, text, priority);
  }

  private addResult(f: SocketResult): void {
    if (this.result === 'success') this.result = f;
  }

  // ---------------------------------------------------------------- start

  start(): 'started' | 'already' | 'wait' | 'failed' {
    if (this.state === 'listening' || this.state === 'running') return 'already';
    if (this.state === 'start-pre' || this.state === 'start-post') return 'already';
    if (SOCKET_STATE_TABLE[this.state] === 'deactivating') return 'wait';
    if (this.config.loadState !== 'loaded') return 'failed';
    const service = this.service;
    if (service !== undefined) {
      const status = this.host.unitStatus(service);
      if (status.loadState !== 'loaded') {
        this.message(`Socket service ${service} not loaded, refusing.`, PRIORITY.err);
        return 'failed';
      }
    }
    if (!this.startLimit.below()) {
      this.message('Start request repeated too quickly.', PRIORITY.warning);
      this.host.startLimitHit?.(this.id); // StartLimitAction=, as for services (manager.ts)
      this.result = 'start-limit-hit';
      this.enterDead('start-limit-hit');
      return 'failed';
    }
    this.result = 'success';
    this.invocationId = randomId128();
    this.records.clear();
    if (this.s.execStartPre.length > 0) {
      this.setState('start-pre');
      this.timer.armIn(this.section.timeoutUSec);
      this.runControl('execStartPre', 0);
    } else {
      this.enterStartPost();
    }
    return 'started';
  }

  /** socket_enter_start_post(): open the ports, then ExecStartPost=. */
  private enterStartPost(): void {
    try {
      this.openPorts();
      this.makeSymlinks();
      this.chownNodes();
    } catch (err) {
      this.closePorts();
      this.message(`Failed to listen on sockets: ${(err as Error).message}`, PRIORITY.warning);
      this.enterStopPre('resources');
      return;
    }
    this.setState('start-post');
    if (this.s.execStartPost.length > 0) {
      this.timer.armIn(this.section.timeoutUSec);
      this.runControl('execStartPost', 0);
    } else {
      this.enterListening();
    }
  }

  // ---------------------------------------------------------------- daemon-reexec (serialize-fields.ts)

  snapshot(keep: (fd: number) => void): UnitSnapshot {
    return this.runState(keep);
  }

  private runState(keep: (fd: number) => void) {
    for (const p of this.ports) keep(p.fd);
    for (const c of this.connections.values()) if (c.fd !== undefined) keep(c.fd);
    return {
      state: this.state, result: this.result, invocationId: this.invocationId, ports: this.ports, controlPid: this.controlPid,
      controlList: this.controlList ?? null, controlIndex: this.controlIndex, records: [...this.records], sessions: [...this.sessions],
      streams: snapshotStreams(this.streams, keep), nAccepted: this.nAccepted, nRefused: this.nRefused, connections: [...this.connections],
      timer: deadlineOf(this.timer), ts: this.ts,
    };
  }

  /** The listening fds were kept: what queued on them meanwhile is still there, and is seen once watched again. */
  restore(snap: UnitSnapshot): void {
    const r = snap as unknown as ReturnType<SocketUnit['runState']>;
    Object.assign(this, {
      state: r.state, result: r.result, invocationId: r.invocationId, controlPid: r.controlPid, controlList: r.controlList ?? undefined,
      controlIndex: r.controlIndex, nAccepted: r.nAccepted, nRefused: r.nRefused,
    });
    this.ports = r.ports.filter((p) => keptFd(p.fd) !== undefined);
    for (const [key, record] of r.records) this.records.set(key, record);
    for (const pid of r.sessions) this.sessions.add(pid);
    for (const [key, c] of r.connections) {
      this.connections.set(key, { fd: c.fd === undefined ? undefined : keptFd(c.fd), source: c.source });
      this.host.addTrigger?.(this.id, key);
    }
    Object.assign(this.ts, r.ts);
    if (this.controlPid > 0) this.host.watchPid(this.controlPid, this.id);
    restoreStreams(r.streams, this.host.logSink, this.streams);
    rearm(this.timer, r.timer);
    if (this.state === 'listening') this.watch();
  }

  private openPorts(): void {
    if (this.ports.length > 0) return;
    const sec = this.section;
    for (const port of sec.ports) {
      const spec = listenSpec(port, sec);
      const fd = this.openPort(port, sec, spec);
      if (fd !== undefined) this.ports.push({ port, fd, spec });
    }
  }

  private openPort(port: SocketPort, sec: SocketSection, spec: ListenSpec | undefined): number | undefined {
    const label = port.text;
    const mkParent = (path: string): void => {
      mkdirSync(dirname(path), { recursive: true, mode: sec.directoryMode });
    };
    try {
      switch (port.kind) {
        case 'Stream':
        case 'Datagram':
        case 'SequentialPacket': {
          if (!spec) return undefined;
          if (port.address?.family === 'unix') mkParent(port.address.path);
          const listening = listenSocket(spec);
          for (const w of listening.warnings) this.message(w, PRIORITY.warning);
          return listening.fd;
        }
        case 'FIFO':
          mkParent(port.text);
          return openFifo(port.text, sec.socketMode);
        case 'Special':
          return openSync(port.text, (sec.writable ? fsConstants.O_RDWR : fsConstants.O_RDONLY) | fsConstants.O_NOCTTY | fsConstants.O_NONBLOCK);
        default:
          this.message(`Listen${port.kind}=${port.text} is not supported in a container, ignoring.`, PRIORITY.notice);
          return undefined;
      }
    } catch (err) {
      throw new Error(`${label}: ${errorText(err)}`);
    }
  }

  /** The file-system nodes of the ports (unix sockets, FIFOs, special files). */
  private nodes(): string[] {
    const out: string[] = [];
    for (const p of this.section.ports) {
      if (p.address?.family === 'unix') out.push(p.address.path);
      else if (p.kind === 'FIFO' || p.kind === 'Special') out.push(p.text);
    }
    return out;
  }

  private makeSymlinks(): void {
    const node = this.nodes()[0];
    if (node === undefined) return;
    for (const link of this.section.symlinks) {
      try {
        mkdirSync(dirname(link), { recursive: true, mode: this.section.directoryMode });
        rmSync(link, { force: true });
        symlinkSync(node, link);
      } catch (err) {
        this.message(`Failed to create symlink ${link} → ${node}, ignoring: ${errorText(err)}`, PRIORITY.warning);
      }
    }
  }

  /** socket_chown() (systemd forks "(sd-chown)"): SocketUser=/SocketGroup= of every node. */
  private chownNodes(): void {
    const { socketUser, socketGroup } = this.section;
    if (socketUser === undefined && socketGroup === undefined) return;
    let uid = -1;
    let gid = -1;
    if (socketUser !== undefined) {
      const user = lookupUser(socketUser);
      if (!user) throw new Error(`Failed to resolve user ${socketUser}: No such process`);
      uid = user.uid;
      gid = user.gid;
    }
    if (socketGroup !== undefined) {
      const g = lookupGroupId(socketGroup);
      if (g === undefined) throw new Error(`Failed to resolve group ${socketGroup}: No such process`);
      gid = g;
    }
    for (const node of this.nodes()) chownSync(node, uid, gid);
  }

  /** socket_enter_listening(): watch every port for traffic. */
  private enterListening(): void {
    if (this.section.flushPending) this.flushPorts();
    this.setState('listening');
    this.watch();
  }

  private watch(): void {
    this.unwatch();
    for (const p of this.ports) {
      if (p.port.kind === 'Special' || p.port.kind === 'FIFO' || !this.section.accept) {
        this.watches.push(new ReadableWatch(p.fd, () => this.host.deliver(this.id, 'file-watch', () => this.onTraffic(p))));
      } else {
        this.watches.push(new ReadableWatch(p.fd, () => this.host.deliver(this.id, 'file-watch', () => this.onConnection(p))));
      }
    }
  }

  private unwatch(): void {
    for (const w of this.watches) w.close();
    this.watches = [];
  }

  /** FlushPending=yes: drop what queued up while the service ran. */
  private flushPorts(): void {
    for (const p of this.ports) {
      if (p.port.kind !== 'Stream' && p.port.kind !== 'SequentialPacket') continue;
      // The last service got it blocking (passedFds()); accepting must never block PID 1.
      setBlocking(p.fd, false);
      for (let i = 0; i < 1024; i++) {
        const c = acceptConnection(p.fd);
        if (!c) break;
        closeQuietly(c.fd);
      }
    }
  }

  // ---------------------------------------------------------------- traffic

  /** Accept=no: traffic on a port starts the service (socket_enter_running()). */
  private onTraffic(_port: OpenPort): void {
    if (this.state !== 'listening') return;
    if (!this.triggerLimit.below()) {
      this.message('Trigger limit hit, refusing further activation.', PRIORITY.warning);
      this.enterStopPre('trigger-limit-hit');
      return;
    }
    const service = this.service;
    if (service === undefined) return;
    const status = this.host.unitStatus(service);
    this.setState('running');
    if (isDown(status.activeState) && !status.hasJob) this.host.triggerStart(service, this.id);
  }

  /** Accept=yes: accept what is queued; each connection starts its own instance. */
  private onConnection(port: OpenPort): void {
    if (this.state !== 'listening') return;
    for (let i = 0; i < 64; i++) {
      const c = acceptConnection(port.fd, port.spec);
      if (!c) return;
      for (const w of c.warnings) this.message(w, PRIORITY.warning);
      if (!this.triggerLimit.below()) {
        closeQuietly(c.fd);
        this.message('Trigger limit hit, refusing further activation.', PRIORITY.warning);
        this.enterStopPre('trigger-limit-hit');
        return;
      }
      this.startInstance(c);
    }
  }

  private startInstance(c: AcceptedConnection): void {
    const live = this.connections.size;
    if (live >= this.section.maxConnections) {
      this.message(`Too many incoming connections (${live}), dropping connection.`, PRIORITY.warning);
      this.nRefused++;
      closeQuietly(c.fd);
      return;
    }
    const source = c.remoteHost ?? (c.peerUid !== undefined ? `uid:${c.peerUid}` : undefined);
    if (this.section.maxConnectionsPerSource > 0 && source !== undefined) {
      const fromSource = [...this.connections.values()].filter((x) => x.source === source).length;
      if (fromSource >= this.section.maxConnectionsPerSource) {
        this.message(`Too many incoming connections (${fromSource}) from source ${c.remoteHost ?? source}, dropping connection.`, PRIORITY.warning);
        this.nRefused++;
        closeQuietly(c.fd);
        return;
      }
    }
    // instance_from_socket(): <n>-<local>-<remote>, or <n>-<pid>-<uid> for AF_UNIX.
    const peer = c.local !== undefined ? `${c.local}-${c.remote}` : c.peerPid !== undefined ? `${c.peerPid}-${c.peerUid}` : 'unknown';
    const prefix = this.id.slice(0, this.id.lastIndexOf('.'));
    const instance = instantiate(`${prefix}@.service`, `${this.nAccepted}-${peer}`);
    this.nAccepted++;
    this.connections.set(instance, { fd: c.fd, source });
    const env = c.remoteHost !== undefined ? [`REMOTE_ADDR=${c.remoteHost}`, `REMOTE_PORT=${c.remotePort}`] : [];
    this.host.addTrigger?.(this.id, instance);
    this.host.triggerStart(instance, this.id, env);
  }

  /**
   * The fds a service started by this socket gets (service_collect_fds()): every port of an
   * Accept=no socket, named FileDescriptorName= (default the unit name); for an Accept=yes
   * instance its connection, named "connection".
   */
  /** `named`: the service lists this socket in Sockets= (it gets the fds without being our Service=). */
  passedFds(service: string, named = false): { fds: number[]; names: string[] } | undefined {
    const connection = this.connections.get(service);
    if (connection) {
      if (connection.fd === undefined) return undefined;
      handBlocking([connection.fd]);
      return { fds: [connection.fd], names: ['connection'] };
    }
    if (this.section.accept || (this.service !== service && !named) || this.ports.length === 0) return undefined;
    const name = this.section.fileDescriptorName ?? this.id;
    const fds = this.ports.map((p) => p.fd);
    handBlocking(fds);
    return { fds, names: this.ports.map(() => name) };
  }

  /** socket_trigger_notify(): follow the triggered service (or, Accept=yes, an instance). */
  triggerNotify(other: TriggeredUnitStatus): void {
    const connection = this.connections.get(other.id);
    if (connection) {
      if (isDown(other.activeState) && !other.hasJob) {
        // The instance ended (or never started): its connection is closed, the slot is free.
        closeQuietly(connection.fd);
        this.connections.delete(other.id);
        this.host.removeTrigger?.(this.id, other.id);
      }
      return;
    }
    if (this.state !== 'listening' && this.state !== 'running') return;
    // Accept=yes: the state of a service naming this socket in Sockets= is none of its business.
    if (this.section.accept) return;
    if (other.result === 'start-limit-hit' && isDown(other.activeState)) {
      this.enterStopPre('service-start-limit-hit');
      return;
    }
    if (other.hasJob) return;
    // Only these service states give the socket back, and only `running` takes it: a oneshot
    // that has exited (RemainAfterExit=yes) or a service still starting leaves it as it is.
    if (this.state === 'running' && SERVICE_GONE.has(other.subState)) this.enterListening();
    else if (this.state === 'listening' && other.subState === 'running') this.setState('running');
  }

  // ---------------------------------------------------------------- stop

  stop(): 'stopping' | 'already' | 'wait' {
    switch (this.state) {
      case 'dead':
      case 'failed':
        return 'already';
      case 'stop-pre':
      case 'stop-pre-sigterm':
      case 'stop-pre-sigkill':
      case 'stop-post':
      case 'final-sigterm':
      case 'final-sigkill':
        return 'stopping';
      case 'start-pre':
      case 'start-post':
        this.enterSignal('stop-pre-sigterm', 'success');
        return 'stopping';
      default:
        this.enterStopPre('success');
        return 'stopping';
    }
  }

  private enterStopPre(f: SocketResult): void {
    this.addResult(f);
    if (this.s.execStop.length > 0) {
      this.setState('stop-pre');
      this.timer.armIn(this.section.timeoutUSec);
      this.runControl('execStop', 0);
    } else {
      this.enterSignal('stop-pre-sigterm', 'success');
    }
  }

  private enterStopPost(f: SocketResult): void {
    this.addResult(f);
    if (this.s.execStopPost.length > 0) {
      this.setState('stop-post');
      this.timer.armIn(this.section.timeoutUSec);
      this.runControl('execStopPost', 0);
    } else {
      this.enterSignal('final-sigterm', 'success');
    }
  }

  /** socket_enter_signal(): kill what the control commands left, per KillMode=. */
  private enterSignal(state: KillState, f: SocketResult): void {
    this.addResult(f);
    const step = enterKillPhase(
      this.s,
      KILL_PHASE[state],
      false,
      { main: 0, control: this.controlAlive() ? this.controlPid : 0, others: () => this.processes(), alive: this.controlAlive() },
      (pid, comm) => this.message(killedLine(pid, comm)),
    );
    if (step === 'wait') {
      this.setState(state);
      this.timer.armIn(this.section.timeoutUSec);
      this.emptiness.restart();
    } else if (step === 'escalate') {
      this.enterSignal(state === 'stop-pre-sigterm' ? 'stop-pre-sigkill' : 'final-sigkill', 'success');
    } else {
      this.afterKillState(state);
    }
  }

  private afterKillState(state: KillState): void {
    this.emptiness.disarm();
    if (state.startsWith('stop-pre')) this.enterStopPost('success');
    else this.enterDead('success');
  }

  private checkKillProgress(): void {
    const state = this.state;
    if (state !== 'stop-pre-sigterm' && state !== 'stop-pre-sigkill' && state !== 'final-sigterm' && state !== 'final-sigkill') return;
    // No main process: KillMode=mixed leaves the rest to the final SIGKILL.
    if (!killPhaseDone(this.s.killMode, KILL_PHASE[state], this.controlAlive(), () => this.processes())) {
      this.emptiness.schedule();
      return;
    }
    this.timer.disarm();
    this.afterKillState(state);
  }

  private enterDead(f: SocketResult): void {
    this.addResult(f);
    this.controlPid = 0;
    this.controlList = undefined;
    this.closePorts();
    if (this.section.removeOnStop) {
      for (const path of [...this.nodes(), ...this.section.symlinks]) rmSync(path, { force: true });
    }
    this.sessions.clear();
    if (this.result !== 'success') this.message(`Failed with result '${this.result}'.`, PRIORITY.warning);
    else if (this.state !== 'dead') this.message('Deactivated successfully.');
    this.setState(this.result === 'success' ? 'dead' : 'failed');
  }

  private closePorts(): void {
    this.unwatch();
    for (const p of this.ports) closeQuietly(p.fd);
    this.ports = [];
  }

  // ---------------------------------------------------------------- control commands

  private runControl(list: SocketExecList, index: number): void {
    const cmd = this.s[list][index];
    this.controlList = list;
    this.controlIndex = index;
    this.controlPid = this.spawn(cmd, EXEC_PROPERTY[list], `${list}:${index}`);
  }

  /**
   * Starts a control command; until the spawner thread has the child exec'd, it stands as a
   * synthetic (negative) pid, which spawned() replaces (or a synthetic exit, as a forked child's 2xx).
   */
  private spawn(cmd: ExecCommand, stage: string, recordKey: string): number {
    const pending = --syntheticPid;
    let pid = pending;
    try {
      const launched = launchCommand(
        this.host,
        {
          unit: this.id,
          invocationId: this.invocationId,
          settings: this.exec,
          managerEnvironment: this.host.managerEnvironment(),
          processEnvironment: this.host.processEnvironment,
          ignoreUser: cmd.privileges !== 'normal',
        },
        stage,
        cmd,
        {},
        (outcome) => this.host.deliver(this.id, 'spawned', () => this.spawned(pending, recordKey, outcome)),
      );
      if ('started' in launched) pid = this.commandStarted(launched.started);
      else this.spawning.set(pending, launched.inFlight);
    } catch (err) {
      const failure = commandStartError(err, stage, commandLine(cmd));
      this.message(failure.message, PRIORITY.err);
      const synthetic: ChildExit = { pid, code: 'exited', status: failure.status };
      setImmediate(() => this.host.deliver(this.id, 'child-exit', () => this.childExited(synthetic)));
    }
    this.records.set(recordKey, { startTimestamp: now().realtime, stopTimestamp: 0, pid: Math.max(pid, 0), code: 0, status: 0 });
    return pid;
  }

  /** Synthetic pid → its spawn in flight: ControlPID= shows the child's pid once the kernel has made it. */
  private readonly spawning = new Map<number, PendingSpawn>();

  private commandStarted(started: StartedCommand): number {
    const pid = started.pid;
    this.sessions.add(pid);
    if (started.stdout) this.streams.set(pid * 2, started.stdout);
    if (started.stderr) this.streams.set(pid * 2 + 1, started.stderr);
    return pid;
  }

  private spawned(pending: number, recordKey: string, outcome: CommandOutcome): void {
    this.spawning.delete(pending);
    const rec = this.records.get(recordKey);
    if ('error' in outcome) {
      this.message(outcome.error.message, PRIORITY.err);
      if (rec && rec.pid === 0 && outcome.error.pid > 0) rec.pid = outcome.error.pid;
      this.childExited({ pid: pending, code: 'exited', status: outcome.error.status });
      return;
    }
    const pid = this.commandStarted(outcome.started);
    if (rec && rec.pid === 0) rec.pid = pid;
    if (this.controlPid === pending) this.controlPid = pid;
    // The socket left the state this command was for while it was being started: nothing waits for it.
    else signalPid(pid, SIGNAL.KILL);
  }

  childExited(exit: ChildExit): void {
    if (exit.pid > 0) {
      this.host.unwatchPid(exit.pid);
      for (const key of [exit.pid * 2, exit.pid * 2 + 1]) {
        this.streams.get(key)?.drain();
        this.streams.delete(key);
      }
    }
    if (exit.pid !== this.controlPid) {
      this.orphanExited();
      return;
    }
    const list = this.controlList;
    const index = this.controlIndex;
    this.controlPid = 0;
    if (!list) return;
    const rec = this.records.get(`${list}:${index}`);
    if (rec) Object.assign(rec, { stopTimestamp: now().realtime, code: EXIT_CODE_NUMBER[exit.code], status: exit.status });
    let f = resultOfExit(exit, 'oneshot', this.s.successExitStatus) as SocketResult;
    if (f !== 'success') {
      this.message(`Control process exited, ${commandExitError(exit, EXEC_PROPERTY[list], commandLine(this.s[list][index])).message}`, PRIORITY.notice);
      if (this.s[list][index]?.ignoreFailure) f = 'success';
    }
    if (f === 'success' && index + 1 < this.s[list].length && LIST_STATE[list] === this.state) {
      this.runControl(list, index + 1);
      return;
    }
    this.controlList = undefined;
    this.timer.disarm();
    switch (this.state) {
      case 'start-pre':
        if (f === 'success') this.enterStartPost();
        else this.enterSignal('final-sigterm', f);
        return;
      case 'start-post':
        if (f === 'success') this.enterListening();
        else this.enterStopPre(f);
        return;
      case 'stop-pre':
        this.enterSignal('stop-pre-sigterm', f);
        return;
      case 'stop-post':
        this.enterSignal('final-sigterm', f);
        return;
      default:
        this.checkKillProgress();
    }
  }

  orphanExited(): void {
    this.checkKillProgress();
  }

  private onTimeout(): void {
    switch (this.state) {
      case 'start-pre':
        this.message('Starting timed out. Terminating.', PRIORITY.warning);
        this.enterSignal('final-sigterm', 'timeout');
        return;
      case 'start-post':
        this.message('Starting timed out. Stopping.', PRIORITY.warning);
        this.enterStopPre('timeout');
        return;
      case 'stop-pre':
        this.message('Stopping timed out. Terminating.', PRIORITY.warning);
        this.enterSignal('stop-pre-sigterm', 'timeout');
        return;
      case 'stop-pre-sigterm':
        this.message('Stopping timed out. Killing.', PRIORITY.warning);
        if (afterKillPhase('term', this.s) === 'escalate') this.enterSignal('stop-pre-sigkill', 'timeout');
        else this.enterStopPost('timeout');
        return;
      case 'stop-pre-sigkill':
        this.message('Processes still around after SIGKILL. Ignoring.', PRIORITY.warning);
        this.enterStopPost('timeout');
        return;
      case 'stop-post':
        this.message('Stopping timed out (2). Terminating.', PRIORITY.warning);
        this.enterSignal('final-sigterm', 'timeout');
        return;
      case 'final-sigterm':
        this.message('Stopping timed out (2). Killing.', PRIORITY.warning);
        if (afterKillPhase('term', this.s) === 'escalate') this.enterSignal('final-sigkill', 'timeout');
        else this.enterDead('timeout');
        return;
      case 'final-sigkill':
        this.message('Still around after SIGKILL (2). Entering failed mode.', PRIORITY.warning);
        this.enterDead('timeout');
        return;
      default:
        return;
    }
  }

  private processes(): number[] {
    return unitPids(this.id, this.sessions, scanProcesses()).map((p) => p.pid);
  }

  private controlAlive(): boolean {
    return this.controlPid < 0 || (this.controlPid > 0 && notYetReaped(this.controlPid));
  }

  // ---------------------------------------------------------------- the rest of the table

  canReload(): boolean {
    return false;
  }

  reloadUnit(): 'failed' {
    return 'failed';
  }

  kill(whom: KillWhom, signal: number): number {
    const targets = new Set<number>();
    if ((whom === 'control' || whom === 'all') && this.controlPid > 0) targets.add(this.controlPid);
    if (whom === 'all') for (const p of this.processes()) targets.add(p);
    let n = 0;
    for (const pid of targets) if (signalPid(pid, signal)) n++;
    return n;
  }

  resetFailed(): void {
    if (this.state === 'failed') this.setState('dead');
    this.result = 'success';
    this.startLimit.reset();
  }

  pids(): number[] {
    return this.processes().sort((a, b) => a - b);
  }

  fail(result: 'resources'): void {
    if (this.state === 'dead' || this.state === 'failed') {
      this.addResult(result);
      this.setState('failed');
    } else {
      this.enterSignal('final-sigterm', result);
    }
  }

  finalKillSignal(): number | undefined {
    return this.sessions.size > 0 ? this.s.finalKillSignal : undefined;
  }

  /** socket_may_gc(): never while an Accept=yes connection it passed on is open. */
  mayCollect(): boolean {
    return this.connections.size === 0;
  }

  dispose(): void {
    this.timer.disarm();
    this.emptiness.disarm();
    this.closePorts();
    for (const c of this.connections.values()) closeQuietly(c.fd);
    this.connections.clear();
  }

  private execProperty(list: SocketExecList): ExecCommandState[] {
    return this.s[list].map((cmd, i) => {
      const rec = this.records.get(`${list}:${i}`) ?? { startTimestamp: 0, stopTimestamp: 0, pid: 0, code: 0, status: 0 };
      return { path: cmd.path, argv: cmd.argv, ignoreErrors: cmd.ignoreFailure, ...execStateProperty(rec) };
    });
  }

  properties(): Properties {
    const sec = this.section;
    const octal = (n: number): string => n.toString(8).padStart(4, '0');
    const p: Properties = {
      ...unitBaseProperties(this.config, this.activeState, this.subState, { canReload: false, invocationId: this.invocationId, conditionResult: true }),
      ...timestampProperties(this.ts),
      BindIPv6Only: sec.bindIPv6Only,
      Backlog: sec.backlog,
      TimeoutUSec: sec.timeoutUSec,
      ControlPID: this.controlPid > 0 ? this.controlPid : (this.spawning.get(this.controlPid)?.pid() ?? 0),
      SocketUser: sec.socketUser ?? '',
      SocketGroup: sec.socketGroup ?? '',
      SocketMode: octal(sec.socketMode),
      DirectoryMode: octal(sec.directoryMode),
      Accept: sec.accept,
      FlushPending: sec.flushPending,
      Writable: sec.writable,
      KeepAlive: sec.keepAlive,
      KeepAliveTimeUSec: sec.keepAliveTimeUSec,
      KeepAliveIntervalUSec: sec.keepAliveIntervalUSec,
      KeepAliveProbes: sec.keepAliveProbes,
      NoDelay: sec.noDelay,
      DeferAcceptUSec: sec.deferAcceptUSec,
      IPTOS: sec.ipTos ?? -1,
      IPTTL: sec.ipTtl ?? -1,
      Priority: sec.priority ?? -1,
      ReceiveBuffer: sec.receiveBuffer ?? 0,
      SendBuffer: sec.sendBuffer ?? 0,
      Mark: sec.mark ?? -1,
      MaxConnections: sec.maxConnections,
      MaxConnectionsPerSource: sec.maxConnectionsPerSource,
      ReusePort: sec.reusePort,
      FreeBind: sec.freeBind,
      Transparent: sec.transparent,
      Broadcast: sec.broadcast,
      PassCredentials: sec.passCredentials,
      PassSecurity: sec.passSecurity,
      RemoveOnStop: sec.removeOnStop,
      Listen: sec.ports.map((port) => `${port.address ? formatSocketAddress(port.address) : port.text} (${port.kind})`),
      Symlinks: sec.symlinks,
      FileDescriptorName: sec.fileDescriptorName ?? this.id,
      Result: this.result,
      NConnections: this.connections.size,
      NAccepted: this.nAccepted,
      NRefused: this.nRefused,
      TriggerLimitIntervalUSec: sec.triggerLimitIntervalUSec,
      TriggerLimitBurst: this.triggerLimitBurst(),
      KillMode: this.s.killMode,
      KillSignal: this.s.killSignal,
      SendSIGKILL: this.s.sendSIGKILL,
      SendSIGHUP: this.s.sendSIGHUP,
      User: this.exec.user ?? '',
      Group: this.exec.group ?? '',
    };
    for (const list of Object.keys(EXEC_PROPERTY) as SocketExecList[]) p[EXEC_PROPERTY[list]] = this.execProperty(list);
    return p;
  }
}

function errorText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code && e.syscall) {
    // "bind [::]:22: Address already in use" → systemd prints strerror only.
    const colon = e.message.lastIndexOf(': ');
    return colon >= 0 ? e.message.slice(colon + 2) : e.message;
  }
  return e.message;
}

/** socket_vtable's status messages: "Listening on", "Failed to listen on", "Closed". */
function socketStatusMessages(config: LoadedUnit): StatusMessageFormats {
  const commands = config.schema?.socket?.exec;
  const hasControl = commands !== undefined && commands.execStartPre.length + commands.execStartPost.length > 0;
  return {
    ...DEFAULT_STATUS_MESSAGES,
    starting: { ...(hasControl ? { start: 'Starting %s...' } : {}), stop: 'Stopping %s...' },
    finished: {
      ...DEFAULT_STATUS_MESSAGES.finished,
      start: { ...DEFAULT_STATUS_MESSAGES.finished.start, done: 'Listening on %s.', failed: 'Failed to listen on %s.', timeout: 'Failed to listen on %s.' },
      stop: Object.fromEntries(Object.keys(DEFAULT_STATUS_MESSAGES.finished.stop).map((r) => [r, 'Closed %s.'])),
    },
  };
}

export const socketType: UnitType = {
  suffix: 'socket',
  create: (config, host) => new SocketUnit(config, host),
  statusMessages: socketStatusMessages,
};

/** listenSocket()'s spec of a Stream/Datagram/SequentialPacket port (undefined for the other kinds). */
function listenSpec(port: SocketPort, sec: SocketSection): ListenSpec | undefined {
  const a = port.address;
  if (!a || (port.kind !== 'Stream' && port.kind !== 'Datagram' && port.kind !== 'SequentialPacket')) return undefined;
  const type = port.kind === 'Stream' ? 'stream' : port.kind === 'Datagram' ? 'dgram' : 'seqpacket';
  const common = {
    type,
    label: formatSocketAddress(a),
    backlog: sec.backlog,
    mode: sec.socketMode,
    bindIPv6Only: sec.bindIPv6Only,
    reusePort: sec.reusePort,
    freeBind: sec.freeBind,
    transparent: sec.transparent,
    broadcast: sec.broadcast,
    passCredentials: sec.passCredentials,
    passSecurity: sec.passSecurity,
    keepAlive: sec.keepAlive,
    keepAliveTimeSec: keepAliveSeconds(sec.keepAliveTimeUSec),
    keepAliveIntervalSec: keepAliveSeconds(sec.keepAliveIntervalUSec),
    keepAliveProbes: sec.keepAliveProbes > 0 ? sec.keepAliveProbes : undefined,
    noDelay: sec.noDelay,
    deferAcceptSec: sec.deferAcceptUSec > 0 && Number.isFinite(sec.deferAcceptUSec) ? Math.floor(sec.deferAcceptUSec / 1e6) : undefined,
    ipTos: sec.ipTos,
    ipTtl: sec.ipTtl,
    receiveBuffer: sec.receiveBuffer,
    sendBuffer: sec.sendBuffer,
    mark: sec.mark,
    priority: sec.priority,
  } as const;
  return a.family === 'unix'
    ? { ...common, family: 'unix', path: a.path }
    : a.family === 'abstract'
      ? { ...common, family: 'unix', path: `@${a.name}` }
      : a.family === 'inet'
        ? { ...common, family: 'inet', host: a.host, port: a.port }
        : { ...common, family: 'inet6', host: a.host ?? '::', port: a.port, scope: a.scope };
}

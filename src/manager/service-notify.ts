// The sd_notify(3) side of a service: its own datagram socket (one per service, so the
// socket tells whose message it is before the sender is checked), and who may speak on it
// and name a new main PID (systemd's service_notify_message_authorized() and
// service_is_suitable_main_pid(), with their wording).

import { chmodSync } from 'node:fs';
import type { Credentials, DatagramSocketHandle, ReceivedFds } from '../exec/native.js';
import type { NotifyAccess } from '../units/schema/enums.js';
import { PRIORITY } from './log-sink.js';
import { notifySocketPath } from './notify.js';
import { processLineage } from './process-tracker.js';
import { RateLimit } from './rate-limit.js';
import type { UnitHost } from './unit-type.js';

export type NotifyHandler = (data: Buffer, from: Credentials, fds?: ReceivedFds) => void;

/** A service's NOTIFY_SOCKET: bound on start, closed when the service is dead, handed over across daemon-reexec. */
export class NotifySocket {
  private socket: DatagramSocketHandle | undefined;
  private boundPath: string | undefined;

  constructor(
    private readonly host: UnitHost,
    private readonly unit: string,
    private readonly onMessage: NotifyHandler,
  ) {}

  /** The path given to the service as $NOTIFY_SOCKET; undefined while closed. */
  get path(): string | undefined {
    return this.boundPath;
  }

  /** The fd to keep across daemon-reexec. */
  get fd(): number | undefined {
    return this.socket?.fd;
  }

  open(): void {
    if (this.socket) return;
    const path = notifySocketPath(this.host.runtimeDir, this.unit);
    this.socket = this.host.native.bindDatagram(path, (data, from, fds) => this.host.deliver(this.unit, 'notify', () => this.onMessage(data, from, fds)));
    // Services often run as another User= (redis): like /run/systemd/notify, anyone may send.
    try {
      chmodSync(path, 0o666);
    } catch (err) {
      this.host.log.warn({ unit: this.unit, err }, 'cannot make the notify socket writable');
    }
    this.boundPath = path;
  }

  /** After daemon-reexec: the socket the previous manager kept open. */
  adopt(path: string, fd: number): void {
    this.socket = this.host.native.bindDatagram(path, (data, from) => this.host.deliver(this.unit, 'notify', () => this.onMessage(data, from)), fd);
    this.boundPath = path;
  }

  /** Reads what is queued: a sender's last message counts before its exit is handled. */
  drain(): void {
    this.socket?.drain?.();
  }

  close(): void {
    this.socket?.close();
    this.socket = undefined;
    this.boundPath = undefined;
  }
}

/** The processes a service answers for: main and control (0 when none) and the sessions its spawns created. */
export interface ServiceProcesses {
  main: number;
  control: number;
  sessions: ReadonlySet<number>;
}

/**
 * Whether a live process is the service's, judged by what it cannot forge: it is the main
 * or control process, or descends from one of them or from a process we spawned (ppid
 * chain), or lives in a session one of our spawns created (sessions are only inherited).
 * The UNITD_UNIT= marker is not proof: anyone can set an environment variable. Undefined
 * when the process is gone: nothing is left to attribute it by.
 */
export function ownsProcess(pid: number, own: ServiceProcesses): boolean | undefined {
  const lineage = processLineage(pid);
  if (!lineage) return undefined;
  return lineage.some((p) => p.pid === own.main || p.pid === own.control || own.sessions.has(p.pid) || own.sessions.has(p.sid));
}

/** systemd's service_notify_message_authorized, with its wording per NotifyAccess=; undefined when the sender may speak. */
export function notifyRefusal(access: NotifyAccess, pid: number, own: ServiceProcesses): string | undefined {
  const main = own.main > 0 ? own.main : 0;
  const control = own.control > 0 ? own.control : 0;
  const from = `Got notification message from PID ${pid}, but reception`;
  switch (access) {
    case 'none':
      return `${from} is disabled.`;
    case 'main':
      if (pid === main) return undefined;
      return main ? `${from} only permitted for main PID ${main}` : `${from} only permitted for main PID which is currently not known`;
    case 'exec':
      if (pid === main || pid === control) return undefined;
      if (main && control) return `${from} only permitted for main PID ${main} and control PID ${control}`;
      if (main) return `${from} only permitted for main PID ${main}`;
      if (control) return `${from} only permitted for control PID ${control}`;
      return `${from} only permitted for main PID and control PID which are currently not known`;
    case 'all':
      // systemd finds the sender's unit by its cgroup; one that is not ours (or has exited) has no unit.
      if (pid === main || pid === control || ownsProcess(pid, own) === true) return undefined;
      return `Cannot find unit for notify message of PID ${pid}, ignoring.`;
  }
}

/**
 * systemd's service_is_suitable_main_pid for MAINPID=: never the manager or the control
 * process, never a dead one; one of ours is fine; another unit's process only on a
 * privileged sender's word (it stays watched by its owner too, which keeps supervising it).
 * Returns the refusal line and its priority, or undefined when the pid is accepted.
 */
export function mainPidRefusal(pid: number, from: Credentials, own: ServiceProcesses, isAlive: (pid: number) => boolean): { message: string; priority: number } | undefined {
  if (pid === 1 || pid === process.pid) return { message: `New main PID ${pid} is the manager, refusing.`, priority: PRIORITY.warning };
  if (pid === own.control) return { message: `New main PID ${pid} is the control process, refusing.`, priority: PRIORITY.warning };
  if (!isAlive(pid)) return { message: `New main PID ${pid} does not exist or is a zombie.`, priority: PRIORITY.warning };
  if (ownsProcess(pid, own) === true) return undefined;
  if (from.uid === 0) return undefined;
  return { message: `New main PID ${pid} does not belong to service, refusing.`, priority: PRIORITY.debug };
}

/**
 * systemd 252 logs every refused sender (service_notify_message_authorized()) and leaves the
 * limiting to its log output: write_to_kmsg()'s ratelimit of 200 lines per 5 s and journald's
 * per-source RateLimitIntervalSec=/RateLimitBurst=, which says "Suppressed N messages" when the
 * next window opens. unitd's console and journal are its own, so the limit sits here, per service.
 */
const REFUSAL_LOG_INTERVAL_USEC = 5_000_000;
const REFUSAL_LOG_BURST = 200;

/** The refused-sender warnings of one service, at most REFUSAL_LOG_BURST per window. */
export class RefusalLog {
  private readonly limit: RateLimit;

  constructor(
    monotonicUSec: () => number,
    private readonly log: (message: string, priority: number) => void,
  ) {
    this.limit = new RateLimit(REFUSAL_LOG_INTERVAL_USEC, REFUSAL_LOG_BURST, monotonicUSec);
  }

  refused(message: string): void {
    const dropped = this.limit.numDropped();
    if (!this.limit.below()) return;
    // below() again after drops: a new window opened.
    if (dropped > 0) this.log(`Suppressed ${dropped} messages about refused notifications.`, PRIORITY.warning);
    this.log(message, PRIORITY.warning);
  }
}

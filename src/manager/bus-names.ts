// Which well-known names are owned on the system bus, for Type=dbus services: a service of that
// type is started once its BusName= appears (systemd watches NameOwnerChanged the same way).
// One connection serves every watch; it is opened when the first watch comes, closed after the
// last one goes, and reopened after a second when the bus goes away while names are awaited.

import { statSync } from 'node:fs';
import { BUS_NAME, BusConnection } from './dbus/connection.js';
import type { Message } from './dbus/wire.js';

/** Where dbus.socket listens (Debian's dbus-system-bus-common; sd-bus's default system bus). */
export const SYSTEM_BUS_SOCKET = '/run/dbus/system_bus_socket';

const NAME_OWNER_CHANGED = `type='signal',sender='${BUS_NAME}',interface='${BUS_NAME}',member='NameOwnerChanged'`;
const RETRY_MS = 1000;

/** What a unit sees of the bus (UnitHost.busNames). */
export interface BusNames {
  /** A system bus socket exists (dbus.socket listens, or a dbus-daemon runs). */
  available(): boolean;
  /** Calls `onOwned` once, when `name` has an owner (at once if it has one now); returns a cancel. */
  watch(name: string, onOwned: () => void): () => void;
  /** Drops the connection and every watch (the manager is going away). */
  close(): void;
}

export class BusNameWatcher implements BusNames {
  private connection: BusConnection | undefined;
  private connecting = false;
  private retry: NodeJS.Timeout | undefined;
  private lastError = '';
  private readonly watchers = new Map<string, Set<() => void>>();

  constructor(
    private readonly log: (message: string) => void,
    private readonly path = SYSTEM_BUS_SOCKET,
  ) {}

  available(): boolean {
    try {
      return statSync(this.path).isSocket();
    } catch {
      return false;
    }
  }

  watch(name: string, onOwned: () => void): () => void {
    let set = this.watchers.get(name);
    if (!set) this.watchers.set(name, (set = new Set()));
    set.add(onOwned);
    if (this.connection?.isOpen) this.check(name);
    else this.connect();
    return () => {
      const current = this.watchers.get(name);
      current?.delete(onOwned);
      if (current?.size === 0) this.watchers.delete(name);
      if (this.watchers.size === 0) this.close();
    };
  }

  close(): void {
    clearTimeout(this.retry);
    this.retry = undefined;
    const connection = this.connection;
    this.connection = undefined;
    connection?.close();
  }

  private connect(): void {
    if (this.connection?.isOpen || this.connecting) return;
    clearTimeout(this.retry);
    this.retry = undefined;
    this.connecting = true;
    BusConnection.open(
      this.path,
      (m) => this.signal(m),
      () => {
        this.connection = undefined;
        if (this.watchers.size > 0) this.scheduleRetry();
      },
    ).then(
      (connection) => {
        this.connecting = false;
        this.lastError = '';
        if (this.watchers.size === 0) {
          connection.close();
          return;
        }
        this.connection = connection;
        // The match goes first: the bus answers in order, so no change falls between it and NameHasOwner.
        connection.callBus('AddMatch', 's', [NAME_OWNER_CHANGED]).catch((err: Error) => this.log(`Failed to watch bus names: ${err.message}`));
        for (const name of this.watchers.keys()) this.check(name);
      },
      (err: Error) => {
        this.connecting = false;
        if (err.message !== this.lastError) this.log(`Failed to connect to the system bus: ${err.message}`);
        this.lastError = err.message;
        if (this.watchers.size > 0) this.scheduleRetry();
      },
    );
  }

  private scheduleRetry(): void {
    if (this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      if (this.watchers.size > 0) this.connect();
    }, RETRY_MS);
    this.retry.unref();
  }

  private check(name: string): void {
    this.connection
      ?.callBus('NameHasOwner', 's', [name])
      .then((reply) => {
        if (reply.body[0] === true) this.owned(name);
      })
      .catch((err: Error) => this.log(`Failed to ask the bus whether ${name} has an owner: ${err.message}`));
  }

  private signal(m: Message): void {
    if (m.member !== 'NameOwnerChanged' || m.interface !== BUS_NAME || m.sender !== BUS_NAME) return;
    const [name, , owner] = m.body;
    if (typeof name === 'string' && typeof owner === 'string' && owner !== '') this.owned(name);
  }

  private owned(name: string): void {
    const set = this.watchers.get(name);
    if (!set) return;
    this.watchers.delete(name);
    for (const onOwned of set) onOwned();
    if (this.watchers.size === 0) this.close();
  }
}

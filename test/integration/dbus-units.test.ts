// The system bus as PID 1, with Debian's own units (dbus.socket, dbus.service, polkit.service
// from /lib/systemd/system): dbus.socket listens after boot and starts dbus-daemon on the first
// client; a Type=dbus service is active only once its BusName= is on the bus (semantics §3.1);
// Sockets= hands another socket unit's fds to a service, pulls that socket in and is TriggeredBy= it.

import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { boot, journalctl, REPO, sleep, waitProps, type System } from './harness.js';

const DEBIAN_UNITS = '/lib/systemd/system';
const debianUnit = (name: string) => readFileSync(join(DEBIAN_UNITS, name), 'utf8');
const BUS_FIXTURE = `/usr/bin/node ${join(REPO, 'test/integration/fixtures/bus-name.mjs')}`;
const SOCKET_FIXTURE = `/usr/bin/python3 ${join(REPO, 'test/integration/fixtures/socket-activated.py')}`;
// A name the system bus policy lets root own (org.freedesktop.hostname1.conf), nobody else claims here.
const LATE_NAME = 'org.freedesktop.hostname1';

const missing = ['dbus.socket', 'dbus.service', 'polkit.service'].filter((u) => !existsSync(join(DEBIAN_UNITS, u)));
if (missing.length > 0 || !existsSync('/usr/bin/dbus-daemon')) {
  t.test('the system bus with Debian units', { skip: `needs Debian's dbus and polkitd packages (missing: ${missing.join(' ') || 'dbus-daemon'})` }, async () => undefined);
} else {
  const units: Record<string, string> = {
    'dbus.socket': debianUnit('dbus.socket'),
    'dbus.service': debianUnit('dbus.service'),
    'polkit.service': debianUnit('polkit.service'),
    'late.service': `[Service]\nType=dbus\nBusName=${LATE_NAME}\nExecStart=${BUS_FIXTURE} ${LATE_NAME} /run/late.waiting /run/late.go\n`,
    'shared.socket': '[Socket]\nListenStream=/run/shared.sock\nService=nobody.service\n',
    'nobody.service': '[Service]\nExecStart=/bin/sleep infinity\n',
    'consumer.service': `[Service]\nSockets=shared.socket\nExecStart=${SOCKET_FIXTURE} serve\n`,
  };

  let sys: System;
  t.before(async () => {
    // polkit.service is on the default skip list (it needs a bus, which images often lack).
    sys = await boot({ units, enable: ['dbus.socket'], env: { UNITD_SKIP: '!polkit.service' } });
  });
  t.teardown(async () => {
    await sys?.stop();
  });

  const dbusSend = (...args: string[]) => sys.exec('dbus-send', '--system', '--print-reply', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', ...args);
  const hasOwner = async (name: string) => (await dbusSend('org.freedesktop.DBus.NameHasOwner', `string:${name}`)).stdout.includes('boolean true');

  t.test('dbus.socket listens after boot; the first client starts dbus-daemon through it', async (t) => {
    const socket = await waitProps(sys, 'dbus.socket', ['SubState'], (p) => p.SubState === 'listening');
    t.equal(socket.SubState, 'listening');
    t.equal((await sys.props('dbus.service', 'ActiveState')).ActiveState, 'inactive', 'no bus daemon before a client');
    const names = await dbusSend('org.freedesktop.DBus.ListNames');
    t.equal(names.code, 0, names.stderr);
    t.match(names.stdout, 'string "org.freedesktop.DBus"');
    const bus = await waitProps(sys, 'dbus.service', ['ActiveState', 'SubState'], (p) => p.ActiveState === 'active');
    t.match(bus, { ActiveState: 'active', SubState: 'running' }, 'Type=notify dbus-daemon got its socket (--address=systemd:)');
  });

  t.test('Type=dbus: activating until BusName= is on the bus, active after', async (t) => {
    const deps = await sys.props('late.service', 'Requires', 'After');
    t.ok((deps.Requires as string[]).includes('dbus.socket') && (deps.After as string[]).includes('dbus.socket'), 'Type=dbus needs dbus.socket (Requires= and After=)');
    t.equal((await sys.ctl('start', '--no-block', 'late.service')).code, 0);
    const deadline = Date.now() + 15_000;
    while ((await sys.exec('test', '-e', '/run/late.waiting')).code !== 0 && Date.now() < deadline) await sleep(50);
    t.equal((await sys.exec('test', '-e', '/run/late.waiting')).code, 0, 'the service runs and is on the bus');
    await sleep(500);
    t.match(await sys.props('late.service', 'ActiveState', 'SubState'), { ActiveState: 'activating', SubState: 'start' }, 'running, but its name is not on the bus yet');
    t.equal(await hasOwner(LATE_NAME), false);
    await sys.exec('touch', '/run/late.go');
    const p = await waitProps(sys, 'late.service', ['ActiveState', 'SubState'], (x) => x.ActiveState === 'active', 15_000);
    t.match(p, { ActiveState: 'active', SubState: 'running' });
    t.equal(await hasOwner(LATE_NAME), true, 'active once the name has an owner');
  });

  t.test("Debian's polkit.service (Type=dbus) starts and is active with its name on the bus", async (t) => {
    const r = await sys.ctl('start', 'polkit.service');
    t.equal(r.code, 0, r.stderr);
    t.equal((await sys.props('polkit.service', 'ActiveState')).ActiveState, 'active');
    t.equal(await hasOwner('org.freedesktop.PolicyKit1'), true, 'the start job finished only after RequestName');
    t.match((await journalctl(sys, '-u', 'polkit.service')).stdout, 'Started polkit.service - Authorization Manager.');
  });

  t.test('Sockets=: the service wants the socket and gets its fd, though the socket names another service', async (t) => {
    const deps = await sys.props('consumer.service', 'Wants', 'After');
    t.ok((deps.Wants as string[]).includes('shared.socket') && (deps.After as string[]).includes('shared.socket'), 'Wants= and After= the socket');
    t.equal((await sys.ctl('start', 'consumer.service')).code, 0);
    // As systemd 252 booted in a namespace shows: Sockets= is also TriggeredBy=, so the socket
    // follows the service it does not name (running while it runs, listening once it stops).
    t.match(await sys.props('consumer.service', 'TriggeredBy'), { TriggeredBy: ['shared.socket'] });
    t.match(await sys.props('shared.socket', 'Triggers'), { Triggers: ['consumer.service', 'nobody.service'] });
    const running = await waitProps(sys, 'shared.socket', ['SubState'], (p) => p.SubState === 'running');
    t.equal(running.SubState, 'running', 'pulled in by Wants=, running while consumer.service runs');
    const r = await sys.exec('sh', '-c', `${SOCKET_FIXTURE} client /run/shared.sock`);
    t.equal(r.stdout.trim(), 'fds=1 names=shared.socket pid-ok=yes');
    const stop = await sys.ctl('stop', 'consumer.service');
    t.equal(stop.code, 0);
    t.match(stop.stderr, 'Warning: Stopping consumer.service, but it can still be activated by:\n  shared.socket');
    const listening = await waitProps(sys, 'shared.socket', ['SubState'], (p) => p.SubState === 'listening');
    t.equal(listening.SubState, 'listening', 'back to listening');
  });
}

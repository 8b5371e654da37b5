// Socket activation in a real image with Debian's packages (docker/images/bus): the system bus
// started by dbus.socket, a Type=dbus service from a package (polkitd) active only with its name
// on the bus, rsyslog fed through syslog.socket, sshd through ssh.socket (Accept=no) and one
// `sshd -i` per connection (Accept=yes), and a socket-activated service across docker stop/start.
import t from 'tap';
import { exec, runContainer, stop, docker, type CommandResult, type Container } from './harness.js';
import { BUS_IMAGE, describeBuild, ensureBusImage } from './images.js';

t.setTimeout(30 * 60_000);

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const show = (r: CommandResult) => `\`${r.command}\` → ${r.code}\n${r.stdout}${r.stderr}`;

async function waitFor(c: Container, argv: string[], ok: (r: CommandResult) => boolean, timeoutMs = 60_000): Promise<CommandResult> {
  const end = Date.now() + timeoutMs;
  let r = await exec(c, argv, { timeoutMs: 20_000 });
  while (!ok(r) && Date.now() < end) {
    await sleep(250);
    r = await exec(c, argv, { timeoutMs: 20_000 });
  }
  return r;
}

const prop = async (c: Container, unit: string, name: string) => (await exec(c, ['systemctl', 'show', '-p', name, '--value', unit])).stdout.trim();
const running = (c: Container) => waitFor(c, ['systemctl', 'is-system-running'], (r) => ['running', 'degraded'].includes(r.stdout.trim()), 120_000);
const dbusSend = (c: Container, ...args: string[]) =>
  exec(c, ['dbus-send', '--system', '--print-reply', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', ...args], { timeoutMs: 30_000 });

t.test('socket activation with Debian packages', async (t) => {
  const built = await ensureBusImage();
  if (!built.ok) {
    t.skip(`no Docker engine: ${built.skip}`, () => {});
    return;
  }
  t.comment(describeBuild(built.bus));
  const c = await runContainer(t, BUS_IMAGE, { name: 'unitd-bus', stopTimeoutSec: 30 });
  const boot = await running(c);
  t.equal(boot.stdout.trim(), 'running', show(boot) + show(await exec(c, ['systemctl', 'list-units', '--failed'])));

  t.test('dbus.socket listens after boot; dbus-send starts the bus through it', async (t) => {
    // `running` once something on the way up (rsyslog, a package's client) already woke the bus.
    t.match(await prop(c, 'dbus.socket', 'SubState'), /^(listening|running)$/, 'dbus.socket is up');
    const r = await dbusSend(c, 'org.freedesktop.DBus.ListNames');
    t.equal(r.code, 0, show(r));
    t.match(r.stdout, 'string "org.freedesktop.DBus"');
    t.equal((await waitFor(c, ['systemctl', 'is-active', 'dbus.service'], (x) => x.stdout.trim() === 'active')).stdout.trim(), 'active');
  });

  t.test("polkitd (Type=dbus) is active only once org.freedesktop.PolicyKit1 is on the bus", async (t) => {
    const r = await exec(c, ['systemctl', 'start', 'polkit.service'], { timeoutMs: 120_000 });
    t.equal(r.code, 0, show(r) + show(await exec(c, ['systemctl', 'status', 'polkit.service'])));
    t.equal(await prop(c, 'polkit.service', 'ActiveState'), 'active');
    const owner = await dbusSend(c, 'org.freedesktop.DBus.NameHasOwner', 'string:org.freedesktop.PolicyKit1');
    t.match(owner.stdout, 'boolean true', 'the start job ended with the name owned');
  });

  t.test('logger -t probe reaches journalctl -t probe and /var/log/syslog', async (t) => {
    t.equal((await waitFor(c, ['systemctl', 'is-active', 'rsyslog.service'], (x) => x.stdout.trim() === 'active')).stdout.trim(), 'active');
    t.equal(await prop(c, 'syslog.socket', 'SubState'), 'running', "rsyslog holds syslog.socket's fd");
    t.equal((await exec(c, ['logger', '-t', 'probe', 'hello'])).code, 0);
    const journal = await waitFor(c, ['journalctl', '--no-pager', '-t', 'probe'], (x) => x.stdout.includes('hello'));
    t.match(journal.stdout, /probe\[\d+\]: hello/);
    const file = await waitFor(c, ['grep', 'probe', '/var/log/syslog'], (x) => x.stdout.includes('hello'));
    t.match(file.stdout, /probe\[\d+\]: hello/, show(file));
  });

  t.test('ssh.socket instead of ssh.service: ssh-keyscan answers through the socket', async (t) => {
    t.equal(await prop(c, 'ssh.socket', 'SubState'), 'listening');
    t.equal(await prop(c, 'ssh.service', 'ActiveState'), 'inactive', 'sshd waits for the first connection');
    const scan = await exec(c, ['ssh-keyscan', '-T', '10', '127.0.0.1'], { timeoutMs: 60_000 });
    t.match(scan.stdout, /127\.0\.0\.1 (ssh-ed25519|ecdsa-sha2|ssh-rsa) /, show(scan));
    t.equal(await prop(c, 'ssh.service', 'ActiveState'), 'active');
  });

  t.test('Accept=yes: one sshd -i instance per connection', async (t) => {
    const scans = await Promise.all([1, 2, 3].map(() => exec(c, ['ssh-keyscan', '-T', '10', '-p', '2222', '-t', 'ed25519', '127.0.0.1'], { timeoutMs: 60_000 })));
    for (const s of scans) t.match(s.stdout, /\[127\.0\.0\.1\]:2222 ssh-ed25519 /, show(s));
    const accepted = await waitFor(c, ['systemctl', 'show', '-p', 'NAccepted', '--value', 'ssh-inetd.socket'], (x) => Number(x.stdout.trim()) >= 3);
    t.ok(Number(accepted.stdout.trim()) >= 3, `NAccepted=${accepted.stdout.trim()}`);
    const journal = await exec(c, ['journalctl', '--no-pager', '-u', 'ssh-inetd@*']);
    const instances = new Set([...journal.stdout.matchAll(/ssh-inetd@(\d+)-127\.0\.0\.1:2222-127\.0\.0\.1:\d+\.service/g)].map((m) => m[1]));
    t.ok(instances.size >= 3, `instances in the journal: ${[...instances].join(' ')}`);
  });

  t.test('a socket-activated service survives docker stop / docker start', async (t) => {
    const stopped = await stop(c, 30);
    t.equal(stopped.exitCode, 0);
    const r = await docker(['start', c.id], { timeoutMs: 60_000 });
    t.equal(r.code, 0, show(r));
    const again = await running(c);
    t.equal(again.stdout.trim(), 'running', show(again));
    t.equal(await prop(c, 'ssh.socket', 'SubState'), 'listening', 'listening again after the restart');
    const scan = await exec(c, ['ssh-keyscan', '-T', '10', '127.0.0.1'], { timeoutMs: 60_000 });
    t.match(scan.stdout, /127\.0\.0\.1 (ssh-ed25519|ecdsa-sha2|ssh-rsa) /, show(scan));
    const names = await dbusSend(c, 'org.freedesktop.DBus.ListNames');
    t.equal(names.code, 0, 'the bus comes back through dbus.socket too');
  });
});

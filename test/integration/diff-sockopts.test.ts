// Socket options under real systemd 252 and under unitd: a service started with the fds of a
// socket unit that sets every option systemd.socket(5) offers (Backlog=, ReusePort=, buffers,
// keep-alive, NoDelay=, FreeBind=, Broadcast=, IPTOS=/IPTTL=, Mark=, PassCredentials=,
// Priority=, SocketMode/User/Group=, BindIPv6Only=, DeferAcceptSec=) and of one that sets none
// prints what getsockopt(2) reads on fd 3 onwards; both outputs must be the same. Accept=yes
// sockets (TCP and unix) with the same options do it for a connection PID 1 accepted: systemd
// applies the socket's options to the accepted fd too (socket_dispatch_io()).
// The oracle has a network namespace of its own and unitd shares the host's: the ports are
// picked free on the host, and the oracle runs first and is gone before unitd binds them.

import t from 'tap';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { boot, journalctl, REPO, type RunResult } from './harness.js';
import { bootOracle, oracleUnavailable } from './oracle.js';

const PROBE = `/usr/bin/python3 ${join(REPO, 'test/integration/fixtures/sockopts.py')}`;
const CONNECT = `/usr/bin/python3 ${join(REPO, 'test/integration/fixtures/sockopts-connect.py')}`;

/** A TCP port free on the host right now (the kernel's pick). */
async function freePort(host: string): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, host, resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** The options of opts.socket that apply to a connection (the rest are bind/listen-time). */
const CONNECTION_OPTIONS =
  'ReceiveBuffer=8M\nSendBuffer=96K\nKeepAlive=yes\nKeepAliveTimeSec=77\nKeepAliveIntervalSec=13\nKeepAliveProbes=4\nNoDelay=yes\n' +
  'Broadcast=yes\nIPTOS=low-delay\nIPTTL=42\nMark=7\nPassCredentials=yes\nPriority=5\n';

function units(ports: number[]): Record<string, string> {
  const [tcp4, tcp6, udp4, udp6, plain4, plain6, accept4] = ports;
  return {
    'opts.socket':
      '[Socket]\n' +
      `ListenStream=127.0.0.1:${tcp4}\nListenStream=[::1]:${tcp6}\nListenDatagram=127.0.0.1:${udp4}\nListenDatagram=[::1]:${udp6}\n` +
      'ListenStream=/run/opts/stream.sock\nListenSequentialPacket=/run/opts/seq.sock\nListenDatagram=/run/opts/dgram.sock\n' +
      'Backlog=37\nReusePort=yes\nReceiveBuffer=8M\nSendBuffer=96K\nKeepAlive=yes\nKeepAliveTimeSec=77\nKeepAliveIntervalSec=13\n' +
      'KeepAliveProbes=4\nNoDelay=yes\nFreeBind=yes\nBroadcast=yes\nIPTOS=low-delay\nIPTTL=42\nMark=7\nPassCredentials=yes\n' +
      'Priority=5\nSocketMode=0640\nSocketUser=daemon\nSocketGroup=daemon\nBindIPv6Only=ipv6-only\nDeferAcceptSec=10\nDirectoryMode=0750\n',
    'opts.service': `[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=${PROBE} /run/opts.out\n`,
    'plain.socket':
      '[Socket]\n' +
      `ListenStream=127.0.0.1:${plain4}\nListenStream=[::]:${plain6}\nListenStream=/run/plain/stream.sock\nListenDatagram=/run/plain/dgram.sock\n` +
      'ListenSequentialPacket=@unitd-sockopts-plain\nListenFIFO=/run/plain/fifo\n',
    'plain.service': `[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=${PROBE} /run/plain.out\n`,
    'acc.socket': `[Socket]\nAccept=yes\nListenStream=127.0.0.1:${accept4}\n${CONNECTION_OPTIONS}`,
    'acc@.service': `[Service]\nExecStart=${PROBE} /run/acc.out\n`,
    'accu.socket': `[Socket]\nAccept=yes\nListenStream=/run/accu/stream.sock\n${CONNECTION_OPTIONS}`,
    'accu@.service': `[Service]\nExecStart=${PROBE} /run/accu.out\n`,
    // The clients run as services: inside the manager's own network namespace.
    'acc-client.service': `[Service]\nType=oneshot\nExecStart=${CONNECT} 127.0.0.1:${accept4} /run/acc.out\n`,
    'accu-client.service': `[Service]\nType=oneshot\nExecStart=${CONNECT} /run/accu/stream.sock /run/accu.out\n`,
  };
}

const PROPS =
  'ActiveState,SubState,Result,Backlog,BindIPv6Only,ReusePort,FreeBind,Broadcast,PassCredentials,ReceiveBuffer,SendBuffer,' +
  'KeepAlive,KeepAliveTimeUSec,KeepAliveIntervalUSec,KeepAliveProbes,NoDelay,DeferAcceptUSec,IPTOS,IPTTL,Mark,Priority,' +
  'SocketMode,SocketUser,SocketGroup,DirectoryMode';

interface Driver {
  ctl(...args: string[]): Promise<RunResult>;
  exec(...argv: string[]): Promise<RunResult>;
  journal(...args: string[]): Promise<RunResult>;
}

async function record(d: Driver): Promise<string[]> {
  const out: string[] = [];
  for (const name of ['opts', 'plain']) {
    const started = await d.ctl('start', `${name}.service`);
    out.push(`$ start ${name}.service (rc ${started.code})`, ...(await d.exec('cat', `/run/${name}.out`)).stdout.split('\n'));
    out.push(`$ show ${name}.socket`, ...(await d.ctl('show', '-p', PROPS, `${name}.socket`)).stdout.trim().split('\n').sort());
    out.push(`$ ls -ld /run/${name}`, (await d.exec('stat', '-c', '%A %U %G', `/run/${name}`)).stdout.trim());
    // Options the kernel refuses for some ports (TCP ones on a unix socket) are warnings, each once per port.
    const warnings = (await d.journal('-u', `${name}.socket`, '-p', 'warning', '-o', 'cat')).stdout;
    out.push(`$ journalctl -u ${name}.socket -p warning`, ...warnings.split('\n').filter(Boolean).sort());
  }
  for (const name of ['acc', 'accu']) {
    // One connection, held open until the instance has described it.
    const connected = await d.ctl('start', `${name}-client.service`);
    out.push(`$ start ${name}-client.service (rc ${connected.code})`, ...(await d.exec('cat', `/run/${name}.out`)).stdout.split('\n'));
    const warnings = (await d.journal('-u', `${name}.socket`, '-p', 'warning', '-o', 'cat')).stdout;
    out.push(`$ journalctl -u ${name}.socket -p warning`, ...warnings.split('\n').filter(Boolean).sort());
  }
  return out;
}

const why = oracleUnavailable();
if (why) {
  t.skip(`the systemd oracle cannot run here (${why})`, () => undefined);
} else {
  t.test('every socket option reads the same through getsockopt as under systemd 252', async (t) => {
    const ports: number[] = [];
    for (const host of ['127.0.0.1', '::1', '127.0.0.1', '::1', '127.0.0.1', '::', '127.0.0.1']) ports.push(await freePort(host));
    const UNITS = units(ports);
    const ENABLE = ['opts.socket', 'plain.socket', 'acc.socket', 'accu.socket'];
    const oracle = await bootOracle({ units: UNITS, enable: ENABLE });
    let theirs: string[];
    try {
      theirs = await record({ ...oracle, ctl: oracle.ctl.bind(oracle), exec: oracle.exec.bind(oracle), journal: (...a) => oracle.exec('journalctl', '--no-pager', ...a) });
    } finally {
      await oracle.stop();
    }
    const sys = await boot({ units: UNITS, enable: ENABLE });
    t.teardown(() => sys.stop());
    const ours = await record({ ctl: sys.ctl.bind(sys), exec: sys.exec.bind(sys), journal: (...a) => journalctl(sys, ...a) });
    t.ok(theirs.some((line) => line.startsWith('fd 3 ')), 'systemd 252 passed the sockets: there is something to compare');
    const accepted = theirs.slice(theirs.findIndex((line) => line.startsWith('$ start acc-client.service')));
    t.ok(accepted.some((line) => line.trim() === 'TCP_NODELAY=1'), 'systemd 252 set NoDelay= on the accepted connection: there is something to compare');
    t.same(ours, theirs);
  });
}

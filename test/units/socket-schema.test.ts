// [Socket] settings: Listen*= address forms parse and print as systemd 252 prints them
// (`Listen=` of show), the refusals are systemd's, and `unitd verify` says what
// `systemd-analyze verify` says for the same socket units.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { interpretUnit } from '../../src/units/schema/interpret.js';
import { parseUnitText } from '../../src/units/syntax.js';
import { DiagnosticLog } from '../../src/units/diagnostics.js';
import { formatSocketAddress, parseSocketAddress } from '../../src/units/values/socket-address.js';

t.test('address forms and how they print', async (t) => {
  const cases: [string, string][] = [
    ['7778', '[::]:7778'],
    ['127.0.0.1:7779', '127.0.0.1:7779'],
    ['[::1]:7780', '[::1]:7780'],
    ['/run/sub/dir/multi.sock', '/run/sub/dir/multi.sock'],
    ['@abstract-test', '@abstract-test'],
  ];
  for (const [value, shown] of cases) {
    const r = parseSocketAddress(value, 'Stream');
    t.ok(r.ok, value);
    if (r.ok) t.equal(formatSocketAddress(r.address), shown, value);
  }
  for (const bad of ['0', '65536', '1.2.3:80', '[zz]:80', 'localhost:80', 'x']) t.notOk(parseSocketAddress(bad, 'Stream').ok, `refused: ${bad}`);
  const vsock = parseSocketAddress('vsock:2:1234', 'Stream');
  t.match(vsock, { ok: false, error: /AF_VSOCK sockets are not supported in a container/ });
  t.notOk(parseSocketAddress('127.0.0.1:80', 'SequentialPacket').ok, 'SequentialPacket is AF_UNIX only');
});

const repo = path.resolve(import.meta.dirname, '..', '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unitd-sockschema-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));

const cases: Record<string, string> = {
  'nolisten.socket': '[Socket]\nAccept=no\n',
  'dg.socket': '[Socket]\nListenDatagram=/run/dg.sock\nAccept=yes\n',
  'accsvc.socket': '[Socket]\nListenStream=/run/a.sock\nAccept=yes\nService=accsvc.service\n',
  'links.socket': '[Socket]\nListenStream=/run/a.sock\nListenFIFO=/run/b.fifo\nSymlinks=/run/l\n',
  'good.socket': '[Socket]\nListenStream=/run/good.sock\nListenFIFO=/run/good.fifo\nSocketMode=0600\nBacklog=16\nReceiveBuffer=8M\nBindIPv6Only=both\n',
};
fs.writeFileSync(path.join(dir, 'good.service'), '[Service]\nExecStart=/bin/true\n');
fs.writeFileSync(path.join(dir, 'accsvc.service'), '[Service]\nExecStart=/bin/true\n');

const analyze = fs.existsSync('/usr/bin/systemd-analyze');
for (const [name, text] of Object.entries(cases)) {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  t.test(`verify ${name} as systemd-analyze does`, { skip: analyze ? false : 'systemd-analyze is not installed' }, async (t) => {
    const ours = spawnSync(process.execPath, [path.join(repo, 'init', 'unitd'), 'verify', file], { encoding: 'utf8', timeout: 30_000 });
    const theirs = spawnSync('systemd-analyze', ['verify', '--man=no', '--recursive-errors=no', file], { encoding: 'utf8', timeout: 30_000 });
    t.equal(ours.stderr, theirs.stderr, 'same diagnostics');
    t.equal(ours.status, theirs.status, 'same exit code');
  });
}

t.test('the typed [Socket] section', async (t) => {
  const file = path.join(dir, 'good.socket');
  const log = new DiagnosticLog();
  const parsed = parseUnitText(fs.readFileSync(file, 'utf8'), file, log);
  const config = interpretUnit({ name: 'good.socket', assignments: parsed.assignments, log, specifiers: { unitName: 'good.socket', fragmentPath: file } });
  t.same(log.entries, []);
  t.match(config.socket, {
    ports: [
      { kind: 'Stream', address: { family: 'unix', path: '/run/good.sock' }, text: '/run/good.sock' },
      { kind: 'FIFO', text: '/run/good.fifo' },
    ],
    socketMode: 0o600,
    backlog: 16,
    receiveBuffer: 8 * 1024 * 1024,
    bindIPv6Only: 'both',
  });
});

t.test('IPTOS= takes a name or 0..255, IPTTL= an int, DeferAcceptSec= a time span', async (t) => {
  const socketOf = (body: string) => {
    const file = path.join(dir, 'opts.socket');
    fs.writeFileSync(file, `[Socket]\nListenStream=/run/o.sock\n${body}`);
    const log = new DiagnosticLog();
    const parsed = parseUnitText(fs.readFileSync(file, 'utf8'), file, log);
    const config = interpretUnit({ name: 'opts.socket', assignments: parsed.assignments, log, specifiers: { unitName: 'opts.socket', fragmentPath: file } });
    return { socket: config.socket, messages: log.entries.map((e) => e.message) };
  };
  t.match(socketOf('IPTOS=low-delay\nIPTTL=42\nDeferAcceptSec=1min\n').socket, { ipTos: 0x10, ipTtl: 42, deferAcceptUSec: 60_000_000 });
  t.match(socketOf('IPTOS=throughput\n').socket, { ipTos: 0x08 });
  t.match(socketOf('IPTOS=184\n').socket, { ipTos: 184 });
  const bad = socketOf('IPTOS=256\nIPTTL=many\n');
  t.equal(bad.socket?.ipTos, undefined);
  t.equal(bad.socket?.ipTtl, undefined);
  t.same(bad.messages, ['Failed to parse IP TOS value, ignoring: 256', 'Failed to parse int value, ignoring: many']);
});

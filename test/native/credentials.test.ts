// SO_PEERCRED on the control socket, and becoming a child subreaper when not PID 1.

import t from 'tap';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { peerCredentials } from '../../src/native/index.js';

const dir = mkdtempSync(join(tmpdir(), 'unitd-cred-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

/** The fd under a net.Socket (what the control server will hand to peerCredentials). */
function fdOf(socket: Socket): number {
  return (socket as unknown as { _handle: { fd: number } })._handle.fd;
}

t.test('peerCredentials names the connecting process', async (t) => {
  const path = join(dir, 'control.sock');
  const accepted = new Promise<Socket>((resolve) => {
    const server = createServer((socket) => {
      resolve(socket);
      server.close();
    });
    server.listen(path);
  });
  await new Promise((r) => setTimeout(r, 50));
  const script = `import net from 'node:net'; const c = net.createConnection(${JSON.stringify(path)}); setTimeout(() => c.end(), 500);`;
  let clientPid = 0;
  const client = new Promise<void>((resolve, reject) => {
    const child = execFile(process.execPath, ['--input-type=module', '-e', script], { timeout: 10_000 }, (error) => (error ? reject(error) : resolve()));
    clientPid = child.pid ?? 0;
  });
  const socket = await accepted;
  t.same(peerCredentials(fdOf(socket)), { pid: clientPid, uid: 0, gid: 0 });
  socket.destroy();
  await client;

  // and a connection of our own
  const own = new Promise<Socket>((resolve) => {
    const server = createServer((socket) => {
      resolve(socket);
      server.close();
    });
    server.listen(join(dir, 'own.sock'));
  });
  const self = createConnection(join(dir, 'own.sock'));
  const socket2 = await own;
  t.equal(peerCredentials(fdOf(socket2)).pid, process.pid);
  socket2.destroy();
  self.destroy();
});

t.test('as a subreaper (not PID 1) orphans of our services come to us and are reaped', async (t) => {
  const fixture = join(import.meta.dirname, 'fixtures', 'subreaper.ts');
  const loader = process.execArgv.filter((arg) => arg.includes('@tapjs/typescript'));
  const stdout = await new Promise<string>((resolve) =>
    execFile(process.execPath, [...loader, fixture], { timeout: 30_000, env: { ...process.env, NODE_OPTIONS: '' } }, (_error, out) => resolve(out)));
  const report = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as {
    pid: number; before: boolean; after: boolean; shell: number; orphan: number; orphanParent: number; reported: number[];
  };
  t.comment(JSON.stringify(report));
  t.equal(report.before, false, 'not a subreaper at start');
  t.equal(report.after, true, 'setChildSubreaper took effect');
  t.equal(report.orphanParent, report.pid, 'the orphan was reparented to us');
  t.ok(report.reported.includes(report.shell), 'the shell was reaped');
  t.ok(report.reported.includes(report.orphan), 'the orphan was reaped');
});

// Bad unit files never crash systemctl or the loader: a clear message that
// names the file, no stack trace, and systemd's exit codes.

import t from 'tap';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UnitStore } from '../../src/units/loader.js';

const LAUNCHER = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../init/systemctl');
const ETC = 'etc/systemd/system';

function root(): string {
  const r = fs.mkdtempSync(path.join(os.tmpdir(), 'unitd-bad-'));
  fs.mkdirSync(path.join(r, ETC), { recursive: true });
  fs.mkdirSync(path.join(r, 'usr/lib/systemd/system'), { recursive: true });
  fs.writeFileSync(path.join(r, 'usr/lib/systemd/system/multi-user.target'), '[Unit]\nDescription=MU\n');
  return r;
}

function systemctl(...args: string[]): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync(process.execPath, [LAUNCHER, ...args], { encoding: 'utf8' });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

function noStack(t: { notMatch: (found: string, pattern: RegExp, message: string) => unknown }, text: string): void {
  t.notMatch(text, /\n\s+at .*:\d+:\d+/, 'no stack trace');
}

const GARBAGE = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256));

t.test('binary garbage: loads with warnings, never throws', async (t) => {
  const r = root();
  fs.writeFileSync(path.join(r, ETC, 'garbage.service'), Buffer.concat([Buffer.from('[Install]\nWantedBy=multi-user.target\n'), GARBAGE]));
  const u = new UnitStore({ root: r, unitPathEnv: undefined }).load('garbage.service');
  t.ok(['loaded', 'error', 'bad-setting'].includes(u.loadState));
  t.ok(u.diagnostics.every((d) => d.file.endsWith('garbage.service')), 'diagnostics name the file');
  const out = systemctl(`--root=${r}`, 'enable', 'garbage.service');
  noStack(t, out.stderr);
  t.equal(out.status, 0);
});

t.test('a 1 MiB line makes the file unusable with a message naming it', async (t) => {
  const r = root();
  fs.writeFileSync(path.join(r, ETC, 'long.service'), '[Unit]\nDescription=' + 'x'.repeat(1024 * 1024 + 10) + '\n');
  const u = new UnitStore({ root: r, unitPathEnv: undefined }).load('long.service');
  t.equal(u.loadState, 'error');
  t.match(u.loadError?.message ?? '', /long\.service failed to load properly/);
  t.ok(u.diagnostics.some((d) => d.file.endsWith('long.service')));
  const out = systemctl(`--root=${r}`, 'is-enabled', 'long.service');
  noStack(t, out.stderr);
});

t.test('unterminated quotes are a value problem, not a crash', async (t) => {
  const r = root();
  fs.writeFileSync(path.join(r, ETC, 'quote.service'), '[Service]\nExecStart=/bin/echo "unterminated\n[Install]\nWantedBy=multi-user.target\n');
  const u = new UnitStore({ root: r, unitPathEnv: undefined }).load('quote.service');
  t.not(u.loadState, 'error');
  const out = systemctl(`--root=${r}`, 'enable', 'quote.service');
  t.equal(out.status, 0);
  t.match(out.stderr, /Created symlink .*multi-user\.target\.wants\/quote\.service/);
});

t.test('symlink loops: LoadState error naming the file; systemctl exits 1 without a trace', async (t) => {
  const r = root();
  fs.symlinkSync(path.join('/', ETC, 'loop-b.service'), path.join(r, ETC, 'loop-a.service'));
  fs.symlinkSync(path.join('/', ETC, 'loop-a.service'), path.join(r, ETC, 'loop-b.service'));
  fs.symlinkSync('/opt/self.service', path.join(r, ETC, 'self.service'));
  fs.mkdirSync(path.join(r, 'opt'));
  fs.symlinkSync('/opt/self.service', path.join(r, 'opt/self.service'));
  const u = new UnitStore({ root: r, unitPathEnv: undefined }).load('self.service');
  t.equal(u.loadState, 'error');
  t.match(u.diagnostics.map((d) => d.file + ': ' + d.message).join('\n'), /self\.service.*Too many levels of symbolic links/);
  for (const name of ['loop-a.service', 'self.service']) {
    const out = systemctl(`--root=${r}`, 'enable', name);
    noStack(t, out.stderr);
    t.equal(out.status, 1, `enable ${name} fails`);
  }
});

t.test('unreadable files', async (t) => {
  const r = root();
  const file = path.join(r, ETC, 'secret.service');
  fs.writeFileSync(file, '[Service]\nExecStart=/bin/true\n');
  if (process.getuid?.() === 0) {
    // root reads through chmod 000; a directory where a file belongs gives a read error instead.
    fs.rmSync(file);
    fs.mkdirSync(file);
  } else fs.chmodSync(file, 0);
  const u = new UnitStore({ root: r, unitPathEnv: undefined }).load('secret.service');
  t.ok(['error', 'not-found'].includes(u.loadState), `state ${u.loadState}`);
  if (u.loadState === 'error') t.ok(u.diagnostics.some((d) => d.file.endsWith('secret.service')), 'names the file');
  const out = systemctl(`--root=${r}`, 'enable', 'secret.service');
  noStack(t, out.stderr);
  t.equal(out.status, 1);
});

t.test('bad command lines get getopt and systemctl wording', async (t) => {
  let out = systemctl('--bogus');
  t.match(out.stderr, /unrecognized option '--bogus'/);
  t.equal(out.status, 1);
  out = systemctl('-H', 'otherhost', 'status');
  t.equal(out.stderr, 'unitd manages only its own container; -H/--host is not supported.\n');
  t.equal(out.status, 1);
  out = systemctl('--root=/nonexistent', 'start', 'x');
  t.equal(out.stderr, "Verb 'start' cannot be used with --root= or --image=.\n");
  out = systemctl('nosuchverb');
  t.equal(out.stderr, 'Unknown command verb nosuchverb.\n');
  t.equal(out.status, 1);
});

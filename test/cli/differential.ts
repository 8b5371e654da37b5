// Runs one scenario against a systemctl binary in a fresh root and records what a
// user would see: each command's stdout, stderr and exit code, then every file
// and symlink left in the root. The root path is replaced by ROOT so two runs in
// different directories compare equal.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DiffCase, Seed } from './differential-cases.js';

export const REAL_SYSTEMCTL = '/usr/bin/systemctl';
export const OUR_LAUNCHER = path.resolve(import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname), '../../init/systemctl');

export interface CommandOutcome {
  args: string[];
  stdout: string;
  stderr: string;
  status: number | null;
}

export interface CaseOutcome {
  commands: CommandOutcome[];
  tree: string[];
}

export function seedRoot(root: string, files: Seed): void {
  for (const [rel, content] of Object.entries(files)) {
    const p = path.join(root, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    if (typeof content === 'string') fs.writeFileSync(p, content);
    else if ('link' in content) fs.symlinkSync(content.link, p);
    else {
      fs.writeFileSync(p, content.text);
      fs.chmodSync(p, content.mode);
    }
  }
}

export function listTree(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of fs.readdirSync(dir).sort()) {
      const p = path.join(dir, name);
      const rel = path.relative(root, p);
      const st = fs.lstatSync(p);
      if (st.isSymbolicLink()) out.push(`${rel} -> ${fs.readlinkSync(p)}`);
      else if (st.isDirectory()) {
        out.push(`${rel}/`);
        walk(p);
      } else out.push(`${rel} (${st.size} bytes)`);
    }
  };
  walk(root);
  return out;
}

function normalise(text: string, root: string): string {
  // getopt messages start with the program path as invoked; compare the rest.
  return text.split(root).join('ROOT').split(REAL_SYSTEMCTL).join('systemctl').split(OUR_LAUNCHER).join('systemctl');
}

/** `useReal` runs /usr/bin/systemctl, always with --root first; otherwise our launcher through node. */
export function runCase(c: DiffCase, root: string, useReal: boolean): CaseOutcome {
  seedRoot(root, c.files);
  const commands: CommandOutcome[] = [];
  for (const args of c.commands) {
    const full = [`--root=${root}`, ...args];
    const r = useReal
      ? spawnSync(REAL_SYSTEMCTL, full, { encoding: 'utf8', env: { ...process.env, SYSTEMD_COLORS: '0', SYSTEMD_PAGER: '', LANG: 'C.UTF-8' } })
      : spawnSync(process.execPath, [OUR_LAUNCHER, ...full], { encoding: 'utf8', env: { ...process.env, LANG: 'C.UTF-8' } });
    commands.push({
      args,
      stdout: normalise(r.stdout ?? '', root),
      stderr: normalise(r.stderr ?? '', root),
      status: r.status,
    });
  }
  return { commands, tree: listTree(root) };
}

// User and group database lookups (/etc/passwd, /etc/group), for HOME/SHELL and
// for chowning exec directories. The child resolves credentials itself (native
// spawn, 217/USER on failure); this is only what the manager must know.

import { readFileSync } from 'node:fs';

export interface UserEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
  shell: string;
}

function readDatabase(path: string): string[][] {
  try {
    return readFileSync(path, 'utf8')
      .split('\n')
      .filter((line) => line && !line.startsWith('#'))
      .map((line) => line.split(':'));
  } catch {
    return [];
  }
}

export function lookupUser(nameOrId: string): UserEntry | undefined {
  const numeric = /^\d+$/.test(nameOrId);
  for (const f of readDatabase('/etc/passwd')) {
    if (f.length < 7) continue;
    if (numeric ? f[2] === nameOrId : f[0] === nameOrId) {
      return { name: f[0], uid: Number(f[2]), gid: Number(f[3]), home: f[5], shell: f[6] };
    }
  }
  if (numeric) return { name: nameOrId, uid: Number(nameOrId), gid: Number(nameOrId), home: '/', shell: '/bin/sh' };
  return undefined;
}

export function lookupGroupId(nameOrId: string): number | undefined {
  if (/^\d+$/.test(nameOrId)) return Number(nameOrId);
  for (const f of readDatabase('/etc/group')) if (f[0] === nameOrId) return Number(f[2]);
  return undefined;
}

/** systemd leaves SHELL out for nologin placeholders (observed User=daemon). */
export function isNologinShell(shell: string): boolean {
  return /\/(nologin|false)$/.test(shell);
}

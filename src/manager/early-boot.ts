// What a machine's early boot does before any service starts, for a container:
//   1. /run starts empty. On a machine /run is a fresh tmpfs; a container's /run
//      is part of its writable layer and survives `docker stop`/`docker start`,
//      so unitd empties it (stale pid files, sockets, its own state).
//   2. tmpfiles.d(5) "create" lines (systemd-tmpfiles --create --boot): packages
//      put their /run directories there (memcached's /run/memcached, PostgreSQL's
//      /run/postgresql) instead of RuntimeDirectory=.
// Both are best effort: a failure is logged, never fatal to PID 1.

import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';

interface Log {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/** Mount points under `dir` (and whether `dir` itself is one), from /proc/self/mountinfo. */
function mountPointsUnder(dir: string): { self: boolean; below: string[] } {
  let text = '';
  try {
    text = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return { self: false, below: [] };
  }
  const points = text
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter(Boolean)
    .map((p) => p.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))));
  return { self: points.includes(dir), below: points.filter((p) => p.startsWith(dir + '/')) };
}

/**
 * Is this the container's init? PID 1 itself, or the only child of Docker's
 * `--init` (tini). A unitd started later by `systemctl` inside a running
 * container is neither, and must not touch what is already running there.
 */
export function isContainerInit(): boolean {
  if (process.pid === 1) return true;
  if (process.ppid !== 1) return false;
  try {
    const comm = readFileSync('/proc/1/comm', 'utf8').trim();
    return comm === 'docker-init' || comm === 'tini' || comm === 'tini-static';
  } catch {
    return false;
  }
}

/** Empties /run, except mount points and what contains one; /run/lock stays (empty, 1777). */
export function cleanRunDirectory(log: Log, run = '/run'): void {
  const mounts = mountPointsUnder(run);
  if (mounts.self) return; // its own tmpfs: already fresh
  let removed = 0;
  for (const name of readdirSync(run)) {
    const full = path.join(run, name);
    if (mounts.below.some((m) => m === full || m.startsWith(full + '/'))) continue;
    try {
      rmSync(full, { recursive: true, force: true });
      removed++;
    } catch (err) {
      log.warn({ err, path: full }, 'cannot remove stale runtime state');
    }
  }
  if (removed > 0) log.info({ removed }, 'emptied /run');
}

/** /run/lock (1777) exists on every systemd machine (legacy.conf); daemons expect it. */
export function ensureRunLock(run = '/run'): void {
  mkdirSync(path.join(run, 'lock'), { recursive: true });
  chmodSync(path.join(run, 'lock'), 0o1777);
}

/** What systemd-tmpfiles says when an item cannot be made, per type letter. */
const TMPFILES_WHAT: Readonly<Record<string, string>> = {
  d: 'directory or subvolume',
  D: 'directory or subvolume',
  f: 'file',
  F: 'file',
  L: 'symlink',
  z: 'permissions of',
};

/** strerror(3)'s text from a Node error ("EROFS: read-only file system, mkdir '/x'" → "Read-only file system"). */
export function errorText(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const match = /^[A-Z0-9]+: ([^,]+)/.exec(message);
  const text = match ? match[1] : message;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** One line per failed tmpfiles.d item: `name.conf:3: Failed to create file "/x": Read-only file system`. */
export function tmpfilesFailure(config: string, l: TmpfilesLine, err: unknown): string {
  const what = TMPFILES_WHAT[l.type] ?? 'item';
  const verb = l.type === 'z' ? 'Failed to adjust' : 'Failed to create';
  return `${path.basename(config)}:${l.line}: ${verb} ${what} "${l.path}": ${errorText(err)}`;
}

// ---------------------------------------------------------------- tmpfiles.d

export const TMPFILES_DIRS = ['/etc/tmpfiles.d', '/run/tmpfiles.d', '/usr/local/lib/tmpfiles.d', '/usr/lib/tmpfiles.d', '/lib/tmpfiles.d'] as const;

export interface TmpfilesLine {
  type: string;
  /** 1-based line number in its file, for messages. */
  line: number;
  /** '!' boot-only, '-' errors ignored, '+' replace: as given after the type letter. */
  flags: string;
  path: string;
  mode: number | undefined;
  user: string | undefined;
  group: string | undefined;
  argument: string | undefined;
}

/** tmpfiles.d(5) syntax: `Type Path Mode User Group Age Argument`, `-` for "default". */
export function parseTmpfiles(text: string): TmpfilesLine[] {
  const out: TmpfilesLine[] = [];
  const rows = text.split('\n');
  for (let index = 0; index < rows.length; index++) {
    const line = rows[index].trim();
    if (!line || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    const [typeField = '', p = '', mode = '-', user = '-', group = '-', , ...rest] = fields;
    const type = typeField.charAt(0);
    if (!p.startsWith('/') || p.includes('%')) continue; // specifiers: not needed by the packages we meet
    const m = mode.replace(/^~/, '');
    out.push({
      type,
      line: index + 1,
      flags: typeField.slice(1),
      path: p,
      mode: m !== '-' && /^[0-7]{3,4}$/.test(m) ? parseInt(m, 8) : undefined,
      user: user !== '-' ? user : undefined,
      group: group !== '-' ? group : undefined,
      argument: rest.length > 0 && rest.join(' ') !== '-' ? rest.join(' ') : undefined,
    });
  }
  return out;
}

/** The config files in effect: one per basename, the first directory wins, applied in basename order. */
export function tmpfilesConfigs(root = ''): string[] {
  const byName = new Map<string, string>();
  for (const dir of TMPFILES_DIRS) {
    let names: string[];
    try {
      names = readdirSync(path.join(root || '/', dir));
    } catch {
      continue;
    }
    for (const name of names) if (name.endsWith('.conf') && !byName.has(name)) byName.set(name, path.join(root || '/', dir, name));
  }
  return [...byName.keys()].sort().map((n) => byName.get(n) as string);
}

function idTable(file: string): Map<string, { id: number; gid: number }> {
  const table = new Map<string, { id: number; gid: number }>();
  try {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const f = line.split(':');
      if (f.length >= 3 && f[0]) table.set(f[0], { id: Number(f[2]), gid: Number(f[3] ?? f[2]) });
    }
  } catch {
    // no such database: numeric ids only
  }
  return table;
}

/** Applies the create-type lines (d, D, f, F, L, z): enough for packages' runtime directories. */
export function applyTmpfiles(log: Log, root = ''): void {
  const users = idTable(path.join(root || '/', 'etc/passwd'));
  const groups = idTable(path.join(root || '/', 'etc/group'));
  const uidOf = (u: string | undefined): number | undefined => (u === undefined ? undefined : /^\d+$/.test(u) ? Number(u) : users.get(u)?.id);
  const gidOf = (g: string | undefined): number | undefined => (g === undefined ? undefined : /^\d+$/.test(g) ? Number(g) : groups.get(g)?.id);
  for (const config of tmpfilesConfigs(root)) {
    let lines: TmpfilesLine[];
    try {
      lines = parseTmpfiles(readFileSync(config, 'utf8'));
    } catch (err) {
      log.warn({ cause: err }, `Failed to read ${config}: ${errorText(err)}`);
      continue;
    }
    for (const l of lines) {
      const target = path.join(root || '/', l.path);
      try {
        const setOwnerAndMode = (defaultMode: number, fresh: boolean): void => {
          // chown first: it may clear set-id bits that the mode sets.
          const uid = uidOf(l.user);
          const gid = gidOf(l.group);
          if (uid !== undefined || gid !== undefined) chownSync(target, uid ?? -1, gid ?? -1);
          if (l.mode !== undefined || fresh) chmodSync(target, l.mode ?? defaultMode);
        };
        switch (l.type) {
          case 'd':
          case 'D': {
            const fresh = !existsSync(target);
            // One level first: a recursive mkdir reports ENOENT for what is EROFS (a read-only root).
            if (fresh) {
              try {
                mkdirSync(target, { mode: l.mode ?? 0o755 });
              } catch (err) {
                if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
                mkdirSync(target, { recursive: true, mode: l.mode ?? 0o755 });
              }
            }
            setOwnerAndMode(0o755, fresh);
            break;
          }
          case 'f':
          case 'F': {
            const content = l.flags.includes('^') ? credentialContent(l, log, config) : (l.argument ?? '');
            if (content === undefined) break;
            // systemd-tmpfiles makes missing parent directories for every item it creates.
            mkdirSync(path.dirname(target), { recursive: true, mode: 0o755 });
            const fresh = !existsSync(target);
            if (fresh || l.type === 'F') writeFileSync(target, content);
            setOwnerAndMode(0o644, fresh);
            break;
          }
          case 'L': {
            if (l.argument === undefined) break;
            let present = false;
            try {
              lstatSync(target);
              present = true;
            } catch {
              // absent
            }
            if (!present) mkdirSync(path.dirname(target), { recursive: true, mode: 0o755 });
            if (present && l.flags.includes('+')) rmSync(target, { recursive: true, force: true });
            if (!present || l.flags.includes('+')) symlinkSync(l.argument, target);
            break;
          }
          case 'z':
            if (existsSync(target)) setOwnerAndMode(0o755, false);
            break;
          default:
            // cleaning (x, X, r, R, e), devices, ACLs and attributes: not a container's concern
            break;
        }
      } catch (err) {
        if (!l.flags.includes('-')) log.warn({ cause: err, tmpfiles: { config, line: l.line } }, tmpfilesFailure(config, l, err));
      }
    }
  }
}

/**
 * `f^`/`F^`: the argument names a credential whose contents are written (tmpfiles.d(5)),
 * read from $CREDENTIALS_DIRECTORY or the system credentials. Undefined: skip the line,
 * with systemd-tmpfiles' words for why.
 */
function credentialContent(l: TmpfilesLine, log: Log, config: string): Buffer | undefined {
  const name = l.argument;
  if (name === undefined) {
    log.warn({ config, path: l.path }, 'Reading from credential requested, but no credential name specified.');
    return undefined;
  }
  if (name === '.' || name === '..' || name.includes('/') || Buffer.byteLength(name) > 255) {
    log.warn({ config, path: l.path }, `Credential name not valid: ${name}`);
    return undefined;
  }
  const dir = process.env.CREDENTIALS_DIRECTORY || SYSTEM_CREDENTIALS_DIR;
  try {
    return readFileSync(path.join(dir, name));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENXIO') log.info({ config, path: l.path }, `Credential '${name}' not specified, skipping line.`);
    else log.warn({ config, path: l.path, err }, `Failed to read credential '${name}': ${(err as Error).message}`);
    return undefined;
  }
}

/** Where systemd 252 keeps the credentials the system itself was given. */
const SYSTEM_CREDENTIALS_DIR = '/run/credentials/@system';

/**
 * Docker leaves /.dockerenv, Podman /run/.containerenv and $container. A PID
 * namespace made with unshare (the integration tests, benchmarks) has none of
 * them and may share the host's /run: that must never be emptied.
 */
export function inContainer(): boolean {
  return existsSync('/.dockerenv') || existsSync('/run/.containerenv') || Boolean(process.env.container);
}

/** At boot, as the container's init: a fresh /run, then tmpfiles.d. */
export function prepareRunDirectory(log: Log): void {
  if ((process.getuid?.() ?? 0) !== 0 || process.env.UNITD_RUNTIME_DIR || !isContainerInit() || !inContainer()) return;
  try {
    cleanRunDirectory(log);
  } catch (err) {
    log.warn({ err }, 'cannot empty /run');
  }
  try {
    ensureRunLock();
  } catch (err) {
    log.warn({ cause: err }, `Failed to create directory "/run/lock": ${errorText(err)}`);
  }
  try {
    applyTmpfiles(log);
  } catch (err) {
    log.warn({ err }, 'tmpfiles.d not applied');
  }
}

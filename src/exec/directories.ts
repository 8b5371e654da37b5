// RuntimeDirectory=, StateDirectory=, CacheDirectory=, LogsDirectory=,
// ConfigurationDirectory= (systemd.exec(5) "Paths"): created before the first
// command, innermost directory owned by User=, exported as $*_DIRECTORY.

import { chmodSync, chownSync, mkdirSync, rmSync, statSync, symlinkSync, lstatSync } from 'node:fs';
import { join, isAbsolute } from 'node:path';
import type { ExecDirectory, ExecSettings } from './settings.js';
import { lookupGroupId, lookupUser } from './users.js';

export const DIRECTORY_KINDS = [
  { key: 'runtimeDirectory', clean: 'runtime', root: '/run', env: 'RUNTIME_DIRECTORY', exitCode: 233, chown: true },
  { key: 'stateDirectory', clean: 'state', root: '/var/lib', env: 'STATE_DIRECTORY', exitCode: 238, chown: true },
  { key: 'cacheDirectory', clean: 'cache', root: '/var/cache', env: 'CACHE_DIRECTORY', exitCode: 239, chown: true },
  { key: 'logsDirectory', clean: 'logs', root: '/var/log', env: 'LOGS_DIRECTORY', exitCode: 240, chown: true },
  { key: 'configurationDirectory', clean: 'configuration', root: '/etc', env: 'CONFIGURATION_DIRECTORY', exitCode: 241, chown: false },
] as const;

/** `systemctl clean --what=` words: one per directory kind, and `all`. */
export type CleanWhat = (typeof DIRECTORY_KINDS)[number]['clean'];
export const CLEAN_WHAT: readonly CleanWhat[] = DIRECTORY_KINDS.map((k) => k.clean);

export class DirectorySetupError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'DirectorySetupError';
  }
}

function splitName(entry: string): { name: string; link?: string } {
  const colon = entry.indexOf(':');
  return colon < 0 ? { name: entry } : { name: entry.slice(0, colon), link: entry.slice(colon + 1) };
}

function owner(settings: ExecSettings): { uid: number; gid: number } | undefined {
  if (!settings.user && !settings.group) return undefined;
  const user = settings.user ? lookupUser(settings.user) : undefined;
  const gid = settings.group ? lookupGroupId(settings.group) : user?.gid;
  return { uid: user?.uid ?? 0, gid: gid ?? 0 };
}

/** Create every configured directory; returns the env vars to export. Throws DirectorySetupError. */
export function prepareDirectories(settings: ExecSettings): Record<string, string> {
  const env: Record<string, string> = {};
  const own = owner(settings);
  for (const kind of DIRECTORY_KINDS) {
    const dir: ExecDirectory = settings[kind.key];
    const paths: string[] = [];
    for (const entry of dir.names) {
      const { name, link } = splitName(entry);
      if (isAbsolute(name) || name.split('/').includes('..')) {
        throw new DirectorySetupError(kind.exitCode, `${kind.env}: invalid directory name ${name}`);
      }
      const path = join(kind.root, name);
      try {
        mkdirSync(path, { recursive: true, mode: dir.mode });
        chmodSync(path, dir.mode);
        if (own && kind.chown) {
          const st = statSync(path);
          if (st.uid !== own.uid || st.gid !== own.gid) chownSync(path, own.uid, own.gid);
        }
        if (link) {
          const linkPath = join(kind.root, link);
          try {
            lstatSync(linkPath);
          } catch {
            symlinkSync(path, linkPath);
          }
        }
      } catch (err) {
        throw new DirectorySetupError(kind.exitCode, `Failed to set up ${kind.env} ${path}: ${(err as Error).message}`);
      }
      paths.push(path);
    }
    if (paths.length > 0) env[kind.env] = paths.join(':');
  }
  return env;
}

/** Runtime directories go away when the unit stops, unless RuntimeDirectoryPreserve= says otherwise. */
export function removeRuntimeDirectories(settings: ExecSettings, restarting: boolean): void {
  const preserve = settings.runtimeDirectoryPreserve;
  if (preserve === 'yes' || (preserve === 'restart' && restarting)) return;
  for (const entry of settings.runtimeDirectory.names) {
    const { name, link } = splitName(entry);
    rmSync(join('/run', name), { recursive: true, force: true });
    if (link) rmSync(join('/run', link), { force: true });
  }
}

/** The clean kinds for which the unit configures at least one directory (systemd's unit_can_clean mask). */
export function cleanableKinds(settings: ExecSettings): CleanWhat[] {
  return DIRECTORY_KINDS.filter((k) => settings[k.key].names.length > 0).map((k) => k.clean);
}

/** `systemctl clean`: remove the configured directories (and their symlinks) of the given kinds. */
export function cleanDirectories(settings: ExecSettings, kinds: readonly CleanWhat[]): void {
  for (const kind of DIRECTORY_KINDS) {
    if (!kinds.includes(kind.clean)) continue;
    for (const entry of settings[kind.key].names) {
      const { name, link } = splitName(entry);
      if (isAbsolute(name) || name.split('/').includes('..')) continue;
      rmSync(join(kind.root, name), { recursive: true, force: true });
      if (link) rmSync(join(kind.root, link), { force: true });
    }
  }
}

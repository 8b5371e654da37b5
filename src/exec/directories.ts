// RuntimeDirectory=, StateDirectory=, CacheDirectory=, LogsDirectory=,
// ConfigurationDirectory= (systemd.exec(5) "Paths"): created before the first
// command, innermost directory owned by User=, exported as $*_DIRECTORY.

import { chmodSync, chownSync, mkdirSync, rmSync, statSync, symlinkSync, lstatSync } from 'node:fs';
import { join, isAbsolute } from 'node:path';
import type { ExecDirectory, ExecSettings } from './settings.js';
import { lookupGroupId, lookupUser } from './users.js';

export const DIRECTORY_KINDS = [
  { key: 'runtimeDirectory', root: '/run', env: 'RUNTIME_DIRECTORY', exitCode: 233, chown: true },
  { key: 'stateDirectory', root: '/var/lib', env: 'STATE_DIRECTORY', exitCode: 238, chown: true },
  { key: 'cacheDirectory', root: '/var/cache', env: 'CACHE_DIRECTORY', exitCode: 239, chown: true },
  { key: 'logsDirectory', root: '/var/log', env: 'LOGS_DIRECTORY', exitCode: 240, chown: true },
  { key: 'configurationDirectory', root: '/etc', env: 'CONFIGURATION_DIRECTORY', exitCode: 241, chown: false },
] as const;

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

// What a .path unit watches and when its condition holds (systemd.path(5), src/core/path.c):
// the inotify watches of one path spec, and the check of its condition. The unit's state
// machine (path.ts) decides what to do with the answers.

import { accessSync, readdirSync, statSync } from 'node:fs';
import { IN, type Inotify, type InotifyEvent } from '../native/inotify.js';
import { globToRegExp, isGlob } from '../units/glob.js';
import type { PathSpecKind } from '../units/schema/enums.js';
import type { PathSpec } from '../units/schema/types.js';


/** Edge-triggered kinds fire on events; level-triggered ones while their condition holds. */
export function isEdgeTriggered(kind: PathSpecKind): boolean {
  return kind === 'PathChanged' || kind === 'PathModified';
}

// path_spec_watch()'s flags_table: what the deepest existing component is watched for.
const SELF = IN.DELETE_SELF | IN.MOVE_SELF | IN.ATTRIB;
const CHANGED = SELF | IN.CLOSE_WRITE | IN.CREATE | IN.DELETE | IN.MOVED_FROM | IN.MOVED_TO;
const FINAL_MASK: Record<PathSpecKind, number> = {
  PathExists: SELF,
  PathExistsGlob: SELF,
  PathChanged: CHANGED,
  PathModified: CHANGED | IN.MODIFY,
  DirectoryNotEmpty: SELF | IN.CREATE | IN.MOVED_TO,
};
/** Ancestors are watched for the next component appearing, and for being moved or deleted. */
const ANCESTOR_MASK = IN.MOVE_SELF | IN.DELETE_SELF | IN.CREATE | IN.MOVED_TO;

/**
 * The watches of one spec, as systemd installs them: every existing prefix of the path
 * (both the symlink and its target), the deepest one with the kind's mask. Each install
 * replaces the previous one; any event makes the unit re-check and re-install.
 */
export class SpecWatch {
  /** Watch descriptor of the full path, when it exists: only its events count as a change. */
  private primary = -1;
  private readonly descriptors = new Set<number>();

  constructor(
    readonly spec: PathSpec,
    private readonly inotify: Pick<Inotify, 'add' | 'remove'>,
  ) {}

  /** Installs the watches. Throws when not even `/` could be watched (ENOSPC, EMFILE ...). */
  install(): void {
    this.uninstall();
    const parts = this.spec.path.split('/').filter(Boolean);
    let watchedSomething = false;
    for (let i = 0; i <= parts.length; i++) {
      const prefix = '/' + parts.slice(0, i).join('/');
      const final = i === parts.length;
      const mask = final ? FINAL_MASK[this.spec.kind] : ANCESTOR_MASK;
      let wd = -1;
      try {
        // The link itself, then what it points to: the same watch when it is no symlink.
        this.track(this.inotify.add(prefix, mask | IN.DONT_FOLLOW));
        wd = this.inotify.add(prefix, mask);
        this.track(wd);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'EACCES' || code === 'ENOTDIR') break; // incomplete for now: the parent tells us when it appears
        throw err;
      }
      watchedSomething = true;
      // This component exists, so its parent need not be watched closely any more.
      if (i > 0) this.downgrade('/' + parts.slice(0, i - 1).join('/'));
      if (final) this.primary = wd;
    }
    if (!watchedSomething) throw new Error(`Failed to add watch on any of the components of ${this.spec.path}`);
  }

  uninstall(): void {
    for (const wd of this.descriptors) this.inotify.remove(wd);
    this.descriptors.clear();
    this.primary = -1;
  }

  owns(wd: number): boolean {
    return this.descriptors.has(wd);
  }

  /** path_spec_fd_event(): for PathChanged=/PathModified=, an event on the path itself is a change. */
  changedBy(events: InotifyEvent[]): boolean {
    return isEdgeTriggered(this.spec.kind) && this.primary >= 0 && events.some((e) => e.wd === this.primary && !(e.mask & IN.IGNORED));
  }

  private downgrade(parent: string): void {
    try {
      this.track(this.inotify.add(parent, IN.MOVE_SELF));
    } catch {
      // the worst that can happen is a spurious event
    }
  }

  private track(wd: number): void {
    this.descriptors.add(wd);
  }
}

/** hidden_or_backup_file(): names DirectoryNotEmpty= does not count. */
export function isHiddenOrBackup(name: string): boolean {
  if (name.startsWith('.') || ['lost+found', 'aquota.user', 'aquota.group'].includes(name) || name.endsWith('~')) return true;
  const dot = name.lastIndexOf('.');
  if (dot < 0) return false;
  return BACKUP_SUFFIXES.has(name.slice(dot + 1));
}
const BACKUP_SUFFIXES = new Set([
  'rpmnew', 'rpmsave', 'rpmorig', 'dpkg-old', 'dpkg-new', 'dpkg-tmp', 'dpkg-dist', 'dpkg-bak', 'dpkg-backup', 'dpkg-remove',
  'ucf-new', 'ucf-old', 'ucf-dist', 'swp', 'bak', 'old', 'new',
]);

function exists(path: string): boolean {
  try {
    accessSync(path);
    return true;
  } catch {
    return false;
  }
}

/** glob(3)'s first match, or undefined: `*`, `?` and sets within one component; wildcards skip dot files. */
export function firstGlobMatch(pattern: string): string | undefined {
  const parts = pattern.split('/').filter(Boolean);
  const walk = (dir: string, i: number): string | undefined => {
    if (i === parts.length) return dir;
    const part = parts[i];
    const join = (name: string): string => (dir === '/' ? `/${name}` : `${dir}/${name}`);
    if (!isGlob(part)) {
      const next = join(part);
      return i === parts.length - 1 ? (exists(next) ? next : undefined) : walk(next, i + 1);
    }
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return undefined;
    }
    const re = globToRegExp(part, { escapes: true });
    for (const name of names) {
      if (name.startsWith('.') && !part.startsWith('.')) continue;
      if (!re.test(name)) continue;
      const found = walk(join(name), i + 1);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return walk('/', 0);
}

function directoryNotEmpty(path: string): boolean {
  try {
    if (!statSync(path).isDirectory()) return false;
    return readdirSync(path).some((name) => !isHiddenOrBackup(name));
  } catch {
    return false;
  }
}

/**
 * path_spec_check_good(): whether this spec asks for the unit to be triggered now, and the
 * path to report as TRIGGER_PATH. Edge kinds are "good" only when the path came or went
 * since the last check, and never on the initial check or after the triggered unit stopped.
 */
export class SpecCheck {
  private previouslyExisted = false;

  constructor(readonly spec: PathSpec) {}

  check(initial: boolean, fromTriggerNotify: boolean): string | undefined {
    const { kind, path } = this.spec;
    switch (kind) {
      case 'PathExists':
        return exists(path) ? path : undefined;
      case 'PathExistsGlob':
        return firstGlobMatch(path);
      case 'DirectoryNotEmpty':
        return directoryNotEmpty(path) ? path : undefined;
      case 'PathChanged':
      case 'PathModified': {
        const now = exists(path);
        const toggled = now !== this.previouslyExisted;
        this.previouslyExisted = now;
        return !initial && !fromTriggerNotify && toggled ? path : undefined;
      }
    }
  }
}

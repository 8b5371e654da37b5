// What an install operation did or failed to do, and how systemctl reports it
// (install_changes_dump() in systemd 252): one line per change on stderr, in the
// order the changes happened.

import { InstallErrno } from './install-info.js';
import { STRERROR } from './values/errno.js';

export const CHANGE_KINDS = ['symlink', 'unlink', 'is-masked', 'is-dangling', 'destination-not-present', 'auxiliary-failed'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

export type InstallChange =
  | { kind: ChangeKind; path: string; source?: string }
  | { kind: 'error'; errno: InstallErrno; path: string; source?: string };

export class ChangeList {
  readonly items: InstallChange[] = [];

  add(kind: ChangeKind, path: string, source?: string): void {
    this.items.push({ kind, path, source });
  }

  error(errno: InstallErrno, path: string, source?: string): void {
    this.items.push({ kind: 'error', errno, path, source });
  }

  get firstError(): InstallErrno | undefined {
    for (const c of this.items) if (c.kind === 'error') return c.errno;
    return undefined;
  }
}


function errorLine(verb: string, c: { errno: InstallErrno; path: string; source?: string }): string {
  switch (c.errno) {
    case 'EEXIST':
      return c.source
        ? `Failed to ${verb} unit, file "${c.path}" already exists and is a symlink to "${c.source}".`
        : `Failed to ${verb} unit, file "${c.path}" already exists.`;
    case 'ERFKILL':
      return `Failed to ${verb} unit, unit ${c.path} is masked.`;
    case 'EADDRNOTAVAIL':
      return `Failed to ${verb} unit, unit ${c.path} is transient or generated.`;
    case 'EBADSLT':
      return `Failed to ${verb} unit, invalid specifier in "${c.path}".`;
    case 'EIDRM':
      return `Failed to ${verb} ${c.source}, destination unit ${c.path} is a non-template unit.`;
    case 'EUCLEAN':
      return `Failed to ${verb} unit, "${c.path}" is not a valid unit name.`;
    case 'ELOOP':
      return `Failed to ${verb} unit, refusing to operate on linked unit file ${c.path}.`;
    case 'EXDEV':
      return c.source
        ? `Failed to ${verb} unit, cannot alias ${c.source} as ${c.path}.`
        : `Failed to ${verb} unit, invalid unit reference "${c.path}".`;
    case 'ENOENT':
      return `Failed to ${verb} unit, unit ${c.path} does not exist.`;
    case 'EUNATCH':
      return `Failed to ${verb} unit, cannot resolve specifiers in "${c.path}".`;
    default:
      return `Failed to ${verb} unit, file "${c.path}": ${STRERROR[c.errno]}.`;
  }
}

/**
 * The one line systemctl prints when the change went through a running manager
 * and failed: the manager's bus error (install_error() in systemd 252's
 * dbus-manager.c) after "Failed to VERB unit: ", and none of the changes.
 */
export function describeManagerError(verb: string, changes: ChangeList, result: InstallErrno): string {
  const c = changes.items.find((i): i is Extract<InstallChange, { kind: 'error' }> => i.kind === 'error');
  const prefix = `Failed to ${verb} unit: `;
  if (c === undefined) return prefix + STRERROR[result];
  switch (c.errno) {
    case 'EEXIST':
      return prefix + (c.source ? `File ${c.path} already exists and is a symlink to ${c.source}.` : `File ${c.path} already exists.`);
    case 'ERFKILL':
      return prefix + `Unit file ${c.path} is masked.`;
    case 'EADDRNOTAVAIL':
      return prefix + `Unit ${c.path} is transient or generated.`;
    case 'ELOOP':
      return prefix + `Refusing to operate on alias name or linked unit file: ${c.path}`;
    case 'ENOENT':
      return prefix + `Unit file ${c.path} does not exist.`;
    case 'EUNATCH':
      return prefix + `Cannot resolve specifiers in ${c.path}.`;
    default:
      return prefix + `File ${c.path}: ${STRERROR[c.errno]}`;
  }
}

/**
 * The lines systemctl prints for a list of changes. `result` is the
 * operation's own error, printed generically when no change explained it.
 */
export function describeChanges(verb: string, changes: ChangeList, result: InstallErrno | undefined, quiet: boolean): string[] {
  const out: string[] = [];
  let logged = false;
  for (const c of changes.items) {
    if (c.kind === 'error') {
      out.push(errorLine(verb, c));
      logged = true;
      continue;
    }
    if (quiet) continue;
    switch (c.kind) {
      case 'symlink':
        out.push(`Created symlink ${c.path} \u2192 ${c.source}.`);
        break;
      case 'unlink':
        out.push(`Removed "${c.path}".`);
        break;
      case 'is-masked':
        out.push(`Unit ${c.path} is masked, ignoring.`);
        break;
      case 'is-dangling':
        out.push(`Unit ${c.path} is an alias to a unit that is not present, ignoring.`);
        break;
      case 'destination-not-present':
        out.push(`Unit ${c.source} is added as a dependency to a non-existent unit ${c.path}.`);
        break;
      case 'auxiliary-failed':
        out.push(`Failed to enable auxiliary unit ${c.source}, ignoring.`);
        break;
    }
  }
  if (result !== undefined && !logged) out.push(`Failed to ${verb}: ${STRERROR[result]}.`);
  return out;
}

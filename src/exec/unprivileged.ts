// Credentials in non-root mode. A unitd started as an ordinary uid is that user's manager
// (as systemd's user manager is): it can start processes only as itself. User=, Group= and
// SupplementaryGroups= naming its own identity are satisfied already and dropped from the
// spawn (setgroups(2) would fail with EPERM even for one's own groups); anything else fails
// before the fork with one line saying why, under systemd's exit status for that step
// (217/USER, 216/GROUP).

import { EXIT } from '../units/values/exit-status.js';
import type { SpawnSpec } from './native.js';
import { ExecSetupError } from './spawn-spec.js';
import { lookupGroupId, lookupUser } from './users.js';

export interface ManagerCredentials {
  uid: number;
  gid: number;
  /** Supplementary groups the manager holds. */
  groups: readonly number[];
}

export function managerCredentials(): ManagerCredentials {
  return { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0, groups: process.getgroups?.() ?? [] };
}

function uidOf(user: string | number): number | undefined {
  return typeof user === 'number' ? user : lookupUser(user)?.uid;
}

function gidOf(group: string | number): number | undefined {
  return typeof group === 'number' ? group : lookupGroupId(group);
}

function notPermitted(what: string, self: ManagerCredentials): string {
  return `${what} needs privileges unitd does not have: it runs as uid ${self.uid} (non-root mode) and starts services only as that user.`;
}

/**
 * Makes `spec` runnable by a non-root manager, or throws ExecSetupError naming the setting.
 * Names the database does not know are left to the spawn (217/USER "No such process", as
 * systemd). As root this does nothing.
 */
export function fitCredentials(spec: SpawnSpec, self: ManagerCredentials): void {
  if (self.uid === 0) return;
  if (spec.user !== undefined) {
    const uid = uidOf(spec.user);
    if (uid === undefined) return;
    if (uid !== self.uid) throw new ExecSetupError(EXIT.USER, notPermitted(`User=${spec.user}`, self));
    delete spec.user;
  }
  if (spec.group !== undefined) {
    const gid = gidOf(spec.group);
    if (gid === undefined) return;
    if (gid !== self.gid) throw new ExecSetupError(EXIT.GROUP, notPermitted(`Group=${spec.group}`, self));
    delete spec.group;
  }
  if (spec.supplementaryGroups !== undefined) {
    const held = new Set([self.gid, ...self.groups]);
    const foreign = spec.supplementaryGroups.find((g) => {
      const gid = gidOf(g);
      return gid === undefined || !held.has(gid);
    });
    if (foreign !== undefined) throw new ExecSetupError(EXIT.GROUP, notPermitted(`SupplementaryGroups=${foreign}`, self));
    delete spec.supplementaryGroups;
  }
}

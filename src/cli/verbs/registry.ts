// Every systemctl verb, registered in one place. Modules load lazily so that
// `systemctl is-enabled` does not pay for `status`. Argument counts include
// the verb itself, as in systemd's verb table (ANY = no limit).

import { VerbModule } from './verb.js';

export const ANY = Infinity;

export interface VerbEntry {
  min: number;
  max: number;
  /** File verbs work offline and with --root; the rest need the manager. */
  offline: boolean;
  load: () => Promise<VerbModule>;
  /** Output goes through the pager on a terminal (the verbs whose systemctl 252 code calls pager_open()). */
  pages?: boolean;
}

const changeUnitFiles = (): Promise<VerbModule> => import('./change-unit-files.js');
const runtime = (): Promise<VerbModule> => import('./runtime.js');

const file = (min: number, max: number, load: () => Promise<VerbModule>): VerbEntry => ({ min, max, offline: true, load });
const online = (min: number, max: number, load: () => Promise<VerbModule> = runtime): VerbEntry => ({ min, max, offline: false, load });

/** The same entry, paged. */
const paged = (entry: VerbEntry): VerbEntry => ({ ...entry, pages: true });

export const VERBS: Record<string, VerbEntry> = {
  enable: file(2, ANY, changeUnitFiles),
  disable: file(2, ANY, changeUnitFiles),
  reenable: file(2, ANY, changeUnitFiles),
  link: file(2, ANY, changeUnitFiles),
  mask: file(2, ANY, changeUnitFiles),
  unmask: file(2, ANY, changeUnitFiles),
  preset: file(2, ANY, changeUnitFiles),
  revert: file(2, ANY, changeUnitFiles),
  'preset-all': file(1, 1, () => import('./preset-all.js')),
  'is-enabled': file(2, ANY, () => import('./is-enabled.js')),
  'list-unit-files': paged(file(1, ANY, () => import('./list-unit-files.js'))),
  'get-default': file(1, 1, () => import('./default-target.js')),
  'set-default': file(2, 2, () => import('./default-target.js')),
  'add-wants': file(3, ANY, () => import('./add-dependency.js')),
  'add-requires': file(3, ANY, () => import('./add-dependency.js')),
  // Read unit files but refuse --root, as systemctl does (they talk to the manager there).
  cat: paged(online(2, ANY, () => import('./cat.js'))),
  edit: online(2, ANY, () => import('./edit.js')),
  'list-dependencies': paged(online(1, ANY, () => import('./list-dependencies.js'))),
  verify: file(2, ANY, () => import('./verify.js')),

  'list-units': paged(online(1, ANY)),
  'list-sockets': paged(online(1, ANY)),
  'list-timers': paged(online(1, ANY)),
  'list-jobs': paged(online(1, ANY)),
  start: online(2, ANY),
  stop: online(2, ANY),
  reload: online(2, ANY),
  restart: online(2, ANY),
  'try-restart': online(2, ANY),
  condrestart: online(2, ANY),
  'force-reload': online(2, ANY),
  'reload-or-restart': online(2, ANY),
  'try-reload-or-restart': online(2, ANY),
  isolate: online(2, 2),
  kill: online(2, ANY),
  freeze: online(2, ANY),
  thaw: online(2, ANY),
  clean: online(2, ANY),
  'reset-failed': online(1, ANY),
  status: paged(online(1, ANY)),
  show: paged(online(1, ANY)),
  'is-active': online(2, ANY),
  'is-failed': online(2, ANY),
  'is-system-running': online(1, 1),
  cancel: online(1, ANY),
  'daemon-reload': online(1, 1),
  'daemon-reexec': online(1, 1),
  'show-environment': paged(online(1, 1)),
  'set-environment': online(2, ANY),
  'unset-environment': online(2, ANY),
  'import-environment': online(1, ANY),
  poweroff: online(1, 1),
  halt: online(1, 1),
  reboot: online(1, 1),
  exit: online(1, 2),
  default: online(1, 1),
  rescue: online(1, 1),
  emergency: online(1, 1),
};

/** Add or replace a verb (runtime verbs register here once they exist). */
export function registerVerb(name: string, entry: VerbEntry): void {
  VERBS[name] = entry;
}

/** Verbs that read unit files locally but go through the manager's view with systemd, so --root refuses them. */
export const DEFAULT_VERB = 'list-units';

// [Service] settings as the state machine uses them: the schema's ServiceSection
// (units/schema/types.ts, defaults and derived values in units/schema/defaults.ts)
// with its command lines in the shape the spawner runs them.

import type { ExecCommand, Privileges } from '../exec/settings.js';
import { defaultServiceSection } from '../units/schema/defaults.js';
import type { ServiceSection } from '../units/schema/types.js';
import type { ExecCommand as ConfigExecCommand } from '../units/values/command-line.js';

export type { ExitStatusSet } from '../units/values/exit-status.js';

export const EXEC_LISTS = [
  'execCondition',
  'execStartPre',
  'execStart',
  'execStartPost',
  'execReload',
  'execStop',
  'execStopPost',
] as const;
export type ExecListName = (typeof EXEC_LISTS)[number];

/** `ExecStartPre` for `execStartPre`: the property name systemd prints. */
export function execListProperty(list: ExecListName): string {
  return list[0].toUpperCase() + list.slice(1);
}

export type ServiceSettings = Omit<ServiceSection, ExecListName> & Record<ExecListName, ExecCommand[]>;

export function toExecCommand(c: ConfigExecCommand): ExecCommand {
  let privileges: Privileges = 'normal';
  if (c.flags.includes('privileged')) privileges = 'full';
  else if (c.flags.includes('no-setuid') || c.flags.includes('ambient')) privileges = 'no-credentials';
  return {
    path: c.path,
    argv: [...c.argv],
    ignoreFailure: c.flags.includes('ignore-failure'),
    noExpand: c.flags.includes('no-env-expand'),
    privileges,
  };
}

/** The settings of an interpreted [Service] section (its derived values already settled by the schema). */
export function serviceSettingsOf(s: ServiceSection): ServiceSettings {
  const lists = Object.fromEntries(EXEC_LISTS.map((list) => [list, s[list].map(toExecCommand)])) as Record<ExecListName, ExecCommand[]>;
  return { ...structuredClone(s), ...lists };
}

/** A service without a unit file (systemd's defaults, as `systemctl show` reports them). */
export function defaultServiceSettings(): ServiceSettings {
  return serviceSettingsOf(defaultServiceSection());
}

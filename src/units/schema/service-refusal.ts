// Load-time refusals of a [Service] section (systemd's service_verify()): a unit that
// fails them is LoadState=bad-setting with this one message.

import type { ServiceRestart } from './enums.js';
import type { UnitConfig } from './types.js';

/** Restart= values a oneshot may use (always/on-success are refused). */
const ONESHOT_RESTARTS: readonly ServiceRestart[] = ['no', 'on-failure', 'on-abnormal', 'on-watchdog', 'on-abort'];

/**
 * The message systemd refuses a service with, in its order of checks, or
 * undefined when the settings are consistent. Expects settled defaults (Type derived).
 */
export function serviceRefusal(config: UnitConfig): string | undefined {
  const s = config.service;
  if (!s) return undefined;
  const hasStart = s.execStart.length > 0;
  const noSuccessAction = config.unit.successAction === 'none';
  if (!hasStart && s.execStop.length === 0 && noSuccessAction) {
    return 'Service has no ExecStart=, ExecStop=, or SuccessAction=. Refusing.';
  }
  if (s.type !== 'oneshot' && !hasStart) {
    return 'Service has no ExecStart= setting, which is only allowed for Type=oneshot services. Refusing.';
  }
  if (!s.remainAfterExit && !hasStart && noSuccessAction) {
    return 'Service has no ExecStart= and no SuccessAction= settings and does not have RemainAfterExit=yes set. Refusing.';
  }
  if (s.type !== 'oneshot' && s.execStart.length > 1) {
    return 'Service has more than one ExecStart= setting, which is only allowed for Type=oneshot services. Refusing.';
  }
  if (s.type === 'oneshot' && !ONESHOT_RESTARTS.includes(s.restart)) {
    return "Service has Restart= set to either always or on-success, which isn't allowed for Type=oneshot services. Refusing.";
  }
  if (s.type === 'oneshot' && s.exitType === 'cgroup') {
    return "Service has ExitType=cgroup set, which isn't allowed for Type=oneshot services. Refusing.";
  }
  if (s.type === 'dbus' && s.busName === undefined) {
    return 'Service is of type D-Bus but no D-Bus service name has been specified. Refusing.';
  }
  return undefined;
}

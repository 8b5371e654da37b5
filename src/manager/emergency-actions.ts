// SuccessAction= / FailureAction= (systemd.unit(5)) in a container: what the
// manager does when a unit with one of these settles. reboot and kexec cannot
// mean anything here and act like poweroff (the container ends); the -force
// variants skip stopping units (processes are still terminated); -immediate
// ends at once.

export interface EmergencyDecision {
  /** poweroff/halt/reboot end with 0, exit with the given status. */
  kind: 'poweroff' | 'halt' | 'reboot' | 'exit';
  exitCode: number;
  /** Skip the orderly stop of units. */
  force: boolean;
  /** Skip even the process sweep's grace period. */
  immediate: boolean;
}

/**
 * The decision for `action` (undefined for `none`). `exitStatus` is
 * SuccessActionExitStatus=/FailureActionExitStatus= when set, else the unit's
 * own exit status for the exit actions (systemd uses the main process status).
 */
export function emergencyDecision(action: string, exitStatus: number | undefined): EmergencyDecision | undefined {
  if (!action || action === 'none') return undefined;
  const force = action.endsWith('-force') || action.endsWith('-immediate');
  const immediate = action.endsWith('-immediate');
  const base = action.replace(/-(force|immediate)$/, '');
  switch (base) {
    case 'exit':
      return { kind: 'exit', exitCode: clampExit(exitStatus ?? 0), force, immediate };
    case 'poweroff':
    case 'halt':
    case 'reboot':
    case 'soft-reboot':
    case 'kexec':
      return { kind: base === 'halt' ? 'halt' : base === 'poweroff' ? 'poweroff' : 'reboot', exitCode: 0, force, immediate };
    default:
      return undefined;
  }
}

function clampExit(n: number): number {
  return Number.isInteger(n) && n >= 0 && n <= 255 ? n : 1;
}

/** systemd's words for each action as it logs "<words>: <reason>" (core/emergency-action.c, 252). */
const ACTION_WORDS: Readonly<Record<string, string>> = {
  reboot: 'Rebooting',
  'reboot-force': 'Forcibly rebooting',
  'reboot-immediate': 'Rebooting immediately',
  poweroff: 'Powering off',
  'poweroff-force': 'Forcibly powering off',
  'poweroff-immediate': 'Powering off immediately',
  exit: 'Exiting',
  'exit-force': 'Exiting immediately',
  'soft-reboot': 'Soft-rebooting',
  'soft-reboot-force': 'Forcibly soft-rebooting',
  kexec: 'Rebooting via kexec',
  'kexec-force': 'Forcibly rebooting via kexec',
  halt: 'Halting',
  'halt-force': 'Forcibly halting',
  'halt-immediate': 'Halting immediately',
};

/** The warning systemd logs when it runs `action` for `reason` ("Exiting: unit x.service failed"). */
export function emergencyActionMessage(action: string, reason: string): string {
  return `${ACTION_WORDS[action] ?? action}: ${reason}`;
}

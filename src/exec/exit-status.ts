// Exit status and signal names as systemd prints them (systemd.exec(5) "Process exit codes").

import { constants } from 'node:os';
import { exitStatusByCode, exitStatusByName as nativeByName } from '../native/index.js';

/** Full name table, as the journal uses it (`status=3/NOTIMPLEMENTED`). */
export function exitStatusName(status: number): string | undefined {
  return exitStatusByCode(status)?.name;
}

/** `TEMPFAIL`, `EX_TEMPFAIL` or `EXIT_...` → number. */
export function exitStatusByName(name: string): number | undefined {
  const bare = name.toUpperCase().replace(/^(EXIT_|EX_)/, '');
  return nativeByName(bare)?.code;
}

const SIGNALS = constants.signals as Record<string, number>;

/** `TERM` for 15, as $EXIT_STATUS and status lines show it. */
export function signalName(signal: number): string {
  for (const [name, n] of Object.entries(SIGNALS)) {
    if (n === signal && name !== 'SIGIOT' && name !== 'SIGPOLL' && name !== 'SIGUNUSED') return name.slice(3);
  }
  return String(signal);
}

/** Accepts `SIGTERM`, `TERM` or `15`. */
export function signalNumber(value: string | number): number | undefined {
  if (typeof value === 'number') return value;
  if (/^\d+$/.test(value)) return Number(value);
  const upper = value.toUpperCase();
  return SIGNALS[upper.startsWith('SIG') ? upper : `SIG${upper}`];
}

export const SIGNAL = { HUP: 1, INT: 2, ABRT: 6, KILL: 9, PIPE: 13, TERM: 15, CHLD: 17, CONT: 18 } as const;

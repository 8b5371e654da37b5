// Signal names and numbers as systemd's signal_from_string()/signal_to_string()
// handle them on Linux (x86/arm layout): "TERM", "SIGTERM", "15", "RTMIN+3".

import { ParseResult, ok, fail } from './result.js';

/** Index = signal number; index 0 is unused. */
export const SIGNAL_NAMES = [
  '',
  'HUP',
  'INT',
  'QUIT',
  'ILL',
  'TRAP',
  'ABRT',
  'BUS',
  'FPE',
  'KILL',
  'USR1',
  'SEGV',
  'USR2',
  'PIPE',
  'ALRM',
  'TERM',
  'STKFLT',
  'CHLD',
  'CONT',
  'STOP',
  'TSTP',
  'TTIN',
  'TTOU',
  'URG',
  'XCPU',
  'XFSZ',
  'VTALRM',
  'PROF',
  'WINCH',
  'IO',
  'PWR',
  'SYS',
] as const;
export type SignalName = Exclude<(typeof SIGNAL_NAMES)[number], ''>;

/** Signals the manager sends or classifies by number (index into SIGNAL_NAMES). */
export const SIGNAL = { HUP: 1, INT: 2, ABRT: 6, KILL: 9, PIPE: 13, TERM: 15, CHLD: 17, CONT: 18 } as const;

// glibc reserves 32 and 33 for itself, so SIGRTMIN is 34 as seen by programs.
export const SIGRTMIN = 34;
export const SIGRTMAX = 64;

export function isValidSignal(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= SIGRTMAX;
}

function parseRealtime(s: string): number | undefined {
  const m = /^(RTMIN|RTMAX)(?:([+-])(\d+))?$/.exec(s);
  if (!m) return undefined;
  const base = m[1] === 'RTMIN' ? SIGRTMIN : SIGRTMAX;
  if (m[2] === undefined) return base;
  // RTMIN counts up, RTMAX counts down; the other direction is not a name systemd accepts.
  if ((m[1] === 'RTMIN' && m[2] !== '+') || (m[1] === 'RTMAX' && m[2] !== '-')) return undefined;
  const offset = Number(m[3]);
  if (offset > SIGRTMAX - SIGRTMIN) return undefined;
  const n = m[1] === 'RTMIN' ? base + offset : base - offset;
  return isValidSignal(n) ? n : undefined;
}

/** A signal number from a name (with or without SIG), RTMIN+n/RTMAX-n, or a number 1–64. */
export function signalFromString(input: string): number | undefined {
  if (/^[+-]?\d+$/.test(input)) {
    const n = Number(input);
    return isValidSignal(n) ? n : undefined;
  }
  const s = input.startsWith('SIG') ? input.slice(3) : input;
  const idx = (SIGNAL_NAMES as readonly string[]).indexOf(s);
  if (idx > 0) return idx;
  return parseRealtime(s);
}

/** Parse the value of KillSignal= and friends, with systemd's message. */
export function parseSignal(value: string): ParseResult<number> {
  const n = signalFromString(value);
  return n === undefined ? fail(`Failed to parse signal name, ignoring: ${value}`) : ok(n);
}

/** "SEGV" for 11, "RTMIN+2" for 36, the number itself when unnamed (as status=11/SEGV shows it). */
export function signalToString(n: number): string {
  if (n >= 1 && n < SIGNAL_NAMES.length) return SIGNAL_NAMES[n];
  if (n >= SIGRTMIN && n <= SIGRTMAX) return `RTMIN+${n - SIGRTMIN}`;
  return String(n);
}

/** "SIGTERM" as the journal writes it ("Killing process 1 (sh) with signal SIGKILL."). */
export function signalToSigName(n: number): string {
  const s = signalToString(n);
  return /^\d+$/.test(s) ? s : `SIG${s}`;
}

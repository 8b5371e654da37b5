// Whether systemctl colours its output, decided as systemd 252's
// get_color_mode(): SYSTEMD_COLORS wins (a boolean, or 16/256/24bit), then
// NO_COLOR turns colours off, then TERM unset or "dumb", or stdout/stderr not
// a terminal, turns them off.

import { isTerminal } from './io.js';

export type ColorMode = 'off' | '16' | '256' | '24bit';

export interface ColorEnv {
  env: NodeJS.ProcessEnv;
  /** stdout and stderr are both terminals (systemd's on_tty()). */
  onTTY: boolean;
}

const TRUE_WORDS = new Set(['1', 'yes', 'y', 'true', 't', 'on']);
const FALSE_WORDS = new Set(['0', 'no', 'n', 'false', 'f', 'off']);

export function colorMode({ env, onTTY }: ColorEnv = processColorEnv()): ColorMode {
  const v = env.SYSTEMD_COLORS?.toLowerCase();
  if (v !== undefined) {
    if (v === '16' || v === '256' || v === '24bit') return v;
    if (TRUE_WORDS.has(v)) return '256';
    if (FALSE_WORDS.has(v)) return 'off';
  }
  if (env.NO_COLOR !== undefined) return 'off';
  const term = env.TERM;
  if (term === undefined || term === 'dumb' || !onTTY) return 'off';
  return env.COLORTERM === 'truecolor' || env.COLORTERM === '24bit' ? '24bit' : '256';
}

export function processColorEnv(): ColorEnv {
  return { env: process.env, onTTY: isTerminal(1) && isTerminal(2) };
}

export function colorsEnabled(e: ColorEnv = processColorEnv()): boolean {
  return colorMode(e) !== 'off';
}

/** systemd's ansi_highlight_* sequences; yellow has a 256-colour shade unless only 16 colours are allowed. */
export function ansi(mode: ColorMode): { red: string; green: string; yellow: string; normal: string } {
  return {
    red: '\x1b[0;1;31m',
    green: '\x1b[0;1;32m',
    yellow: mode === '16' ? '\x1b[0;1;33m' : '\x1b[0;1;38;5;185m',
    normal: '\x1b[0m',
  };
}

/** A log line on stderr as systemd's log_error()/log_warning() show it on a terminal. */
export function logLine(level: 'error' | 'warning', message: string, mode: ColorMode = colorMode()): string {
  if (mode === 'off') return message;
  const a = ansi(mode);
  return `${level === 'error' ? a.red : a.yellow}${message}${a.normal}`;
}

// StandardInput=tty*, StandardOutput=/StandardError=tty and the TTY*= keys → the terminal the
// native spawn takes (native/child-terminal.cc), and giving it back when the service is gone.

import { revertTerminal, type SpawnSpec, type TerminalAcquire, type TerminalSpec } from '../native/index.js';
import { DEFAULT_TTY_PATH, type ExecSettings } from './settings.js';

/** StandardInput= → how the child takes the terminal (systemd's acquire_terminal() modes). */
const TERMINAL_ACQUIRE: Record<'tty' | 'tty-force' | 'tty-fail', TerminalAcquire> = { tty: 'wait', 'tty-force': 'force', 'tty-fail': 'try' };

export function terminalInput(s: ExecSettings): TerminalAcquire | undefined {
  const kind = s.standardInput.kind;
  return kind === 'tty' || kind === 'tty-force' || kind === 'tty-fail' ? TERMINAL_ACQUIRE[kind] : undefined;
}

function resetOnly(s: ExecSettings): TerminalSpec {
  const t = s.terminal;
  const terminal: TerminalSpec = { path: t.path ?? DEFAULT_TTY_PATH };
  if (t.reset) terminal.reset = true;
  if (t.vhangup) terminal.vhangup = true;
  if (t.vtDisallocate) terminal.vtDisallocate = true;
  return terminal;
}

/**
 * The terminal the child resets and uses: when a stdio is on it, or a TTY*= key asks for it
 * (TTYReset=yes alone resets TTYPath=, as systemd's exec_context_tty_reset() does).
 */
export function terminalFor(s: ExecSettings, spec: SpawnSpec): TerminalSpec | undefined {
  const t = s.terminal;
  const onTerminal = [spec.stdin, spec.stdout, spec.stderr].some((stdio) => stdio?.kind === 'tty');
  const asked = t.path !== undefined || t.reset || t.vhangup || t.vtDisallocate || t.rows !== undefined || t.columns !== undefined;
  if (!onTerminal && !asked) return undefined;
  const terminal = resetOnly(s);
  const acquire = terminalInput(s);
  if (acquire !== undefined) terminal.acquire = acquire;
  if (t.rows !== undefined) terminal.rows = t.rows;
  if (t.columns !== undefined) terminal.columns = t.columns;
  return terminal;
}

/**
 * exec_context_revert_tty() when the service is dead: the reset again (kicking out what it left
 * on the terminal), then the terminal back to root:tty 0620. Only for a unit that touches the
 * terminal (exec_context_may_touch_tty(); unitd's journal+console does not open the console).
 * Returns systemd's warning when the hand-back failed.
 */
export function revertServiceTerminal(s: ExecSettings): string | undefined {
  const t = s.terminal;
  const stdio = terminalInput(s) !== undefined || s.standardOutput.kind === 'tty' || s.standardError.kind === 'tty';
  if (!stdio && !t.reset && !t.vhangup && !t.vtDisallocate) return undefined;
  const terminal = resetOnly(s);
  const failure = revertTerminal(terminal, true);
  return failure === undefined ? undefined : `Failed to reset TTY ownership/access mode of ${terminal.path}, ignoring: ${failure}`;
}

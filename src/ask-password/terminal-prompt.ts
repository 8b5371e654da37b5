// Reading a password on the terminal, as systemd 252's ask_password_tty() shows it: the
// message in bold after a 🔐 (when emoji are enabled), a grey "(press TAB for no echo)"
// hint that the first key erases, then one '*' per character (TAB turns even those off),
// Backspace and Ctrl-U to correct, Enter to finish, Ctrl-C (or Ctrl-D on an empty line) to
// cancel. The terminal's mode is restored however the prompt ends.

import { closeSync, openSync, writeSync } from 'node:fs';
import { ReadStream } from 'node:tty';
import { colorMode } from '../cli/colors.js';
import { emojiEnabled } from '../cli/locale.js';

export type EchoMode = 'yes' | 'no' | 'masked';

/** The user gave up (Ctrl-C, Ctrl-D): systemd's ECANCELED. */
export class PromptCanceled extends Error {
  constructor() {
    super('Operation canceled');
  }
}

const HINT = '(press TAB for no echo)';
const BOLD = '\x1b[0;1;39m';
const GREY = '\x1b[0;38;5;245m';
const NORMAL = '\x1b[0m';

interface Terminal {
  input: ReadStream;
  write(text: string): void;
  close(): void;
}

/** The device asked for (--console), else the controlling terminal, else stdin/stdout when both are terminals. */
function openTerminal(device: string | undefined): Terminal {
  try {
    const path = device ?? '/dev/tty';
    // Two opens: the read stream makes its descriptor non-blocking, which would cut
    // writes short; the prompt writes through its own, blocking one.
    const readFd = openSync(path, 'r');
    const writeFd = openSync(path, 'w');
    const input = new ReadStream(readFd);
    return {
      input,
      write: (text) => writeAll(writeFd, text),
      close: () => {
        input.destroy();
        closeSync(writeFd);
      },
    };
  } catch (error) {
    if (device !== undefined) throw error;
    if (process.stdin.isTTY !== true || process.stdout.isTTY !== true) throw new Error('No terminal to ask on: No such device or address');
    return { input: process.stdin as ReadStream, write: (text) => void process.stdout.write(text), close: () => process.stdin.pause() };
  }
}

function writeAll(fd: number, text: string): void {
  let data = Buffer.from(text);
  while (data.length > 0) data = data.subarray(writeSync(fd, data));
}

/** Terminals left in raw mode by a prompt in progress, restored when the process is told to stop. */
const rawTerminals = new Set<ReadStream>();

/** Put every terminal a prompt holds back into cooked mode (from a SIGTERM handler). */
export function restoreTerminals(): void {
  for (const input of rawTerminals) input.setRawMode(false);
  rawTerminals.clear();
}

export interface PromptOptions {
  emoji?: boolean;
  /** Ask on this terminal device instead of our own (the agent's --console). */
  device?: string;
  /** Aborted when the question goes away (answered elsewhere, or its asker gave up). */
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
}

export function askOnTerminal(message: string, echo: EchoMode, options: PromptOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  const emoji = options.emoji ?? emojiEnabled(env);
  const terminal = openTerminal(options.device);
  const colors = colorMode({ env, onTTY: true }) !== 'off';
  const prefix = emoji ? '🔐 ' : '';
  terminal.write(colors ? `${BOLD}${prefix}${message}${NORMAL} ` : `${prefix}${message} `);
  let hintShown = echo === 'masked';
  if (hintShown) terminal.write(colors ? `${GREY}${HINT}${NORMAL}` : HINT);
  let mode = echo;
  let typed: string[] = [];
  const erase = (count: number): void => terminal.write('\b \b'.repeat(count));

  return new Promise<string>((resolve, reject) => {
    const finish = (error: Error | undefined): void => {
      options.signal?.removeEventListener('abort', onAbort);
      terminal.input.off('data', onData);
      terminal.input.setRawMode(false);
      rawTerminals.delete(terminal.input);
      terminal.write('\n');
      terminal.close();
      if (error) reject(error);
      else resolve(typed.join(''));
    };
    const onData = (chunk: Buffer): void => {
      for (const key of chunk.toString('utf8')) {
        if (hintShown) {
          erase(HINT.length);
          hintShown = false;
        }
        if (key === '\r' || key === '\n') return finish(undefined);
        if (key === '\x03' || (key === '\x04' && typed.length === 0)) return finish(new PromptCanceled());
        if (key === '\x7f' || key === '\b') {
          if (typed.length > 0 && mode !== 'no') erase(1);
          typed = typed.slice(0, -1);
        } else if (key === '\x15') {
          if (mode !== 'no') erase(typed.length);
          typed = [];
        } else if (key === '\t' && mode === 'masked') {
          erase(typed.length);
          mode = 'no';
        } else if (key >= ' ' || key.length > 1 || key === '\t') {
          typed.push(key);
          if (mode === 'masked') terminal.write('*');
          else if (mode === 'yes') terminal.write(key);
        }
      }
    };
    const onAbort = (): void => finish(new PromptCanceled());
    if (options.signal?.aborted) return finish(new PromptCanceled());
    options.signal?.addEventListener('abort', onAbort);
    terminal.input.setRawMode(true);
    rawTerminals.add(terminal.input);
    terminal.input.on('data', onData);
    terminal.input.resume();
  });
}

// Where a command's output goes. Verbs write whole lines; tests capture them.

import { writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { clientBinding } from '../native/client-binding.js';

export interface CliIO {
  out(line: string): void;
  err(line: string): void;
}

/**
 * systemd 252's log functions end a line with "\r\n" when stderr is a terminal
 * (write_to_console(): a console in raw mode would not return the carriage), so
 * a pty shows "\r\r\n" after the line discipline's own translation.
 */
export const LOG_EOL = (): string => (isTerminal(2) ? '\r\n' : '\n');

/**
 * process.stdout.isTTY without creating process.stdout (see writeStd). node:tty loads net and
 * the streams (~3 ms): isatty(3) from the clients' addon when it is there.
 */
export const isTerminal = (fd: 1 | 2): boolean =>
  clientBinding()?.isatty(fd) ?? (createRequire(import.meta.url)('node:tty') as typeof import('node:tty')).isatty(fd);

/** The fds whose output went to process.stdout/stderr once write(2) could not take it all. */
const streamed = new Set<number>();

/**
 * Writes to fd 1 or 2 with write(2), as systemd's tools do. process.stdout and process.stderr are
 * synchronous on Linux as well, but creating one costs a client start about 3 ms (a tenth of what
 * a verb adds to Node's own start). What write(2) cannot finish (EAGAIN on a non-blocking fd a
 * parent handed us, EPIPE...) goes to the stream, which deals with it as it always did, and so
 * does every later write to that fd, to keep the order.
 */
export function writeStd(fd: 1 | 2, text: string): void {
  let rest = text;
  if (!streamed.has(fd)) {
    const bytes = Buffer.from(text);
    let done = 0;
    try {
      while (done < bytes.length) done += writeSync(fd, bytes, done);
      return;
    } catch {
      streamed.add(fd);
      rest = bytes.subarray(done).toString();
    }
  }
  (fd === 1 ? process.stdout : process.stderr).write(rest);
}

export const processIO: CliIO = {
  out: (line) => writeStd(1, line + '\n'),
  err: (line) => writeStd(2, line + LOG_EOL()),
};

/** Collects output in memory (tests, and verbs that build output before printing). */
export class BufferIO implements CliIO {
  stdout = '';
  stderr = '';
  out(line: string): void {
    this.stdout += line + '\n';
  }
  err(line: string): void {
    this.stderr += line + '\n';
  }
}

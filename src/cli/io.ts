// Where a command's output goes. Verbs write whole lines; tests capture them.

export interface CliIO {
  out(line: string): void;
  err(line: string): void;
}

/**
 * systemd 252's log functions end a line with "\r\n" when stderr is a terminal
 * (write_to_console(): a console in raw mode would not return the carriage), so
 * a pty shows "\r\r\n" after the line discipline's own translation.
 */
export const LOG_EOL = (): string => (process.stderr.isTTY === true ? '\r\n' : '\n');

export const processIO: CliIO = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + LOG_EOL()),
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

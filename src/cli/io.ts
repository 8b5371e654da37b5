// Where a command's output goes. Verbs write whole lines; tests capture them.

export interface CliIO {
  out(line: string): void;
  err(line: string): void;
}

export const processIO: CliIO = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
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

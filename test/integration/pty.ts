// A pseudo-terminal made by the test (fixtures/pty-broker.py): its slave path, what was written
// to it, and a way to type into it. Node has no openpty(); python3's pty module does.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { REPO } from './harness.js';

export const PYTHON = '/usr/bin/python3';
const BROKER = join(REPO, 'test/integration/fixtures/pty-broker.py');

export interface Pty {
  /** /dev/pts/N: give it as TTYPath=. */
  path: string;
  /** Everything the terminal has shown so far (with the line discipline's \r\n). */
  output(): string;
  /** Resolves once the output matches, rejects after timeoutMs. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  type(text: string): void;
  close(): void;
}

export function ptyUnavailable(): string | undefined {
  return existsSync(PYTHON) ? undefined : `no ${PYTHON} to make a pseudo-terminal with`;
}

export async function openPty(): Promise<Pty> {
  const child: ChildProcessByStdio<Writable, Readable, null> = spawn(PYTHON, [BROKER], { stdio: ['pipe', 'pipe', 'inherit'] });
  let text = '';
  let path: string | undefined;
  const listeners = new Set<() => void>();
  child.stdout.on('data', (chunk: Buffer) => {
    text += chunk.toString('latin1');
    if (path === undefined && text.includes('\n')) {
      path = text.slice(0, text.indexOf('\n'));
      text = text.slice(text.indexOf('\n') + 1);
    }
    listeners.forEach((l) => l());
  });
  const waitFor = (pattern: RegExp, timeoutMs = 10_000): Promise<string> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (path === undefined || !pattern.test(text)) return;
        listeners.delete(check);
        clearTimeout(timer);
        resolve(text);
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`terminal output did not match ${String(pattern)} within ${timeoutMs} ms: ${JSON.stringify(text)}`));
      }, timeoutMs);
      listeners.add(check);
      check();
    });
  await waitFor(/^/);
  return {
    path: path as string,
    output: () => text,
    waitFor,
    type: (input) => child.stdin.write(input),
    close: () => {
      child.stdin.end();
      if (child.exitCode === null && child.pid !== undefined) child.kill('SIGKILL');
    },
  };
}

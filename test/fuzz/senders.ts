// What the PID-1 fuzzers share: their sender processes report "sent N ..." into /run files
// when they finish, and PID 1's open fds are counted before, during and after.
import { readdirSync } from 'node:fs';
import { sleep, type System } from '../integration/harness.js';

export const fdCount = (pid: number): number => readdirSync(`/proc/${pid}/fd`).length;

/** The report of each sender once every one of them says "sent N", or what they said by the deadline. */
export async function waitDone(sys: System, files: string[], timeoutMs: number): Promise<string[]> {
  const end = Date.now() + timeoutMs;
  let found: string[] = [];
  while (Date.now() < end) {
    found = (await Promise.all(files.map((f) => sys.exec('cat', `/run/${f}`)))).map((r) => r.stdout.trim());
    if (found.every((s) => /^sent \d+/.test(s))) break;
    await sleep(500);
  }
  return found;
}

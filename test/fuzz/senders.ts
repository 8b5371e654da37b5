// What the PID-1 fuzzers share: their sender processes report "sent N ..." into /run files
// when they finish, and PID 1's open fds are counted before, during and after.
import { readdirSync, readlinkSync } from 'node:fs';
import { sleep, type System } from '../integration/harness.js';

export const fdCount = (pid: number): number => readdirSync(`/proc/${pid}/fd`).length;

/**
 * PID 1's fds, less the kernel log and console it opens on first need and then keeps, as journald
 * keeps them: a fuzzed stream header may set forward_to_kmsg/console (journald 252 honours them).
 */
export function fdCountBesidesLogDevices(pid: number): number {
  const dir = `/proc/${pid}/fd`;
  return readdirSync(dir).filter((fd) => {
    try {
      return !['/dev/kmsg', '/dev/console'].includes(readlinkSync(`${dir}/${fd}`));
    } catch {
      return false; // closed meanwhile
    }
  }).length;
}

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

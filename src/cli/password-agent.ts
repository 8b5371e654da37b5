// The password agent systemctl runs beside a job on a terminal, as systemd 252's
// ask_password_agent_open() does: when stdin is a terminal and --no-ask-password is not
// given, `systemd-tty-ask-password-agent --watch` runs until the job is done, so a service
// that asks for a passphrase while starting (apache2 with a protected key) is answered on
// the terminal of the `systemctl start` that waits for it.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** unitd's own agent, beside systemctl's launcher (init/ sits next to dist/ and src/). */
const AGENT = fileURLToPath(new URL('../../init/systemd-tty-ask-password-agent', import.meta.url));

export interface PasswordAgent {
  /** Stops the agent (SIGTERM, which also restores the terminal) and waits for it. */
  close(): Promise<void>;
}

export function openPasswordAgent(noAskPassword: boolean): PasswordAgent | undefined {
  // stdin, not stdout: this is about where the answer is typed.
  if (noAskPassword || process.stdin.isTTY !== true || !existsSync(AGENT)) return undefined;
  const child = spawn(AGENT, ['--watch'], { stdio: 'inherit' });
  if (child.pid === undefined) {
    child.once('error', () => {}); // no agent: the job runs all the same
    return undefined;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    close: async () => {
      child.kill('SIGTERM');
      child.kill('SIGCONT');
      await exited;
    },
  };
}

// Where the control socket lives. Tests and non-PID-1 daemons move it with
// UNITD_RUNTIME_DIR so several managers can run side by side.

import { join } from 'node:path';

export const DEFAULT_RUNTIME_DIR = '/run/unitd';

export function runtimeDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.UNITD_RUNTIME_DIR;
  return dir !== undefined && dir !== '' ? dir : DEFAULT_RUNTIME_DIR;
}

export function controlSocketPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(runtimeDir(env), 'control.sock');
}

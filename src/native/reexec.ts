// daemon-reexec's two system calls (reexec.cc): execve of unitd keeping named descriptors,
// and taking such a descriptor back in the new program.

import { native } from './binding.js';
import { expectInteger, MAX_FD } from './validate.js';

/**
 * execve(file, argv, env) with `keepFds` inherited (FD_CLOEXEC cleared just before). Returns
 * only by throwing a system error (ENOENT, EACCES ...); the fds are then close-on-exec again.
 */
export function execSelf(file: string, argv: string[], env: string[], keepFds: number[]): never {
  for (const fd of keepFds) expectInteger(fd, 'keepFds[]', 0, MAX_FD);
  return native.execSelf(file, argv, env, keepFds);
}

/** Whether `fd`, named by the state file, is open here; it is made close-on-exec again (no service inherits it). */
export function adoptFd(fd: number): boolean {
  expectInteger(fd, 'fd', 0, MAX_FD);
  return native.adoptFd(fd);
}

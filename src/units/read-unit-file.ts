// The one way a unit file or drop-in is read (loader, verify, install, cat).
// A unit file comes from a directory anyone with write access to /etc can
// fill, and reading it happens inside PID 1 on behalf of anyone's `systemctl
// status`: so it is opened with O_NONBLOCK (a FIFO cannot block the open or
// the read), checked with fstat on the opened descriptor (no race with a
// rename), refused unless it is a regular file, and its size is checked
// before a byte is read (a symlink to /dev/zero cannot eat the heap).

import * as fs from 'node:fs';

import { UNIT_FILE_LIMITS } from '../control/limits.js';

/** Why a unit file was not read: an errno name plus the one line that explains it. */
export class UnitFileReadError extends Error {
  constructor(
    readonly errno: string,
    readonly file: string,
    readonly detail: string,
  ) {
    super(`${file}: ${detail}`);
    this.name = 'UnitFileReadError';
  }
}

export interface UnitFileContent {
  data: Buffer;
  mtimeMs: number;
}

function kindOf(st: fs.Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Read a unit file; throws UnitFileReadError (or the open's own errno error) for anything else. */
export function readUnitFile(file: string, maxBytes: number = UNIT_FILE_LIMITS.maxBytes): UnitFileContent {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY); // libuv adds O_CLOEXEC
  try {
    const st = fs.fstatSync(fd);
    if (st.isDirectory()) throw new UnitFileReadError('EISDIR', file, 'Is a directory');
    if (!st.isFile()) throw new UnitFileReadError('EBADMSG', file, `Refusing to read ${kindOf(st)}, a unit file must be a regular file`);
    if (st.size > maxBytes) throw new UnitFileReadError('EFBIG', file, `File too large: ${st.size} bytes, unit files are limited to ${maxBytes} bytes`);
    // Read what fstat promised, plus one byte to notice a file that grew past the limit meanwhile.
    const buf = Buffer.alloc(Math.min(st.size + 1, maxBytes + 1));
    let n = 0;
    while (n < buf.length) {
      const got = fs.readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
    }
    if (n > maxBytes) throw new UnitFileReadError('EFBIG', file, `File too large: more than ${maxBytes} bytes, unit files are limited to ${maxBytes} bytes`);
    return { data: buf.subarray(0, n), mtimeMs: st.mtimeMs };
  } finally {
    fs.closeSync(fd);
  }
}

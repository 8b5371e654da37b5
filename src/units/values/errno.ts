// glibc's strerror() texts, which systemd prints wherever its format says "%m". One table for
// every errno unitd reports, so the loader, the parsers, the install verbs and systemctl's
// connection errors word the same errno the same way.

export const STRERROR = {
  EPERM: 'Operation not permitted',
  ENOENT: 'No such file or directory',
  EIO: 'Input/output error',
  EACCES: 'Permission denied',
  EEXIST: 'File exists',
  EXDEV: 'Invalid cross-device link',
  ENOTDIR: 'Not a directory',
  EISDIR: 'Is a directory',
  EINVAL: 'Invalid argument',
  EFBIG: 'File too large',
  ERANGE: 'Numerical result out of range',
  EIDRM: 'Identifier removed',
  EUNATCH: 'Protocol driver not attached',
  EBADSLT: 'Invalid slot',
  ENOLINK: 'Link has been severed',
  EBADMSG: 'Bad message',
  ELOOP: 'Too many levels of symbolic links',
  ENOBUFS: 'No buffer space available',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  ECONNRESET: 'Connection reset by peer',
  ETIMEDOUT: 'Connection timed out',
  ECONNREFUSED: 'Connection refused',
  EHOSTDOWN: 'Host is down',
  EUCLEAN: 'Structure needs cleaning',
  ENOMEDIUM: 'No medium found',
  ERFKILL: 'Operation not possible due to RF-kill',
} as const;

export type Errno = keyof typeof STRERROR;

/** The text for an errno name; an errno the table does not know prints as its name. */
export function strerror(code: string): string {
  return code in STRERROR ? STRERROR[code as Errno] : code;
}

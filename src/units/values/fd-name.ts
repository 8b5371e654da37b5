// File descriptor names (FileDescriptorName=, FDNAME=, LISTEN_FDNAMES=): systemd's fdname_is_valid().

/** LISTEN_FDNAMES= separates names with ':', so no name may hold one. */
export const FDNAME_MAX = 255;

/** At most 255 characters, none of them ':' or a control character. */
export function isValidFdName(name: string): boolean {
  return name.length <= FDNAME_MAX && !/[:\x00-\x1f\x7f]/.test(name);
}

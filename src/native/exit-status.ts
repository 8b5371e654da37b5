// Exit statuses with systemd's names (man systemd.exec, "Process Exit Codes"), defined once
// and used both ways: a spawn failure carries its name, and the manager prints
// `status=203/EXEC` from the same table.

/** Who defines the code; `systemctl status` names only `libc` and `systemd` ones (LSB/BSD print bare). */
export const EXIT_STATUS_CLASSES = ['libc', 'lsb', 'bsd', 'systemd'] as const;
export type ExitStatusClass = (typeof EXIT_STATUS_CLASSES)[number];

export const EXIT_STATUSES = [
  { code: 0, name: 'SUCCESS', class: 'libc' },
  { code: 1, name: 'FAILURE', class: 'libc' },
  { code: 2, name: 'INVALIDARGUMENT', class: 'lsb' },
  { code: 3, name: 'NOTIMPLEMENTED', class: 'lsb' },
  { code: 4, name: 'NOPERMISSION', class: 'lsb' },
  { code: 5, name: 'NOTINSTALLED', class: 'lsb' },
  { code: 6, name: 'NOTCONFIGURED', class: 'lsb' },
  { code: 7, name: 'NOTRUNNING', class: 'lsb' },
  { code: 64, name: 'USAGE', class: 'bsd' },
  { code: 65, name: 'DATAERR', class: 'bsd' },
  { code: 66, name: 'NOINPUT', class: 'bsd' },
  { code: 67, name: 'NOUSER', class: 'bsd' },
  { code: 68, name: 'NOHOST', class: 'bsd' },
  { code: 69, name: 'UNAVAILABLE', class: 'bsd' },
  { code: 70, name: 'SOFTWARE', class: 'bsd' },
  { code: 71, name: 'OSERR', class: 'bsd' },
  { code: 72, name: 'OSFILE', class: 'bsd' },
  { code: 73, name: 'CANTCREAT', class: 'bsd' },
  { code: 74, name: 'IOERR', class: 'bsd' },
  { code: 75, name: 'TEMPFAIL', class: 'bsd' },
  { code: 76, name: 'PROTOCOL', class: 'bsd' },
  { code: 77, name: 'NOPERM', class: 'bsd' },
  { code: 78, name: 'CONFIG', class: 'bsd' },
  { code: 200, name: 'CHDIR', class: 'systemd' },
  { code: 201, name: 'NICE', class: 'systemd' },
  { code: 202, name: 'FDS', class: 'systemd' },
  { code: 203, name: 'EXEC', class: 'systemd' },
  { code: 204, name: 'MEMORY', class: 'systemd' },
  { code: 205, name: 'LIMITS', class: 'systemd' },
  { code: 206, name: 'OOM_ADJUST', class: 'systemd' },
  { code: 207, name: 'SIGNAL_MASK', class: 'systemd' },
  { code: 208, name: 'STDIN', class: 'systemd' },
  { code: 209, name: 'STDOUT', class: 'systemd' },
  { code: 210, name: 'CHROOT', class: 'systemd' },
  { code: 211, name: 'IOPRIO', class: 'systemd' },
  { code: 212, name: 'TIMERSLACK', class: 'systemd' },
  { code: 213, name: 'SECUREBITS', class: 'systemd' },
  { code: 214, name: 'SETSCHEDULER', class: 'systemd' },
  { code: 215, name: 'CPUAFFINITY', class: 'systemd' },
  { code: 216, name: 'GROUP', class: 'systemd' },
  { code: 217, name: 'USER', class: 'systemd' },
  { code: 218, name: 'CAPABILITIES', class: 'systemd' },
  { code: 219, name: 'CGROUP', class: 'systemd' },
  { code: 220, name: 'SETSID', class: 'systemd' },
  { code: 221, name: 'CONFIRM', class: 'systemd' },
  { code: 222, name: 'STDERR', class: 'systemd' },
  { code: 224, name: 'PAM', class: 'systemd' },
  { code: 225, name: 'NETWORK', class: 'systemd' },
  { code: 226, name: 'NAMESPACE', class: 'systemd' },
  { code: 227, name: 'NO_NEW_PRIVILEGES', class: 'systemd' },
  { code: 228, name: 'SECCOMP', class: 'systemd' },
  { code: 229, name: 'SELINUX_CONTEXT', class: 'systemd' },
  { code: 230, name: 'PERSONALITY', class: 'systemd' },
  { code: 231, name: 'APPARMOR_PROFILE', class: 'systemd' },
  { code: 232, name: 'ADDRESS_FAMILIES', class: 'systemd' },
  { code: 233, name: 'RUNTIME_DIRECTORY', class: 'systemd' },
  { code: 235, name: 'CHOWN', class: 'systemd' },
  { code: 236, name: 'SMACK_PROCESS_LABEL', class: 'systemd' },
  { code: 237, name: 'KEYRING', class: 'systemd' },
  { code: 238, name: 'STATE_DIRECTORY', class: 'systemd' },
  { code: 239, name: 'CACHE_DIRECTORY', class: 'systemd' },
  { code: 240, name: 'LOGS_DIRECTORY', class: 'systemd' },
  { code: 241, name: 'CONFIGURATION_DIRECTORY', class: 'systemd' },
  { code: 242, name: 'NUMA_POLICY', class: 'systemd' },
  { code: 243, name: 'CREDENTIALS', class: 'systemd' },
  { code: 245, name: 'BPF', class: 'systemd' },
  { code: 255, name: 'EXCEPTION', class: 'systemd' },
] as const satisfies readonly { code: number; name: string; class: ExitStatusClass }[];

export type ExitStatusName = (typeof EXIT_STATUSES)[number]['name'];
export type ExitStatus = (typeof EXIT_STATUSES)[number];

/** The table entry for a code, or undefined for codes without a name (e.g. 42). */
export function exitStatusByCode(code: number): ExitStatus | undefined {
  return EXIT_STATUSES.find((status) => status.code === code);
}

/** Parses a name as `SuccessExitStatus=` allows it ("TEMPFAIL", also with EXIT_/EX_ prefix). */
export function exitStatusByName(name: string): ExitStatus | undefined {
  const bare = name.toUpperCase().replace(/^(EXIT_|EX_)/, '');
  return EXIT_STATUSES.find((status) => status.name === bare);
}

// Standard units an image may lack (systemd.special(7)), synthesized so that
// default dependencies and the usual boot chain resolve in any container:
// sysinit.target ← basic.target ← multi-user.target ← graphical.target, the
// shutdown family, the passive synchronization targets (network, nss, time), and syslog.socket.
// A file with the same name anywhere on the unit search path wins; these are
// only used for names the search path does not have. The dependencies follow
// systemd 252's own files, minus what only a real machine has (mounts, swap,
// the systemd-*.service helpers, which are on the skip list anyway).

/** Description and [Unit] lines of each synthesized unit. */
const TARGETS: Record<string, { description: string; lines?: string[] }> = {
  'sysinit.target': { description: 'System Initialization', lines: ['Wants=local-fs.target swap.target', 'After=local-fs.target swap.target', 'Conflicts=emergency.service emergency.target', 'Before=emergency.service emergency.target'] },
  'basic.target': { description: 'Basic System', lines: ['Requires=sysinit.target', 'Wants=sockets.target timers.target paths.target slices.target', 'After=sysinit.target sockets.target paths.target slices.target'] },
  'multi-user.target': { description: 'Multi-User System', lines: ['Requires=basic.target', 'Conflicts=rescue.service rescue.target', 'After=basic.target rescue.service rescue.target', 'AllowIsolate=yes'] },
  'graphical.target': { description: 'Graphical Interface', lines: ['Requires=multi-user.target', 'Wants=display-manager.service', 'Conflicts=rescue.service rescue.target', 'After=multi-user.target rescue.service rescue.target display-manager.service', 'AllowIsolate=yes'] },
  'rescue.target': { description: 'Rescue Mode', lines: ['Requires=sysinit.target', 'After=sysinit.target', 'AllowIsolate=yes'] },
  'emergency.target': { description: 'Emergency Mode', lines: ['AllowIsolate=yes'] },
  'sockets.target': { description: 'Socket Units' },
  'timers.target': { description: 'Timer Units' },
  'paths.target': { description: 'Path Units' },
  'slices.target': { description: 'Slice Units' },
  'local-fs-pre.target': { description: 'Preparation for Local File Systems', lines: ['DefaultDependencies=no', 'RefuseManualStart=yes'] },
  'local-fs.target': { description: 'Local File Systems', lines: ['DefaultDependencies=no', 'Conflicts=shutdown.target', 'After=local-fs-pre.target'] },
  'remote-fs-pre.target': { description: 'Preparation for Remote File Systems', lines: ['RefuseManualStart=yes'] },
  'remote-fs.target': { description: 'Remote File Systems', lines: ['After=remote-fs-pre.target'] },
  'swap.target': { description: 'Swaps' },
  'cryptsetup.target': { description: 'Local Encrypted Volumes' },
  'veritysetup.target': { description: 'Local Verity Protected Volumes' },
  'integritysetup.target': { description: 'Local Integrity Protected Volumes' },
  'network-pre.target': { description: 'Preparation for Network', lines: ['RefuseManualStart=yes'] },
  'network.target': { description: 'Network', lines: ['After=network-pre.target', 'RefuseManualStart=yes'] },
  'network-online.target': { description: 'Network is Online', lines: ['After=network.target'] },
  'nss-lookup.target': { description: 'Host and Network Name Lookups' },
  'nss-user-lookup.target': { description: 'User and Group Name Lookups' },
  'time-set.target': { description: 'System Time Set' },
  'time-sync.target': { description: 'System Time Synchronized', lines: ['After=time-set.target', 'Wants=time-set.target'] },
  'getty-pre.target': { description: 'Preparation for Logins' },
  'getty.target': { description: 'Login Prompts' },
  'remote-cryptsetup.target': { description: 'Remote Encrypted Volumes' },
  'remote-veritysetup.target': { description: 'Remote Verity Protected Volumes' },
  'rpcbind.target': { description: 'RPC Port Mapper' },
  'shutdown.target': { description: 'System Shutdown', lines: ['DefaultDependencies=no', 'RefuseManualStart=yes'] },
  'umount.target': { description: 'Unmount All Filesystems', lines: ['DefaultDependencies=no', 'RefuseManualStart=yes'] },
  'final.target': { description: 'Late Shutdown Services', lines: ['DefaultDependencies=no', 'RefuseManualStart=yes', 'After=shutdown.target umount.target'] },
  // In a container these end the manager: unitd's shutdown path does the work that
  // systemd-poweroff.service & co. do on a machine, so the targets only pull in shutdown.target.
  'poweroff.target': { description: 'System Power Off', lines: ['DefaultDependencies=no', 'Requires=shutdown.target final.target', 'After=shutdown.target final.target', 'AllowIsolate=yes'] },
  'halt.target': { description: 'System Halt', lines: ['DefaultDependencies=no', 'Requires=shutdown.target final.target', 'After=shutdown.target final.target', 'AllowIsolate=yes'] },
  'reboot.target': { description: 'System Reboot', lines: ['DefaultDependencies=no', 'Requires=shutdown.target final.target', 'After=shutdown.target final.target', 'AllowIsolate=yes'] },
  'exit.target': { description: 'Exit the Container', lines: ['DefaultDependencies=no', 'Requires=shutdown.target final.target', 'After=shutdown.target final.target', 'AllowIsolate=yes'] },
  'ctrl-alt-del.target': { description: 'System Power Off', lines: ['DefaultDependencies=no', 'Requires=shutdown.target final.target', 'After=shutdown.target final.target', 'AllowIsolate=yes'] },
};

/**
 * Whole files of systemd 252 that packages rely on though they ship with systemd itself:
 * Debian's rsyslog.service Requires=syslog.socket and reads what the journal forwards there.
 */
const FILES: Record<string, string> = {
  'syslog.socket': [
    '[Unit]',
    'Description=Syslog Socket',
    'Documentation=man:systemd.special(7)',
    'Documentation=https://www.freedesktop.org/wiki/Software/systemd/syslog',
    'DefaultDependencies=no',
    'Before=sockets.target',
    'Conflicts=shutdown.target',
    'Before=shutdown.target',
    'Conflicts=emergency.service',
    'Before=emergency.service',
    '',
    '[Socket]',
    'ListenDatagram=/run/systemd/journal/syslog',
    'SocketMode=0666',
    'PassCredentials=yes',
    'PassSecurity=yes',
    'ReceiveBuffer=8M',
    '',
  ].join('\n'),
};

/** The unit file text unitd uses for `name` when the search path lacks it, or undefined. */
export function builtinUnitText(name: string): string | undefined {
  if (Object.hasOwn(FILES, name)) return FILES[name];
  const t = TARGETS[name];
  if (!t) return undefined;
  return ['[Unit]', `Description=${t.description}`, 'Documentation=man:systemd.special(7)', ...(t.lines ?? []), ''].join('\n');
}

export function builtinUnitNames(): string[] {
  return [...Object.keys(TARGETS), ...Object.keys(FILES)];
}

/** Where a synthesized unit shows as coming from (FragmentPath=). */
export const BUILTIN_FRAGMENT_DIR = '/run/unitd/builtin';

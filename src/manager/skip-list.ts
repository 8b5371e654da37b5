// Units that only make sense on a real machine (udev, logind, network managers,
// gettys, mounts, swap, ...). unitd does not run them: a skipped unit is loaded
// (status and show work) but inert: a start job for it succeeds at once and it
// shows ActiveState=active SubState=exited with UnitdSkipped=yes, so everything
// that Requires= or BindsTo= it still starts, its targets count as reached and
// `is-system-running` says `running`.
//
// Overridable: /etc/unitd/skip.conf holds one shell glob per line (`#` comments);
// `!glob` un-skips. Lines are read after the built-in list, and the last matching
// line decides, so `!systemd-networkd.service` brings a
// unit back and `myagent-*.service` adds more. systemd-tmpfiles-setup*.service
// stays skipped: unitd applies tmpfiles.d itself at boot (early-boot.ts), and
// the real one's --remove would empty a /tmp shared with the host.

import { readFileSync } from 'node:fs';
import { globToRegExp } from '../units/glob.js';

export const SKIP_CONF = '/etc/unitd/skip.conf';

export const DEFAULT_SKIP_LIST: readonly string[] = [
  'systemd-*.service',
  'systemd-*.socket',
  'systemd-*.path',
  // systemd-tmpfiles-clean.timer runs the skipped systemd-tmpfiles-clean.service (unitd applies
  // tmpfiles.d itself); the other systemd-*.timer units serve machine duties (e.g. systemd-sysupdate).
  'systemd-*.timer',
  'dbus-org.freedesktop.*.service',
  'NetworkManager*.service',
  'networking.service',
  'network-manager.service',
  'ifup@*.service',
  'ifupdown-*.service',
  'wpa_supplicant*.service',
  'dhcpcd*.service',
  'ModemManager.service',
  'getty@*.service',
  'serial-getty@*.service',
  'console-getty.service',
  'container-getty@*.service',
  'autovt@*.service',
  'console-setup.service',
  'keyboard-setup.service',
  'setvtrgb.service',
  'kmod*.service',
  'modprobe@*.service',
  'udev*.service',
  'plymouth*.service',
  'apparmor.service',
  'auditd.service',
  // Images are rebuilt, not upgraded in place: unattended apt runs inside a container fight the image.
  'apt-daily*.service',
  'apt-daily*.timer',
  // Filesystem maintenance of the host's block devices (ext4 scrub, TRIM): not the container's to do.
  'e2scrub*',
  'fstrim.*',
  'motd-news.*',
  'ua-*.service',
  'ubuntu-advantage*.service',
  'snapd*',
  'cloud-*.service',
  'lvm2-*',
  'mdmonitor*',
  'multipathd*',
  'smartmontools.service',
  'irqbalance.service',
  'thermald.service',
  'rtkit-daemon.service',
  'polkit.service',
  'accounts-daemon.service',
  'user@*.service',
  'user-runtime-dir@*.service',
  '*.mount',
  '*.automount',
  '*.swap',
  '*.device',
  '*.slice',
  '*.scope',
];


interface Rule {
  skip: boolean;
  pattern: RegExp;
}

export class SkipList {
  private readonly rules: Rule[];

  constructor(lines: readonly string[]) {
    this.rules = [];
    for (const raw of lines) {
      const line = raw.trim();
      if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
      const skip = !line.startsWith('!');
      const glob = skip ? line : line.slice(1).trim();
      if (glob) this.rules.push({ skip, pattern: globToRegExp(glob) });
    }
  }

  /** The built-in list followed by the lines of /etc/unitd/skip.conf (if any). */
  static load(file = SKIP_CONF, env: Record<string, string | undefined> = process.env): SkipList {
    let extra: string[] = [];
    try {
      extra = readFileSync(file, 'utf8').split('\n');
    } catch {
      /* no file: the built-in list only */
    }
    // UNITD_SKIP is handy for one-off runs: comma or space separated, same syntax.
    const fromEnv = (env.UNITD_SKIP ?? '').split(/[\s,]+/);
    return new SkipList([...DEFAULT_SKIP_LIST, ...extra, ...fromEnv]);
  }

  /** Is any of the unit's names skipped? The last matching rule decides. */
  skips(name: string): boolean {
    let verdict = false;
    for (const r of this.rules) if (r.pattern.test(name)) verdict = r.skip;
    return verdict;
  }
}

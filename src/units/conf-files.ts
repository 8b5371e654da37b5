// Which files make up one of systemd's daemon configuration files (system.conf, journald.conf):
// the main file, then `NAME.d/*.conf` from /usr/lib, /usr/local/lib, /run and /etc, applied in
// file-name order; a drop-in in a later directory masks a same-named one in an earlier
// directory (systemd.syntax(7), "CONFIGURATION DIRECTORIES AND PRECEDENCE").

import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const VENDOR_DIRECTORIES = ['/usr/lib/systemd', '/usr/local/lib/systemd', '/run/systemd'];

/**
 * `etcSystemd` is where the main file lives: '/etc/systemd' normally. Any other directory (a
 * test's, a --root's) is read on its own, without the vendor directories of this machine.
 */
export function configurationFiles(name: string, etcSystemd = '/etc/systemd'): string[] {
  const directories = etcSystemd === '/etc/systemd' ? [...VENDOR_DIRECTORIES, etcSystemd] : [etcSystemd];
  const byName = new Map<string, string>();
  for (const directory of directories) {
    const dropIns = join(directory, `${name}.d`);
    let names: string[];
    try {
      names = readdirSync(dropIns);
    } catch {
      continue;
    }
    for (const file of names) if (file.endsWith('.conf')) byName.set(file, join(dropIns, file));
  }
  const ordered = [...byName.keys()].sort().map((file) => byName.get(file) as string);
  return [join(etcSystemd, name), ...ordered];
}

// Which unit a boot starts (systemd(1) "--unit=", kernel command line
// `systemd.unit=`): the one asked for, else default.target (an alias symlink in
// the image, usually to multi-user.target), else multi-user.target, which unitd
// synthesizes when the image lacks it (builtin-units.ts).

export async function chooseBootUnit(requested: string | undefined, loadState: (name: string) => Promise<string>): Promise<string> {
  if (requested) return requested.includes('.') ? requested : `${requested}.target`;
  if ((await loadState('default.target')) === 'loaded') return 'default.target';
  return 'multi-user.target';
}

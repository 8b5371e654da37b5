// Linux capabilities and secure bits as unit files name them (systemd.exec(5) "Security"):
// the one name table, the set arithmetic of CapabilityBoundingSet=/AmbientCapabilities=,
// and SecureBits= flags. Sets are bigints of 64 bits, as systemd's uint64_t masks.

/** Indexed by capability number (linux/capability.h). */
export const CAPABILITIES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID', 'CAP_SETUID',
  'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE', 'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW',
  'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME', 'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD',
  'CAP_LEASE', 'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG',
  'CAP_WAKE_ALARM', 'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
] as const;

/** systemd's CAP_ALL: the initial CapabilityBoundingSet=, every bit of the 64 set. */
export const CAP_ALL = (1n << 64n) - 1n;

/** capability_from_name(): a name in any case, or a number below 64; undefined otherwise. */
export function capabilityFromName(word: string): number | undefined {
  if (/^\d+$/.test(word)) {
    const n = Number(word);
    return n < 64 ? n : undefined;
  }
  const index = (CAPABILITIES as readonly string[]).indexOf(word.toUpperCase());
  return index < 0 ? undefined : index;
}

/** capability_set_from_string(): unknown names are skipped, as systemd skips them (debug log only). */
export function capabilitySetFromString(value: string): bigint {
  let sum = 0n;
  for (const word of value.split(/\s+/).filter((w) => w !== '')) {
    const cap = capabilityFromName(word.replace(/^["']|["']$/g, ''));
    if (cap !== undefined) sum |= 1n << BigInt(cap);
  }
  return sum;
}

/**
 * config_parse_capability_set(): a line replaces the set while it is still at its initial value
 * (or is "" / "~"); later lines add (or with `~`, remove) capabilities.
 */
export function mergeCapabilityLine(current: bigint, value: string, initial: bigint): bigint {
  const invert = value.startsWith('~');
  const sum = capabilitySetFromString(invert ? value.slice(1) : value);
  if (sum === 0n || current === initial) return invert ? CAP_ALL & ~sum : sum;
  return invert ? current & ~sum : current | sum;
}

/** The capability numbers of a mask, ascending. */
export function capabilityList(mask: bigint): number[] {
  const out: number[] = [];
  for (let i = 0; i < 64; i++) if ((mask >> BigInt(i)) & 1n) out.push(i);
  return out;
}

export function capabilityMask(list: readonly number[]): bigint {
  return list.reduce((m, cap) => m | (1n << BigInt(cap)), 0n);
}

/** capability_set_to_string()'s words, as `systemctl show` prints them: lowercase names up to `lastCap`. */
export function capabilityNames(list: readonly number[], lastCap: number): string[] {
  return list.filter((cap) => cap <= lastCap).map((cap) => (CAPABILITIES[cap] ?? `${cap}`).toLowerCase());
}

/** SecureBits= words with their bit (linux/securebits.h: SECURE_NOROOT = 0 ...). */
export const SECURE_BITS = {
  noroot: 0,
  'noroot-locked': 1,
  'no-setuid-fixup': 2,
  'no-setuid-fixup-locked': 3,
  'keep-caps': 4,
  'keep-caps-locked': 5,
} as const satisfies Record<string, number>;

/** secure_bits_from_string(): unknown words are skipped (systemd logs them at debug level). */
export function secureBitsFromString(value: string): number {
  let bits = 0;
  for (const word of value.split(/\s+/).filter((w) => w !== '')) {
    const bit = (SECURE_BITS as Record<string, number>)[word];
    if (bit !== undefined) bits |= 1 << bit;
  }
  return bits;
}

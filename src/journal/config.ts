// The journald.conf settings unitd honours, read the way journald reads them: the main file,
// then drop-ins from journald.conf.d/ directories ordered by file name, later ones winning
// (journald.conf(5), "CONFIGURATION DIRECTORIES AND PRECEDENCE").

import { readFileSync, statfsSync } from 'node:fs';
import { configurationFiles } from '../units/conf-files.js';
import { basename, join } from 'node:path';
import { parse } from 'ini';
import { parseBoolean } from '../units/values/boolean.js';
import { PRIORITY_NAMES } from './entry.js';

export interface JournalConfig {
  /** SystemMaxUse=: the most bytes all segments together may use. */
  maxUse: number;
  /** SystemKeepFree=: space the journal leaves free for others on its file system. */
  keepFree: number;
  /** SystemMaxFileSize=: a segment is closed and a new one started beyond this. */
  maxFileSize: number;
  /** SystemMaxFiles=: at most this many segments are kept. */
  maxFiles: number;
  /** LineMax=: stdout lines longer than this are split into several records. */
  lineMax: number;
  /** SyncIntervalSec= in ms: how long written data may stay unsynced (CRIT and worse sync at once). */
  syncIntervalMs: number;
  /** ForwardToSyslog=: entries also go to syslog.socket's reader (on in Debian's build). */
  forwardToSyslog: boolean;
  /** ForwardToKMsg=: entries also go to /dev/kmsg, the kernel log. */
  forwardToKMsg: boolean;
  /** ForwardToConsole=: entries also go to TTYPath=. */
  forwardToConsole: boolean;
  /** ForwardToWall=: entries also go to every logged-in user's terminal (utmp). */
  forwardToWall: boolean;
  /** MaxLevelSyslog= .. MaxLevelWall=: the least severe syslog level (0..7) each forward takes. */
  maxLevelSyslog: number;
  maxLevelKMsg: number;
  maxLevelConsole: number;
  maxLevelWall: number;
  /** TTYPath=: the terminal ForwardToConsole= writes to. */
  ttyPath: string;
}

/** journald.conf(5)'s defaults for the forwarding keys (systemd 252). */
const FORWARD_DEFAULTS = {
  forwardToKMsg: false,
  forwardToConsole: false,
  forwardToWall: true,
  maxLevelSyslog: 7,
  maxLevelKMsg: 5,
  maxLevelConsole: 6,
  maxLevelWall: 0,
  ttyPath: '/dev/console',
} as const;

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

export interface LoadConfigOptions {
  /** Directory holding `systemd/journald.conf`; '/etc' normally, a temp dir in tests. */
  configRoot?: string;
  /** The store directory, whose file system sizes the default SystemMaxUse=. */
  storeDir: string;
}

export function loadJournalConfig(options: LoadConfigOptions): JournalConfig {
  const settings = readJournalSection(options.configRoot ?? '/etc');
  const maxUse = parseSize(settings.get('SystemMaxUse')) ?? defaultShare(options.storeDir, 0.1, MiB);
  const keepFree = parseSize(settings.get('SystemKeepFree')) ?? defaultShare(options.storeDir, 0.15, 0);
  const maxFileSize =
    parseSize(settings.get('SystemMaxFileSize')) ?? Math.min(Math.floor(maxUse / 8), 128 * MiB);
  const maxFiles = parsePositiveInteger(settings.get('SystemMaxFiles')) ?? 100;
  // journald bumps values below 79 up to 79.
  const lineMax = Math.max(79, parseSize(settings.get('LineMax')) ?? 48 * 1024);
  const syncSeconds = parseSeconds(settings.get('SyncIntervalSec')) ?? 300;
  return {
    maxUse,
    keepFree,
    // Tiny limits still need room for more than one segment, or every rotation empties the store.
    maxFileSize: Math.max(4096, Math.min(maxFileSize, maxUse)),
    maxFiles: Math.max(2, maxFiles),
    lineMax,
    syncIntervalMs: syncSeconds * 1000,
    forwardToSyslog: booleanSetting(settings.get('ForwardToSyslog')) ?? true,
    forwardToKMsg: booleanSetting(settings.get('ForwardToKMsg')) ?? FORWARD_DEFAULTS.forwardToKMsg,
    forwardToConsole: booleanSetting(settings.get('ForwardToConsole')) ?? FORWARD_DEFAULTS.forwardToConsole,
    forwardToWall: booleanSetting(settings.get('ForwardToWall')) ?? FORWARD_DEFAULTS.forwardToWall,
    maxLevelSyslog: logLevel(settings.get('MaxLevelSyslog')) ?? FORWARD_DEFAULTS.maxLevelSyslog,
    maxLevelKMsg: logLevel(settings.get('MaxLevelKMsg')) ?? FORWARD_DEFAULTS.maxLevelKMsg,
    maxLevelConsole: logLevel(settings.get('MaxLevelConsole')) ?? FORWARD_DEFAULTS.maxLevelConsole,
    maxLevelWall: logLevel(settings.get('MaxLevelWall')) ?? FORWARD_DEFAULTS.maxLevelWall,
    // config_parse_path: an absolute path, else the default stays.
    ttyPath: settings.get('TTYPath')?.startsWith('/') ? (settings.get('TTYPath') as string) : FORWARD_DEFAULTS.ttyPath,
  };
}

/** The [Journal] keys of journald.conf and its drop-ins, last assignment winning. */
function readJournalSection(configRoot: string): Map<string, string> {
  const files = configurationFiles('journald.conf', join(configRoot, 'systemd'));
  const settings = new Map<string, string>();
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const section: unknown = parse(text)['Journal'];
    if (typeof section !== 'object' || section === null) continue;
    for (const [key, value] of Object.entries(section)) {
      // ini reads `true`/`false` as booleans: keep them as the words they were.
      if (typeof value === 'string' || typeof value === 'boolean') settings.set(key, String(value).trim());
    }
  }
  return settings;
}

/** journald's defaults: SystemMaxUse= 10% and SystemKeepFree= 15% of the store's file system, each capped at 4 GiB. */
function defaultShare(storeDir: string, share: number, floor: number): number {
  let directory = storeDir;
  for (;;) {
    try {
      const stats = statfsSync(directory);
      return Math.max(floor, Math.min(4 * GiB, Math.floor(stats.blocks * stats.bsize * share)));
    } catch {
      const parent = join(directory, '..');
      if (parent === directory || basename(directory) === '') return 4 * GiB;
      directory = parent;
    }
  }
}

const SIZE_SUFFIXES: Record<string, number> = { '': 1, B: 1, K: 1024, M: MiB, G: GiB, T: 1024 ** 4, P: 1024 ** 5, E: 1024 ** 6 };

/** Sizes as journald.conf takes them: bytes, or with a K/M/G/T/P/E suffix (base 1024). */
export function parseSize(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const match = /^(\d+(?:\.\d+)?)\s*([KMGTPEB]?)$/i.exec(value.trim());
  if (!match) return undefined;
  const factor = SIZE_SUFFIXES[match[2].toUpperCase()];
  return factor === undefined ? undefined : Math.floor(Number(match[1]) * factor);
}

/** config_parse_log_level: a level name (`warning`) or number 0..7. */
function logLevel(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const named = (PRIORITY_NAMES as readonly string[]).indexOf(value);
  if (named >= 0) return named;
  return /^[0-7]$/.test(value) ? Number(value) : undefined;
}

function booleanSetting(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  const r = parseBoolean(value);
  return r.ok ? r.value : undefined;
}

function parsePositiveInteger(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  const number = Number(value);
  return number > 0 ? number : undefined;
}

const SECOND_UNITS: Record<string, number> = { '': 1, s: 1, sec: 1, m: 60, min: 60, h: 3600, d: 86400 };

function parseSeconds(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+)\s*(s|sec|m|min|h|d)?$/.exec(value);
  if (!match) return undefined;
  return Number(match[1]) * (SECOND_UNITS[match[2] ?? ''] ?? 1);
}

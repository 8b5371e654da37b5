// systemd-sysv-generator (systemd 252, semantics §16), built in: every
// owner-executable script in /etc/init.d without a native unit of the same
// name (a mask or an alias counts as native) becomes NAME.service in the late
// generator directory, with its LSB header turned into ordering and wants,
// and wanted by the targets of the rcN.d directories holding an S link.
// The output matches the real generator's byte for byte
// (test/manager/sysv-generator.test.ts runs both on the same scripts).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { lookupPaths, type LookupPaths } from '../units/paths.js';
import { buildNameMap } from '../units/name-map.js';
import { isValidUnitName, mangleUnitName, templateOf, unitTypeOf } from '../units/unit-name.js';

/** Where scripts and rc directories live unless SYSTEMD_SYSVINIT_PATH / SYSTEMD_SYSVRCND_PATH say otherwise. */
export const SYSV_DEFAULTS = { initPath: '/etc/init.d', rcPath: '/etc' } as const;

/** Start-link directories and the target each one's scripts are wanted by; rc0.d, rc6.d and K links mean nothing. */
const RUNLEVEL_TARGETS: readonly (readonly [string, string])[] = [
  ['rc1.d', 'rescue.target'],
  ['rc2.d', 'multi-user.target'],
  ['rc3.d', 'multi-user.target'],
  ['rc4.d', 'multi-user.target'],
  ['rc5.d', 'graphical.target'],
];

/** LSB facilities (the `$` is optional); undefined means "no dependency". */
const FACILITIES: ReadonlyMap<string, string | undefined> = new Map([
  ['local_fs', undefined],
  ['network', 'network-online.target'],
  ['named', 'nss-lookup.target'],
  ['portmap', 'rpcbind.target'],
  ['remote_fs', 'remote-fs.target'],
  ['syslog', undefined],
  ['time', 'time-sync.target'],
]);

/** LSB exit codes 5 and 6 ("not installed", "not configured") count as success. */
const LSB_SUCCESS_EXIT_STATUS = '5 6';

interface SysvScript {
  name: string;
  /** The script as seen inside the root: what ExecStart= and SourcePath= name. */
  path: string;
  /** The real file (root prefix included). */
  file: string;
  description?: string;
  /** Highest NN of its S links; -1 without any. */
  priority: number;
  pidFile?: string;
  before: string[];
  after: string[];
  wants: string[];
  wantedBy: string[];
  hasLsb: boolean;
  reload: boolean;
  loaded: boolean;
}

export interface SysvGeneratorOptions {
  /** Root prefix for every path; '' for the real root. */
  root?: string;
  /** Directories holding scripts, as seen inside the root. */
  initPaths?: readonly string[];
  /** Directories holding rcN.d, as seen inside the root. */
  rcPaths?: readonly string[];
  /** Where to write, as seen inside the root (the late generator directory). */
  outputDir: string;
  /** $SYSTEMD_UNIT_PATH for the native-unit check; undefined for the default path. */
  unitPathEnv?: string;
}

export interface SysvGeneratorResult {
  /** Unit names written. */
  generated: string[];
  /** Lines systemd logs at warning level or above, in its wording. */
  messages: string[];
  /** Lines systemd 252 logs at debug level only (a script lacking a native unit). */
  debug: string[];
}

/** A colon-separated list from the environment, as systemd's acquire_search_path() reads it. */
export function sysvSearchPath(env: string | undefined, fallback: string): string[] {
  const parts = (env ?? '').split(':').filter((p) => p !== '').map((p) => path.resolve(p));
  return parts.length > 0 ? [...new Set(parts)] : [fallback];
}

/** `foo.sh` → `foo.service`; odd characters are \x-escaped as unit_name_mangle() does. */
export function sysvUnitName(file: string): string | undefined {
  const base = file.endsWith('.sh') ? file.slice(0, -3) : file;
  const mangled = mangleUnitName(base, { allowGlobs: false });
  return mangled === undefined || mangled.invalid ? undefined : mangled.name;
}

/** systemd's specifier_escape(): unit files expand %, so a literal one is doubled. */
function specifierEscape(s: string): string {
  return s.replace(/%/g, '%%');
}

/** Words split like extract_first_word(EXTRACT_UNQUOTE|EXTRACT_RELAX): whitespace separates, quotes are removed. */
function words(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?:"[^"]*"?|'[^']*'?|\\.|[^\s"'\\])+/g)) {
    out.push(m[0].replace(/"([^"]*)"?|'([^']*)'?|\\(.)/g, (_all, dq: string | undefined, sq: string | undefined, esc: string | undefined) => dq ?? sq ?? esc ?? ''));
  }
  return out;
}

function startsWithNoCase(s: string, prefix: string): boolean {
  return s.slice(0, prefix.length).toLowerCase() === prefix.toLowerCase();
}

const WHITESPACE = ' \t\n\r';

function strip(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && WHITESPACE.includes(s[a] as string)) a++;
  while (b > a && WHITESPACE.includes(s[b - 1] as string)) b--;
  return s.slice(a, b);
}

function skipWhitespace(s: string): string {
  let a = 0;
  while (a < s.length && WHITESPACE.includes(s[a] as string)) a++;
  return s.slice(a);
}

/** The unit a facility or script name stands for; undefined when it adds nothing. */
function translateFacility(script: SysvScript, word: string, messages: string[], line: number): string | undefined {
  const bare = word.startsWith('$') ? word.slice(1) : word;
  if (FACILITIES.has(bare)) return FACILITIES.get(bare);
  if (word.startsWith('$')) {
    const target = `${bare}.target`;
    if (!isValidUnitName(target)) {
      messages.push(`[${script.path}:${line}] Could not build name for facility ${word}: Invalid argument`);
      return undefined;
    }
    return target;
  }
  const own = path.basename(script.path);
  if (bare === (own.endsWith('.sh') ? own.slice(0, -3) : own)) return undefined;
  return sysvUnitName(bare);
}

function usageContainsReload(line: string): boolean {
  const l = line.toLowerCase();
  return ['{reload|', '{reload}', '{reload"', '|reload|', '|reload}', '|reload"'].some((p) => l.includes(p));
}

/** Reads the script's comments (load_sysv()): LSB block, chkconfig description/pidfile, usage line. */
function loadScript(script: SysvScript, output: string, messages: string[]): void {
  let text: string;
  try {
    text = fs.readFileSync(script.file, 'latin1');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') messages.push(`Failed to open ${script.path}: ${(e as Error).message}`);
    return;
  }
  type State = 'normal' | 'description' | 'lsb' | 'lsb-description' | 'usage-continuation';
  let state: State = 'normal';
  let shortDescription: string | undefined;
  let longDescription: string | undefined;
  let chkconfigDescription: string | undefined;
  let supportsReload = false;
  const lines = text.split(/\r\n|\n|\r|\0/);
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((raw, index) => {
    const line = index + 1;
    const l = raw.replace(/[ \t\n\r]+$/, '');
    let t = strip(raw);
    if (!t.startsWith('#')) {
      if (state === 'usage-continuation' || (state === 'normal' && t.toLowerCase().includes('usage'))) {
        if (usageContainsReload(t)) {
          supportsReload = true;
          state = 'normal';
        } else state = t.endsWith('\\') ? 'usage-continuation' : 'normal';
      }
      return;
    }
    if (state === 'normal' && t === '### BEGIN INIT INFO') {
      state = 'lsb';
      script.hasLsb = true;
      return;
    }
    if ((state === 'lsb' || state === 'lsb-description') && t === '### END INIT INFO') {
      state = 'normal';
      return;
    }
    t = skipWhitespace(t.slice(1));
    if (state === 'normal') {
      if (startsWithNoCase(t, 'description:')) {
        if (t.endsWith('\\')) {
          state = 'description';
          t = t.slice(0, -1);
        }
        const j = strip(t.slice(12));
        chkconfigDescription = j === '' ? undefined : j;
      } else if (startsWithNoCase(t, 'pidfile:')) {
        const fn = strip(t.slice(8));
        if (!fn.startsWith('/')) messages.push(`[${script.path}:${line}] PID file not absolute. Ignoring.`);
        else script.pidFile = fn;
      }
    } else if (state === 'description') {
      if (t.endsWith('\\')) t = t.slice(0, -1);
      else state = 'normal';
      const j = strip(t);
      if (j !== '') chkconfigDescription = chkconfigDescription === undefined ? j : `${chkconfigDescription} ${j}`;
    } else {
      if (startsWithNoCase(t, 'Provides:')) {
        state = 'lsb';
        for (const word of words(t.slice(9))) {
          const unit = translateFacility(script, word, messages, line);
          if (unit === undefined) continue;
          const type = unitTypeOf(unit);
          if (type === 'service') addAlias(output, script.name, unit, messages, script.path, line);
          else if (type === 'target') {
            script.before.push(unit);
            script.wants.push(unit);
            if (unit === 'network-online.target') {
              script.before.push('network.target');
              script.wants.push('network.target');
            }
          } else if (type === undefined) messages.push(`Unit name '${unit}' is invalid`);
          else messages.push(`Unknown unit type for unit '${unit}'`);
        }
      } else if (['Required-Start:', 'Should-Start:', 'X-Start-Before:', 'X-Start-After:'].some((k) => startsWithNoCase(t, k))) {
        state = 'lsb';
        const isBefore = startsWithNoCase(t, 'X-Start-Before:');
        for (const word of words(t.slice(t.indexOf(':') + 1))) {
          const unit = translateFacility(script, word, messages, line);
          if (unit === undefined) continue;
          if (unit === 'network-online.target' && !isBefore) {
            // network-online.target is passive: ordering alone would not pull it in.
            script.after.push(unit);
            script.wants.push(unit);
          } else (isBefore ? script.before : script.after).push(unit);
        }
      } else if (startsWithNoCase(t, 'Description:')) {
        state = 'lsb-description';
        const j = strip(t.slice(12));
        longDescription = j === '' ? undefined : j;
      } else if (startsWithNoCase(t, 'Short-Description:')) {
        state = 'lsb';
        const j = strip(t.slice(18));
        shortDescription = j === '' ? undefined : j;
      } else if (state === 'lsb-description') {
        if (l.startsWith('#\t') || l.startsWith('#  ')) {
          const j = strip(t);
          if (j !== '') longDescription = longDescription === undefined ? j : `${longDescription} ${j}`;
        } else state = 'lsb';
      }
    }
  });
  script.reload = supportsReload;
  const description = shortDescription ?? chkconfigDescription ?? longDescription;
  if (description !== undefined) script.description = `${script.hasLsb ? 'LSB' : 'SYSV'}: ${description}`;
  script.loaded = true;
}

/** A Provides: name as a symlink to the script's unit; the first script to claim a name keeps it. */
function addAlias(output: string, unit: string, alias: string, messages: string[], source: string, line: number): void {
  try {
    fs.symlinkSync(unit, path.join(output, alias));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code !== 'EEXIST') messages.push(`[${source}:${line}] Failed to add LSB Provides name ${alias}, ignoring: ${err.message}`);
  }
}

/** Between two scripts of which one lacks an LSB header, the lower start priority goes first. */
function fixOrder(script: SysvScript, all: readonly SysvScript[]): void {
  if (!script.loaded || script.priority < 0) return;
  for (const other of all) {
    if (other === script || !other.loaded || other.priority < 0) continue;
    if (script.hasLsb && other.hasLsb) continue;
    if (other.priority < script.priority) script.after.push(other.name);
    else if (other.priority > script.priority) script.before.push(other.name);
  }
}

function unitText(s: SysvScript): string {
  const source = specifierEscape(s.path);
  const lines = ['# Automatically generated by systemd-sysv-generator', '', '[Unit]', 'Documentation=man:systemd-sysv-generator(8)', `SourcePath=${source}`];
  if (s.description !== undefined) lines.push(`Description=${specifierEscape(s.description)}`);
  for (const u of s.before) lines.push(`Before=${u}`);
  for (const u of s.after) lines.push(`After=${u}`);
  for (const u of s.wants) lines.push(`Wants=${u}`);
  lines.push('', '[Service]', 'Type=forking', 'Restart=no', 'TimeoutSec=5min', 'IgnoreSIGPIPE=no', 'KillMode=process', 'GuessMainPID=no');
  lines.push(`RemainAfterExit=${s.pidFile === undefined ? 'yes' : 'no'}`);
  if (s.pidFile !== undefined) lines.push(`PIDFile=${specifierEscape(s.pidFile)}`);
  if (s.hasLsb) lines.push(`SuccessExitStatus=${LSB_SUCCESS_EXIT_STATUS}`);
  lines.push(`ExecStart=${source} start`, `ExecStop=${source} stop`);
  if (s.reload) lines.push(`ExecReload=${source} reload`);
  return lines.join('\n') + '\n';
}

function writeUnit(output: string, s: SysvScript, messages: string[]): boolean {
  const file = path.join(output, s.name);
  // A Provides: of another script may have taken the name first; the real script wins.
  try {
    if (fs.lstatSync(file).isSymbolicLink()) {
      messages.push(`Overwriting existing symlink ${file} with real service.`);
      fs.unlinkSync(file);
    }
  } catch {
    // no such file: the usual case
  }
  try {
    fs.writeFileSync(file, unitText(s), { flag: 'wx', mode: 0o644 });
  } catch (e) {
    messages.push(`Failed to create unit file ${file}: ${(e as Error).message}`);
    return false;
  }
  for (const target of s.wantedBy) {
    const dir = path.join(output, `${target}.wants`);
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
      fs.symlinkSync(`../${s.name}`, path.join(dir, s.name));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') messages.push(`Failed to create symlink ${path.join(dir, s.name)}: ${(e as Error).message}`);
    }
  }
  return true;
}

/** Unit names with a file, alias or mask on the load path, generator directories left out. */
function nativeUnitExists(lp: LookupPaths): (name: string) => boolean {
  const generated = new Set([lp.generator, lp.generatorEarly, lp.generatorLate, lp.transient]);
  const names = buildNameMap({ ...lp, searchPath: lp.searchPath.filter((d) => !generated.has(d)) });
  return (name) => names.has(name) || (templateOf(name) !== undefined && names.has(templateOf(name) as string));
}

function findScripts(root: string, initPaths: readonly string[], exists: (name: string) => boolean, messages: string[], debug: string[]): Map<string, SysvScript> {
  const scripts = new Map<string, SysvScript>();
  for (const dir of initPaths) {
    const real = path.join(root || '/', dir);
    let entries: string[];
    try {
      entries = fs.readdirSync(real).sort();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') messages.push(`Opening ${dir} failed, ignoring: ${(e as Error).message}`);
      continue;
    }
    for (const entry of entries) {
      let st: fs.Stats;
      try {
        st = fs.statSync(path.join(real, entry));
      } catch (e) {
        messages.push(`stat() failed on ${dir}/${entry}, ignoring: ${(e as Error).message}`);
        continue;
      }
      if ((st.mode & 0o100) === 0 || !st.isFile()) continue;
      const name = sysvUnitName(entry);
      if (name === undefined || scripts.has(name) || exists(name)) continue;
      const scriptPath = path.join(dir, entry);
      debug.push(
        `SysV service '${scriptPath}' lacks a native systemd unit file. Automatically generating a unit file for compatibility. ` +
          'Please update package to include a native systemd unit file, in order to make it more safe and robust.',
      );
      scripts.set(name, {
        name, path: scriptPath, file: path.join(real, entry), priority: -1,
        before: [], after: [], wants: [], wantedBy: [], hasLsb: false, reload: false, loaded: false,
      });
    }
  }
  return scripts;
}

/** Start links decide the targets and the start priority (set_dependencies_from_rcnd()). */
function readRunlevels(root: string, rcPaths: readonly string[], scripts: Map<string, SysvScript>, messages: string[]): void {
  const members = RUNLEVEL_TARGETS.map(() => new Set<SysvScript>());
  for (const base of rcPaths) {
    RUNLEVEL_TARGETS.forEach(([dir], i) => {
      let entries: string[];
      try {
        entries = fs.readdirSync(path.join(root || '/', base, dir));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') messages.push(`Opening ${path.join(base, dir)} failed, ignoring: ${(e as Error).message}`);
        return;
      }
      for (const entry of entries) {
        const m = /^S([0-9])([0-9])(.+)$/.exec(entry);
        if (m === null) continue;
        const script = scripts.get(sysvUnitName(m[3] as string) ?? '');
        if (script === undefined) continue;
        script.priority = Math.max(Number(m[1]) * 10 + Number(m[2]), script.priority);
        members[i]?.add(script);
      }
    });
  }
  RUNLEVEL_TARGETS.forEach(([, target], i) => {
    for (const script of members[i] ?? []) {
      script.before.push(target);
      script.wantedBy.push(target);
    }
  });
}

/**
 * Writes units for the scripts that lack a native one into `outputDir`, which
 * must exist and be empty (generators.ts prepares it). Never throws for a bad
 * script: it is reported and the others are generated.
 */
export function generateSysvUnits(options: SysvGeneratorOptions): SysvGeneratorResult {
  const root = options.root ?? '';
  const messages: string[] = [];
  const debug: string[] = [];
  const output = path.join(root || '/', options.outputDir);
  const lp = lookupPaths({ root, unitPathEnv: options.unitPathEnv });
  const scripts = findScripts(root, options.initPaths ?? [SYSV_DEFAULTS.initPath], nativeUnitExists(lp), messages, debug);
  readRunlevels(root, options.rcPaths ?? [SYSV_DEFAULTS.rcPath], scripts, messages);
  const all = [...scripts.values()];
  for (const s of all) loadScript(s, output, messages);
  const generated: string[] = [];
  for (const s of all) {
    if (!s.loaded) continue;
    fixOrder(s, all);
    if (writeUnit(output, s, messages)) generated.push(s.name);
  }
  return { generated, messages, debug };
}

// Preset policy (systemd.preset(5)): `*.preset` files decide whether `preset`
// and `preset-all` enable or disable a unit; the first matching line wins and
// a unit no line matches is enabled.

import * as fs from 'node:fs';

import { ChangeList } from './install-changes.js';
import { InstallContext, SEARCH_FOLLOW_CONFIG_SYMLINKS, SEARCH_LOAD, errnoOf, InstallErrno } from './install-info.js';
import {
  InstallFlags,
  InstallResult,
  applyContext,
  configPathFor,
  discover,
  discoverAndCheck,
  markForRemoval,
  rawDirEntries,
  removeMarkedSymlinks,
  RemovalSet,
} from './install.js';
import { LookupPaths } from './paths.js';
import { confFiles } from './install-info.js';
import { isValidUnitName, parseUnitName, templateOf, withInstance } from './unit-name.js';
import { globToRegExp } from './glob.js';

export const PRESET_MODES = ['full', 'enable-only', 'disable-only'] as const;
export type PresetMode = (typeof PRESET_MODES)[number];

export const PRESET_ACTIONS = ['enable', 'disable'] as const;
export type PresetAction = (typeof PRESET_ACTIONS)[number];

export interface PresetRule {
  action: PresetAction;
  pattern: string;
  /** `enable foo@.service a b` lists the instances to enable. */
  instances?: string[];
  file: string;
  line: number;
}

export interface PresetWarning {
  file: string;
  line: number;
  message: string;
}

/** Read every preset file in priority order; unparsable lines become warnings. */
export function readPresets(lp: LookupPaths, warnings: PresetWarning[] = []): PresetRule[] {
  const rules: PresetRule[] = [];
  for (const file of confFiles(lp.presetPath, '.preset')) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    text.split('\n').forEach((raw, idx) => {
      const l = raw.trim();
      if (l === '' || l.startsWith('#') || l.startsWith(';')) return;
      const m = /^(enable|disable)[ \t]+(.*)$/.exec(l);
      if (!m) {
        warnings.push({ file, line: idx + 1, message: `Couldn't parse line '${raw}'. Ignoring.` });
        return;
      }
      const words = m[2].split(/[ \t]+/).filter((w) => w !== '');
      const action = m[1] as PresetAction;
      if (action === 'enable' && words.length > 1) {
        if (!parseUnitName(words[0])?.isTemplate) {
          warnings.push({ file, line: idx + 1, message: `Couldn't parse line '${raw}'. Ignoring.` });
          return;
        }
        rules.push({ action, pattern: words[0], instances: words.slice(1), file, line: idx + 1 });
      } else rules.push({ action, pattern: action === 'enable' ? words[0] : m[2], file, line: idx + 1 });
    });
  }
  return rules;
}

export interface PresetDecision {
  enable: boolean;
  /** Instances to enable instead of the template itself. */
  instances?: string[];
}

function matchInstances(rule: PresetRule, name: string): { match: boolean; instances?: string[] } {
  if (!rule.instances) return { match: false };
  const tpl = parseUnitName(name)?.isTemplate ? name : templateOf(name);
  if (tpl === undefined || tpl !== rule.pattern) return { match: false };
  const p = parseUnitName(name);
  if (p?.isTemplate) return { match: true, instances: rule.instances.map((i) => withInstance(name, i)) };
  return { match: p?.instance !== undefined && rule.instances.includes(p.instance) };
}

/** query_presets(): the first rule that matches decides; none means enable. */
export function queryPreset(rules: readonly PresetRule[], name: string): PresetDecision {
  if (!isValidUnitName(name)) return { enable: false };
  for (const rule of rules) {
    const inst = matchInstances(rule, name);
    if (inst.match || globToRegExp(rule.pattern).test(name)) {
      if (rule.action === 'disable') return { enable: false };
      return inst.instances ? { enable: true, instances: inst.instances } : { enable: true };
    }
  }
  return { enable: true };
}

interface PresetPlan {
  plus: InstallContext;
  minus: InstallContext;
}

/** preset_prepare_one(): sort a unit into the enable or disable set. */
function prepareOne(lp: LookupPaths, plan: PresetPlan, rules: readonly PresetRule[], name: string, changes: ChangeList): void {
  if (plan.plus.find(name) || plan.minus.find(name)) return;
  const tmp = new InstallContext();
  const info = discover(tmp, lp, name, SEARCH_FOLLOW_CONFIG_SYMLINKS, changes);
  if (info.name !== name) return; // an alias: its unit is handled under its own name
  const decision = queryPreset(rules, name);
  if (decision.enable) {
    for (const n of decision.instances ?? [name]) {
      discoverAndCheck(plan.plus, lp, n, SEARCH_LOAD | SEARCH_FOLLOW_CONFIG_SYMLINKS, changes);
    }
  } else {
    discover(plan.minus, lp, name, SEARCH_FOLLOW_CONFIG_SYMLINKS, changes);
  }
}

function executePreset(lp: LookupPaths, plan: PresetPlan, flags: InstallFlags, mode: PresetMode, changes: ChangeList): InstallResult {
  const configPath = configPathFor(lp, flags);
  let error: InstallErrno | undefined;
  let count = 0;
  if (mode !== 'enable-only') {
    const remove: RemovalSet = new Set();
    markForRemoval(plan.minus, lp, remove, changes);
    error = removeMarkedSymlinks(lp, remove, configPath, changes);
  }
  if (mode !== 'disable-only') {
    const r = applyContext(plan.plus, lp, { ...flags, ignoreAuxiliaryFailure: true }, configPath, changes);
    if (error === undefined) {
      if (r.error) error = r.error;
      else count += r.count;
    }
  }
  return error ? { count, error } : { count };
}

export function presetUnits(lp: LookupPaths, names: string[], flags: InstallFlags, mode: PresetMode, changes: ChangeList): InstallResult {
  try {
    const rules = readPresets(lp);
    const plan: PresetPlan = { plus: new InstallContext(), minus: new InstallContext() };
    for (const n of names) prepareOne(lp, plan, rules, n, changes);
    return executePreset(lp, plan, flags, mode, changes);
  } catch (e) {
    return { count: 0, error: errnoOf(e) };
  }
}

/** Errors preset-all skips over (they are reported as changes and the run goes on). */
const PRESET_ALL_SKIPPED: readonly InstallErrno[] = ['EEXIST', 'ERFKILL', 'EADDRNOTAVAIL', 'EBADSLT', 'EIDRM', 'EUCLEAN', 'ELOOP', 'ENOENT', 'EUNATCH', 'EXDEV'];

export function presetAllUnits(lp: LookupPaths, flags: InstallFlags, mode: PresetMode, changes: ChangeList): InstallResult {
  try {
    const rules = readPresets(lp);
    const plan: PresetPlan = { plus: new InstallContext(), minus: new InstallContext() };
    for (const dir of lp.searchPath) {
      for (const de of rawDirEntries(dir)) {
        if (!isValidUnitName(de.name)) continue;
        if (!de.isSymbolicLink() && !de.isFile()) continue;
        try {
          prepareOne(lp, plan, rules, de.name, changes);
        } catch (e) {
          if (!PRESET_ALL_SKIPPED.includes(errnoOf(e))) throw e;
        }
      }
    }
    return executePreset(lp, plan, flags, mode, changes);
  } catch (e) {
    return { count: 0, error: errnoOf(e) };
  }
}

/** The PRESET column / UnitFilePreset=: what the policy says for this name. */
export function presetStateOf(rules: readonly PresetRule[], name: string): PresetAction {
  return queryPreset(rules, name).enable ? 'enable' : 'disable';
}


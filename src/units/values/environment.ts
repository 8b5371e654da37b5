// Environment=, PassEnvironment= and UnsetEnvironment= values (systemd.exec(5)
// "Environment"): quoted NAME=VALUE items, specifiers expanded per item, names
// checked the way systemd's env_assignment_is_valid() does.

import { extractFirstWord } from './quoting.js';
import { SpecifierContext, expandSpecifiers } from './specifiers.js';

/** Letters, digits and underscore, not starting with a digit (env_name_is_valid()). */
export function isValidEnvironmentName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && name.length <= 131071;
}

/** Values may hold tabs and newlines but no other control characters. */
export function isValidEnvironmentValue(value: string): boolean {
  return !/[\x00-\x08\x0b-\x1f\x7f]/.test(value);
}

export function isValidEnvironmentAssignment(item: string): boolean {
  const eq = item.indexOf('=');
  return eq > 0 && isValidEnvironmentName(item.slice(0, eq)) && isValidEnvironmentValue(item.slice(eq + 1));
}

export interface EnvironmentParse {
  /** Accepted NAME=VALUE items in order; later items of the same name win when applied. */
  assignments: [name: string, value: string][];
}

/**
 * Parse one Environment= assignment. Problems are reported through `warn` with
 * systemd's wording and the offending item skipped; broken quoting stops the
 * line (items before it are kept, as systemd does).
 */
export function parseEnvironmentAssignment(rvalue: string, ctx: SpecifierContext, warn: (message: string) => void): EnvironmentParse {
  const assignments: [string, string][] = [];
  let rest = rvalue;
  for (;;) {
    const r = extractFirstWord(rest, { cunescape: true });
    if (r.kind === 'end') break;
    if (r.kind === 'error') {
      warn(`Invalid syntax, ignoring: ${rvalue}`);
      break;
    }
    rest = r.rest;
    const resolved = expandSpecifiers(r.word, ctx);
    if (!resolved.ok) {
      warn(`Failed to resolve specifiers in ${r.word}, ignoring: ${resolved.error}`);
      continue;
    }
    if (!isValidEnvironmentAssignment(resolved.value)) {
      warn(`Invalid environment assignment, ignoring: ${resolved.value}`);
      continue;
    }
    const eq = resolved.value.indexOf('=');
    assignments.push([resolved.value.slice(0, eq), resolved.value.slice(eq + 1)]);
  }
  return { assignments };
}

/** Apply NAME=VALUE pairs to an environment map: later wins. */
export function applyAssignments(env: Record<string, string>, assignments: readonly [string, string][]): Record<string, string> {
  const out = { ...env };
  for (const [k, v] of assignments) out[k] = v;
  return out;
}

/** PassEnvironment=: variable names, whitespace separated. */
export function parsePassEnvironment(rvalue: string, ctx: SpecifierContext, warn: (message: string) => void): string[] {
  const names: string[] = [];
  let rest = rvalue;
  for (;;) {
    const r = extractFirstWord(rest, { cunescape: true });
    if (r.kind === 'end') break;
    if (r.kind === 'error') {
      warn(`Trailing garbage in ${rvalue}, ignoring.`);
      break;
    }
    rest = r.rest;
    const k = expandSpecifiers(r.word, ctx);
    if (!k.ok) {
      warn(`Failed to resolve specifiers in ${r.word}, ignoring: ${k.error}`);
      continue;
    }
    if (!isValidEnvironmentName(k.value)) {
      warn(`Invalid environment name for PassEnvironment, ignoring: ${k.value}`);
      continue;
    }
    names.push(k.value);
  }
  return names;
}

/** UnsetEnvironment=: names, or exact NAME=VALUE assignments to remove. */
export function parseUnsetEnvironment(rvalue: string, ctx: SpecifierContext, warn: (message: string) => void): string[] {
  const items: string[] = [];
  let rest = rvalue;
  for (;;) {
    const r = extractFirstWord(rest, { cunescape: true });
    if (r.kind === 'end') break;
    if (r.kind === 'error') {
      warn(`Trailing garbage in ${rvalue}, ignoring.`);
      break;
    }
    rest = r.rest;
    const k = expandSpecifiers(r.word, ctx);
    if (!k.ok) {
      warn(`Failed to resolve specifiers in ${r.word}, ignoring: ${k.error}`);
      continue;
    }
    if (!isValidEnvironmentName(k.value) && !isValidEnvironmentAssignment(k.value)) {
      warn(`Invalid environment name or assignment UnsetEnvironment, ignoring: ${k.value}`);
      continue;
    }
    items.push(k.value);
  }
  return items;
}

/** Remove UnsetEnvironment= entries: a bare name removes the variable, NAME=VALUE only that exact pair. */
export function unsetVariables(env: Record<string, string>, unset: readonly string[]): Record<string, string> {
  const out = { ...env };
  for (const item of unset) {
    const eq = item.indexOf('=');
    if (eq < 0) delete out[item];
    else if (out[item.slice(0, eq)] === item.slice(eq + 1)) delete out[item.slice(0, eq)];
  }
  return out;
}

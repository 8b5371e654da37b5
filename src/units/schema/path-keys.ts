// [Path] (systemd.path(5)): what a path unit watches and which unit it starts.

import { expandSpecifiers } from '../values/specifiers.js';
import { bool, mode, timespan, unsigned, type KeyHandler, type KeyTable } from './key-handler.js';
import { PATH_SPEC_KINDS, type PathSpecKind } from './enums.js';
import { unitTypeOf } from '../unit-name.js';
import type { PathSection } from './types.js';

/**
 * path_simplify_and_warn(PATH_CHECK_ABSOLUTE): double and trailing slashes and `.` go
 * silently; a relative path or a `..` component is refused with systemd's words.
 */
export function simplifyAbsolutePath(key: string, path: string, warn: (m: string) => void): string | undefined {
  if (!path.startsWith('/')) {
    warn(`${key}= path is not absolute, ignoring: ${path}`);
    return undefined;
  }
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) {
    warn(`${key}= path is not normalized, ignoring: ${path}`);
    return undefined;
  }
  return '/' + parts.join('/');
}

function pathSpec(kind: PathSpecKind): KeyHandler<PathSection> {
  return (s, value, ctx) => {
    if (value === '') {
      s.paths = []; // an empty assignment clears every kind, as path_free_specs() does
      return;
    }
    const r = expandSpecifiers(value, ctx.specifiers);
    if (!r.ok) {
      ctx.warn(`Failed to resolve unit specifiers in ${value}, ignoring: ${r.error}`);
      return;
    }
    const path = simplifyAbsolutePath(kind, r.value, ctx.warn);
    if (path !== undefined) s.paths.push({ kind, path });
  };
}

/**
 * Unit= of timers and paths (config_parse_trigger_unit): the first one wins; the name must
 * have a type and must not be the unit itself.
 */
export function triggerUnit<S extends { unit?: string }>(): KeyHandler<S> {
  return (s, value, ctx) => {
    if (s.unit !== undefined) {
      ctx.warn(`Multiple units to trigger specified, ignoring: ${value}`);
      return;
    }
    const r = expandSpecifiers(value, ctx.specifiers);
    if (!r.ok) {
      ctx.warn(`Failed to resolve unit specifiers in ${value}, ignoring: ${r.error}`);
      return;
    }
    if (!unitTypeOf(r.value)) {
      ctx.warn(`Unit type not valid, ignoring: ${r.value}`);
      return;
    }
    if (r.value === ctx.specifiers.unitName) {
      ctx.warn(`Units cannot trigger themselves, ignoring: ${r.value}`);
      return;
    }
    s.unit = r.value;
  };
}

export const PATH_KEYS: KeyTable<PathSection> = {
  ...Object.fromEntries(PATH_SPEC_KINDS.map((kind) => [kind, pathSpec(kind)])),
  Unit: triggerUnit<PathSection>(),
  MakeDirectory: bool((s, v) => (s.makeDirectory = v)),
  DirectoryMode: mode((s, v) => (s.directoryMode = v)),
  TriggerLimitIntervalSec: timespan((s, v) => (s.triggerLimitIntervalUSec = v)),
  TriggerLimitBurst: unsigned((s, v) => (s.triggerLimitBurst = v)),
};

/** path_verify(): a path unit needs something to watch. */
export function pathRefusal(section: PathSection): string | undefined {
  return section.paths.length === 0 ? 'Path unit lacks path setting. Refusing.' : undefined;
}

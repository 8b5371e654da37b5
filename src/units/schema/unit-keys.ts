// [Unit] (systemd.unit(5)): description, dependencies, conditions, actions and limits.

import { isValidUnitName } from '../unit-name.js';
import { expandSpecifiers } from '../values/specifiers.js';
import { parseActionExitStatus } from '../values/exit-status.js';
import { COLLECT_MODES, EMERGENCY_ACTIONS, JOB_MODES, isOneOf, type EmergencyAction } from './enums.js';
import { KeyHandler, KeyTable, addUnique, bool, enumeration, printfString, timespan, unsigned, words } from './key-handler.js';
import type { Condition, UnitSection } from './types.js';

type DependencyField =
  | 'requires'
  | 'requisite'
  | 'wants'
  | 'bindsTo'
  | 'partOf'
  | 'upholds'
  | 'conflicts'
  | 'before'
  | 'after'
  | 'onFailure'
  | 'onSuccess'
  | 'propagatesReloadTo'
  | 'reloadPropagatedFrom'
  | 'propagatesStopTo'
  | 'stopPropagatedFrom'
  | 'joinsNamespaceOf';

/**
 * Dependency keys accumulate and can never be reset by an empty value, so drop-ins
 * can only add. Names systemd cannot parse are dropped silently, as it does.
 */
function dependency(field: DependencyField): KeyHandler<UnitSection> {
  return words((u, names) => addUnique(u[field], names.filter((n) => isValidUnitName(n))));
}

function emergencyAction(set: (u: UnitSection, v: EmergencyAction) => void): KeyHandler<UnitSection> {
  return (u, value, ctx) => {
    if (isOneOf(EMERGENCY_ACTIONS, value)) set(u, value);
    else ctx.warn(`Failed to parse ${ctx.key}=, ignoring: ${value}`);
  };
}

function actionExitStatus(set: (u: UnitSection, v: number | undefined) => void): KeyHandler<UnitSection> {
  return (u, value, ctx) => {
    const r = parseActionExitStatus(value);
    if (r.ok) set(u, r.value);
    else ctx.warn(r.error);
  };
}

/** Conditions whose value is a path and must be absolute. */
const PATH_CONDITIONS = [
  'PathExists',
  'PathExistsGlob',
  'PathIsDirectory',
  'PathIsSymbolicLink',
  'PathIsMountPoint',
  'PathIsReadWrite',
  'PathIsEncrypted',
  'DirectoryNotEmpty',
  'FileNotEmpty',
  'FileIsExecutable',
  'NeedsUpdate',
];

/**
 * Condition*= / Assert*=: `|` makes it triggering, `!` negates (in that order);
 * an empty value resets all conditions (resp. asserts) collected so far.
 */
export function conditionHandler(kind: string, list: 'conditions' | 'asserts'): KeyHandler<UnitSection> {
  return (u, value, ctx) => {
    if (value === '') {
      u[list] = [];
      return;
    }
    let rest = value;
    const trigger = rest.startsWith('|');
    if (trigger) rest = rest.slice(1).replace(/^[ \t]+/, '');
    const negate = rest.startsWith('!');
    if (negate) rest = rest.slice(1).replace(/^[ \t]+/, '');
    const r = expandSpecifiers(rest, ctx.specifiers);
    if (!r.ok) {
      ctx.warn(`Failed to resolve unit specifiers in ${rest}, ignoring: ${r.error}`);
      return;
    }
    if (PATH_CONDITIONS.includes(kind) && !r.value.startsWith('/')) {
      ctx.warn(`${ctx.key}= path is not absolute, ignoring: ${r.value}`);
      return;
    }
    const c: Condition = { kind, negate, trigger, value: r.value };
    u[list].push(c);
  };
}

/** A URI as systemd's documentation_url_is_valid() wants: a scheme, then something. */
function isDocumentationUrl(s: string): boolean {
  return /^(https?|file|info|man):./.test(s);
}

const documentation: KeyHandler<UnitSection> = (u, value, ctx) => {
  if (value === '') {
    u.documentation = [];
    return;
  }
  for (const word of value.split(/[ \t\n\r]+/).filter((w) => w !== '')) {
    const r = expandSpecifiers(word, ctx.specifiers);
    if (!r.ok) {
      ctx.warn(`Failed to resolve unit specifiers in '${word}', ignoring: ${r.error}`);
      continue;
    }
    if (!isDocumentationUrl(r.value)) {
      ctx.warn(`Invalid URL, ignoring: ${r.value}`);
      continue;
    }
    if (!u.documentation.includes(r.value)) u.documentation.push(r.value);
  }
};

const jobTimeoutMessage = (key: string, value: string): string => `Failed to parse ${key}= parameter, ignoring: ${value}`;

export const UNIT_KEYS: KeyTable<UnitSection> = {
  Description: printfString((u, v) => (u.description = v)),
  Documentation: documentation,
  SourcePath: (u, value, ctx) => {
    if (value !== '' && !value.startsWith('/')) ctx.warn(`SourcePath= path is not absolute, ignoring: ${value}`);
    else u.sourcePath = value === '' ? undefined : value;
  },
  Requires: dependency('requires'),
  Requisite: dependency('requisite'),
  Wants: dependency('wants'),
  BindsTo: dependency('bindsTo'),
  BindTo: dependency('bindsTo'),
  Upholds: dependency('upholds'),
  Conflicts: dependency('conflicts'),
  Before: dependency('before'),
  After: dependency('after'),
  OnSuccess: dependency('onSuccess'),
  OnFailure: dependency('onFailure'),
  PropagatesReloadTo: dependency('propagatesReloadTo'),
  PropagateReloadTo: dependency('propagatesReloadTo'),
  ReloadPropagatedFrom: dependency('reloadPropagatedFrom'),
  PropagateReloadFrom: dependency('reloadPropagatedFrom'),
  PropagatesStopTo: dependency('propagatesStopTo'),
  StopPropagatedFrom: dependency('stopPropagatedFrom'),
  PartOf: dependency('partOf'),
  JoinsNamespaceOf: dependency('joinsNamespaceOf'),
  RequiresMountsFor: words((u, paths) => addUnique(u.requiresMountsFor, paths), {
    resetOnEmpty: (u) => (u.requiresMountsFor = []),
  }),
  StopWhenUnneeded: bool((u, v) => (u.stopWhenUnneeded = v)),
  RefuseManualStart: bool((u, v) => (u.refuseManualStart = v)),
  RefuseManualStop: bool((u, v) => (u.refuseManualStop = v)),
  AllowIsolate: bool((u, v) => (u.allowIsolate = v)),
  DefaultDependencies: bool((u, v) => (u.defaultDependencies = v)),
  IgnoreOnIsolate: bool((u, v) => (u.ignoreOnIsolate = v)),
  OnSuccessJobMode: enumeration(JOB_MODES, 'job mode', (u, v) => (u.onSuccessJobMode = v)),
  OnFailureJobMode: enumeration(JOB_MODES, 'job mode', (u, v) => (u.onFailureJobMode = v)),
  OnFailureIsolate: bool((u, v) => (u.onFailureJobMode = v ? 'isolate' : 'replace')),
  JobTimeoutSec: timespan((u, v) => (u.jobTimeoutUSec = v), { message: jobTimeoutMessage, zeroIsInfinity: true }),
  JobRunningTimeoutSec: timespan((u, v) => (u.jobRunningTimeoutUSec = v), { message: jobTimeoutMessage, zeroIsInfinity: true }),
  JobTimeoutAction: emergencyAction((u, v) => (u.jobTimeoutAction = v)),
  StartLimitIntervalSec: timespan((u, v) => (u.startLimitIntervalUSec = v)),
  StartLimitInterval: timespan((u, v) => (u.startLimitIntervalUSec = v)),
  StartLimitBurst: unsigned((u, v) => (u.startLimitBurst = v)),
  StartLimitAction: emergencyAction((u, v) => (u.startLimitAction = v)),
  FailureAction: emergencyAction((u, v) => (u.failureAction = v)),
  SuccessAction: emergencyAction((u, v) => (u.successAction = v)),
  FailureActionExitStatus: actionExitStatus((u, v) => (u.failureActionExitStatus = v)),
  SuccessActionExitStatus: actionExitStatus((u, v) => (u.successActionExitStatus = v)),
  CollectMode: enumeration(COLLECT_MODES, 'garbage collection mode', (u, v) => (u.collectMode = v)),
};

/** Service-section spellings of [Unit] keys that systemd still accepts there. */
export const UNIT_KEYS_ACCEPTED_IN_SERVICE = ['StartLimitBurst', 'StartLimitInterval', 'StartLimitAction', 'FailureAction'] as const;

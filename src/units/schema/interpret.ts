// Turns a unit's assignments (main file, then drop-ins, in order) into a typed
// UnitConfig, reporting unknown sections/keys and bad values in systemd's words.
// Parsing stops at the first fatal setting error, as systemd's does.

import type { Assignment } from '../syntax.js';
import { isExtensionName } from '../syntax.js';
import type { DiagnosticLog } from '../diagnostics.js';
import { unitTypeOf, type UnitType } from '../unit-name.js';
import { parseCommandLine } from '../values/command-line.js';
import type { SpecifierContext } from '../values/specifiers.js';
import { defaultInstallSection, defaultPathSection, defaultServiceSection, defaultSocketSection, defaultUnitSection, deriveServiceDefaults, defaultTimerSection } from './defaults.js';
import { INSTALL_KEYS } from './install-keys.js';
import type { KeyContext, KeyHandler } from './key-handler.js';
import { BOOLEAN_KEYS, KNOWN_KEYS } from './known-keys.js';
import { keyClass } from './key-classes.js';
import { parseBoolean } from '../values/boolean.js';
import { PATH_KEYS, pathRefusal } from './path-keys.js';
import { SERVICE_KEYS } from './service-keys.js';
import { SOCKET_KEYS, socketExecKey, socketRefusal } from './socket-keys.js';
import { TIMER_KEYS, timerRefusal } from './timer-keys.js';
import type { UnitConfig } from './types.js';
import { UNIT_KEYS, UNIT_KEYS_ACCEPTED_IN_SERVICE, conditionHandler } from './unit-keys.js';
import { serviceRefusal } from './service-refusal.js';

/** Sections of the unit types unitd runs (mount, swap and automount units stay inert as a whole). */
const RUN_SECTIONS: ReadonlySet<string> = new Set(['Unit', 'Service', 'Socket', 'Timer', 'Path', 'Install']);

export type { UnitConfig } from './types.js';

/** Sections each unit type reads besides [Unit] and [Install] (unit-type specific section of systemd.unit(5)). */
const TYPE_SECTIONS: Record<UnitType, string | undefined> = {
  service: 'Service',
  socket: 'Socket',
  mount: 'Mount',
  automount: 'Automount',
  swap: 'Swap',
  timer: 'Timer',
  path: 'Path',
  slice: 'Slice',
  scope: 'Scope',
  target: undefined,
  device: undefined,
};

export interface InterpretInput {
  name: string;
  assignments: Assignment[];
  log: DiagnosticLog;
  specifiers: SpecifierContext;
  /** Section headers with their file and line, for "Unknown section" warnings at the header (as systemd). */
  sections?: { name: string; line: number; file: string }[];
}

function conditionKey(key: string): { kind: string; list: 'conditions' | 'asserts' } | undefined {
  if (key.startsWith('Condition')) return { kind: key.slice('Condition'.length), list: 'conditions' };
  if (key.startsWith('Assert')) return { kind: key.slice('Assert'.length), list: 'asserts' };
  return undefined;
}

/** Keys that change process isolation or resources: known to systemd, not applied by unitd in a container. */
function isKnown(section: string, key: string): boolean {
  return KNOWN_KEYS[section]?.includes(key) ?? false;
}

type Event = { kind: 'section'; name: string; file: string; line: number } | { kind: 'assignment'; a: Assignment };

/** Assignments and section headers in file order (headers first on equal lines). */
function events(input: InterpretInput): Event[] {
  const out: Event[] = input.assignments.map((a) => ({ kind: 'assignment' as const, a }));
  if (!input.sections) return out;
  const files = [...new Set([...input.assignments.map((a) => a.file), ...input.sections.map((s) => s.file)])];
  const pos = (e: Event): [number, number, number] =>
    e.kind === 'assignment' ? [files.indexOf(e.a.file), e.a.line, 1] : [files.indexOf(e.file), e.line, 0];
  const headers: Event[] = input.sections.map((s) => ({ kind: 'section' as const, ...s }));
  return [...out, ...headers].sort((x, y) => {
    const [fx, lx, kx] = pos(x);
    const [fy, ly, ky] = pos(y);
    return fx - fy || lx - ly || kx - ky;
  });
}

export function interpretUnit(input: InterpretInput): UnitConfig {
  const type = unitTypeOf(input.name) ?? 'service';
  const typeSection = TYPE_SECTIONS[type];
  const validSections = new Set(['Unit', 'Install', ...(typeSection ? [typeSection] : [])]);
  const config: UnitConfig = {
    type,
    unit: defaultUnitSection(),
    install: defaultInstallSection(),
    service: type === 'service' ? defaultServiceSection() : undefined,
    path: type === 'path' ? defaultPathSection() : undefined,
    socket: type === 'socket' ? defaultSocketSection() : undefined,
    timer: type === 'timer' ? defaultTimerSection() : undefined,
    settings: {},
    unsupported: [],
  };
  const seen = new Set<string>();
  let fatal: string | undefined;
  // Without header positions, warn once per run of assignments in the same unknown section.
  let lastUnknownSection: string | undefined;

  for (const ev of events(input)) {
    if (ev.kind === 'section') {
      if (!validSections.has(ev.name) && !isExtensionName(ev.name)) {
        input.log.warn(ev.file, ev.line, `Unknown section '${ev.name}'. Ignoring.`);
      }
      continue;
    }
    const a = ev.a;
    if (isExtensionName(a.section)) continue;
    if (!validSections.has(a.section)) {
      if (!input.sections && lastUnknownSection !== `${a.file}\0${a.section}`) {
        input.log.warn(a.file, a.line, `Unknown section '${a.section}'. Ignoring.`);
      }
      lastUnknownSection = `${a.file}\0${a.section}`;
      continue;
    }
    lastUnknownSection = undefined;
    if (isExtensionName(a.key)) continue;

    let failed = false;
    const ctx: KeyContext = {
      key: a.key,
      specifiers: input.specifiers,
      warn: (m) => input.log.warn(a.file, a.line, m),
      fatal: (m) => {
        input.log.error(a.file, a.line, m);
        failed = true;
        fatal ??= m;
      },
    };
    let handled = applyKey(config, a, ctx);
    // key-classes.ts decides what is named as not applied, even a key parsed for `show` only.
    if (handled === 'applied' && RUN_SECTIONS.has(a.section) && keyClass(a.key) === 'not-applicable') handled = 'unsupported';
    if (handled === 'unknown') {
      input.log.warn(a.file, a.line, `Unknown key '${a.key}' in section [${a.section}], ignoring.`);
    } else if (handled === 'unsupported') {
      config.unsupported.push({ key: `${a.section}.${a.key}`, file: a.file, line: a.line });
    }
    seen.add(`${a.section}.${a.key}`);
    if (failed) break;
  }

  if (fatal !== undefined) {
    input.log.error(input.name, undefined, 'Unit configuration has fatal error, unit will not be started.');
    config.badSetting = fatal;
    return config;
  }
  const pathRefused = (config.path && pathRefusal(config.path)) || (config.timer && timerRefusal(config.timer));
  if (pathRefused) {
    input.log.error(input.name, undefined, pathRefused);
    config.badSetting = pathRefused;
  }
  const socketRefused = config.socket && socketRefusal(config.socket);
  if (socketRefused) {
    input.log.error(input.name, undefined, socketRefused);
    config.badSetting = socketRefused;
  }
  if (config.socket) deriveServiceDefaults(config.socket.exec, (key) => seen.has(`Socket.${key}`));
  if (config.service) {
    deriveServiceDefaults(config.service, (key) => seen.has(`Service.${key}`));
    const refusal = serviceRefusal(config);
    if (refusal !== undefined) {
      input.log.error(input.name, undefined, refusal);
      config.badSetting = refusal;
    }
  }
  return config;
}

type ApplyOutcome = 'applied' | 'unsupported' | 'unknown';

function applyKey(config: UnitConfig, a: Assignment, ctx: KeyContext): ApplyOutcome {
  const { section, key, value } = a;
  if (section === 'Unit') {
    const handler = UNIT_KEYS[key];
    if (handler) return run(handler, config.unit, value, ctx);
    const cond = conditionKey(key);
    if (cond && isKnown('Unit', key)) return run(conditionHandler(cond.kind, cond.list), config.unit, value, ctx);
    return isKnown('Unit', key) ? 'unsupported' : 'unknown';
  }
  if (section === 'Install') {
    const handler = INSTALL_KEYS[key];
    return handler ? run(handler, config.install, value, ctx) : 'unknown';
  }
  if (section === 'Service' && config.service) {
    if ((UNIT_KEYS_ACCEPTED_IN_SERVICE as readonly string[]).includes(key)) return run(UNIT_KEYS[key], config.unit, value, ctx);
    const handler = SERVICE_KEYS[key];
    if (handler) return run(handler, config.service, value, ctx);
    if (!isKnown('Service', key)) return 'unknown';
    checkUnappliedValue(key, value, ctx);
    return 'unsupported';
  }
  if (section === 'Path' && config.path) {
    const handler = PATH_KEYS[key];
    return handler ? run(handler, config.path, value, ctx) : 'unknown';
  }
  if (section === 'Socket' && config.socket) {
    const handler = SOCKET_KEYS[key] ?? (isKnown('Socket', key) ? socketExecKey(key) : undefined);
    if (handler) return run(handler, config.socket, value, ctx);
    if (!isKnown('Socket', key)) return 'unknown';
    checkUnappliedValue(key, value, ctx);
    return 'unsupported';
  }
  if (section === 'Timer' && config.timer) {
    const handler = TIMER_KEYS[key];
    return handler ? run(handler, config.timer, value, ctx) : 'unknown';
  }
  if (!isKnown(section, key)) return 'unknown';
  // Types unitd keeps inert: command lines are still checked (a bad one makes the unit bad-setting).
  if (key.startsWith('Exec') && value !== '') {
    const r = parseCommandLine(value, ctx.specifiers, ctx.warn);
    if (!r.ok) (r.fatal ? ctx.fatal : ctx.warn)(r.message);
  }
  const sectionSettings = (config.settings[section] ??= {});
  sectionSettings[key] = value === '' ? [] : [...(sectionSettings[key] ?? []), value];
  return 'applied';
}

/** Keys unitd does not apply still get systemd's value check, so `verify` reports the same. */
function checkUnappliedValue(key: string, value: string, ctx: KeyContext): void {
  if (!BOOLEAN_KEYS.has(key) || value === '') return;
  const r = parseBoolean(value);
  if (r.ok) return;
  // systemd 252 parses DynamicUser= with a parser that treats a bad value as fatal.
  if (key === 'DynamicUser') ctx.fatal(`Failed to parse boolean value: ${value}`);
  else ctx.warn(r.error);
}

function run<S>(handler: KeyHandler<S>, target: S, value: string, ctx: KeyContext): ApplyOutcome {
  handler(target, value, ctx);
  return 'applied';
}

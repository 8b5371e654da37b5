// Load-time refusals (systemd's service_verify()) and `verify` output in the form
// of `systemd-analyze verify --man=no --recursive-errors=no`.

import { DiagnosticLog, formatDiagnostic } from './diagnostics.js';
import type { UnitConfig } from './schema/types.js';
import { parseUnitText } from './syntax.js';
import type { SpecifierContext } from './values/specifiers.js';
import { interpretUnit } from './schema/interpret.js';
import { basename } from 'node:path';

/** Restart= values a oneshot may use (always/on-success are refused). */
const ONESHOT_RESTARTS = ['no', 'on-failure', 'on-abnormal', 'on-watchdog', 'on-abort'];

/**
 * The message systemd refuses a service with, in its order of checks, or
 * undefined when the settings are consistent. Expects settled defaults (Type derived).
 */
export function serviceRefusal(config: UnitConfig): string | undefined {
  const s = config.service;
  if (!s) return undefined;
  const hasStart = s.execStart.length > 0;
  const noSuccessAction = config.unit.successAction === 'none';
  if (!hasStart && s.execStop.length === 0 && noSuccessAction) {
    return 'Service has no ExecStart=, ExecStop=, or SuccessAction=. Refusing.';
  }
  if (s.type !== 'oneshot' && !hasStart) {
    return 'Service has no ExecStart= setting, which is only allowed for Type=oneshot services. Refusing.';
  }
  if (!s.remainAfterExit && !hasStart && noSuccessAction) {
    return 'Service has no ExecStart= and no SuccessAction= settings and does not have RemainAfterExit=yes set. Refusing.';
  }
  if (s.type !== 'oneshot' && s.execStart.length > 1) {
    return 'Service has more than one ExecStart= setting, which is only allowed for Type=oneshot services. Refusing.';
  }
  if (s.type === 'oneshot' && !ONESHOT_RESTARTS.includes(s.restart)) {
    return "Service has Restart= set to either always or on-success, which isn't allowed for Type=oneshot services. Refusing.";
  }
  if (s.type === 'oneshot' && s.exitType === 'cgroup') {
    return "Service has ExitType=cgroup set, which isn't allowed for Type=oneshot services. Refusing.";
  }
  if (s.type === 'dbus' && s.busName === undefined) {
    return 'Service is of type D-Bus but no D-Bus service name has been specified. Refusing.';
  }
  return undefined;
}

export interface VerifyResult {
  /** Diagnostic lines as systemd-analyze prints them. */
  lines: string[];
  /** systemd-analyze's exit status: 1 as soon as anything was reported (observed with 252). */
  exitCode: 0 | 1;
  config?: UnitConfig;
}

/**
 * Verify one unit file: parse, interpret, and print the lines systemd would.
 * `name` defaults to the file's basename; specifier context defaults to that name.
 */
export function verifyUnit(input: {
  path: string;
  text: string | Buffer;
  name?: string;
  specifiers?: SpecifierContext;
  dropIns?: { path: string; text: string | Buffer }[];
}): VerifyResult {
  const log = new DiagnosticLog();
  const name = input.name ?? basename(input.path);
  const files = [{ path: input.path, text: input.text }, ...(input.dropIns ?? [])];
  const assignments = [];
  const sections = [];
  for (const f of files) {
    const parsed = parseUnitText(f.text, f.path, log);
    if (parsed.fatal !== undefined) {
      return { lines: log.entries.map(formatDiagnostic), exitCode: 1 };
    }
    assignments.push(...parsed.assignments);
    sections.push(...parsed.sections.map((s) => ({ ...s, file: f.path })));
  }
  const config = interpretUnit({
    name,
    assignments,
    sections,
    log,
    specifiers: input.specifiers ?? { unitName: name, fragmentPath: input.path },
  });
  const lines = log.entries.map(formatDiagnostic);
  if (config.badSetting !== undefined) lines.push(`Unit ${name} has a bad unit file setting.`);
  return { lines, exitCode: lines.length > 0 ? 1 : 0, config };
}

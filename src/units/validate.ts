// `verify` output in the form of `systemd-analyze verify --man=no --recursive-errors=no`.
// The load-time refusals themselves are in schema/service-refusal.ts.

import { DiagnosticLog, formatDiagnostic } from './diagnostics.js';
import type { UnitConfig } from './schema/types.js';
import { parseUnitText } from './syntax.js';
import type { SpecifierContext } from './values/specifiers.js';
import { interpretUnit } from './schema/interpret.js';
import { basename } from 'node:path';

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

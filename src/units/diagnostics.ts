// Messages about unit files, in the shape systemd prints them: "path:line: message".
// Every parser and validator reports through these so the CLI, `verify` and the
// daemon's journal show one wording.

export const DIAGNOSTIC_LEVELS = ['warning', 'error'] as const;
export type DiagnosticLevel = (typeof DIAGNOSTIC_LEVELS)[number];

export interface Diagnostic {
  level: DiagnosticLevel;
  /** File the problem is in; a unit name when the problem is about the unit as a whole. */
  file: string;
  /** 1-based line, absent for unit-level messages ("Service has no ExecStart=..."). */
  line?: number;
  message: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  return d.line === undefined ? `${d.file}: ${d.message}` : `${d.file}:${d.line}: ${d.message}`;
}

/** Collects diagnostics while parsing; one instance per load so callers can read them all afterwards. */
export class DiagnosticLog {
  readonly entries: Diagnostic[] = [];

  warn(file: string, line: number | undefined, message: string): void {
    this.entries.push({ level: 'warning', file, line, message });
  }

  error(file: string, line: number | undefined, message: string): void {
    this.entries.push({ level: 'error', file, line, message });
  }

  get hasErrors(): boolean {
    return this.entries.some((d) => d.level === 'error');
  }
}

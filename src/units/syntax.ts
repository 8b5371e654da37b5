// The lexical layer of unit files (systemd.syntax(7)): sections, assignments,
// comments and continuation lines. Values stay raw strings here; typed parsing
// and the meaning of keys live in the schema, because whether an empty value
// resets a list, or whether a key is known at all, depends on the key.

import { DiagnosticLog } from './diagnostics.js';

/** One `Key=Value` line as written, after continuation joining. */
export interface Assignment {
  section: string;
  key: string;
  value: string;
  file: string;
  line: number;
}

export interface ParsedUnitText {
  file: string;
  /** In file order, including assignments in unknown sections (the schema decides). */
  assignments: Assignment[];
  /** Section headers in the order they appeared, with their line. */
  sections: { name: string; line: number }[];
  /** Set when the file cannot be used at all (systemd refuses to load it). */
  fatal?: string;
}

/** systemd's LONG_LINE_MAX: a logical line longer than this makes the whole file unreadable. */
export const LONG_LINE_MAX = 1024 * 1024;

const COMMENT_CHARS = '#;';
// systemd strips " \t\n\r" around lines, keys and values, not Unicode spaces.
const WHITESPACE = /^[ \t\n\r]+|[ \t\n\r]+$/g;

function strip(s: string): string {
  return s.replace(WHITESPACE, '');
}

function isComment(line: string): boolean {
  const first = line.replace(/^[ \t\n\r]+/, '')[0];
  return first !== undefined && COMMENT_CHARS.includes(first);
}

/** A line continues onto the next when it ends in an odd run of backslashes (`\\` is a literal backslash). */
function endsWithContinuation(line: string): boolean {
  let n = 0;
  for (let i = line.length - 1; i >= 0 && line[i] === '\\'; i--) n++;
  return n % 2 === 1;
}

function decodeLines(input: string | Buffer, file: string, log: DiagnosticLog): (string | null)[] {
  let text: string;
  if (typeof input === 'string') {
    text = input;
  } else {
    // Decode line by line so one line of binary garbage costs only that line.
    const out: (string | null)[] = [];
    const decoder = new TextDecoder('utf-8', { fatal: true });
    let start = input.length >= 3 && input[0] === 0xef && input[1] === 0xbb && input[2] === 0xbf ? 3 : 0;
    let lineNo = 0;
    while (start <= input.length) {
      let end = input.indexOf(0x0a, start);
      if (end === -1) end = input.length;
      lineNo++;
      const bytes = input.subarray(start, end);
      if (bytes.includes(0)) {
        log.warn(file, lineNo, 'Line contains NUL byte, ignoring line.');
        out.push(null);
      } else {
        try {
          out.push(decoder.decode(bytes));
        } catch {
          log.warn(file, lineNo, 'Line is not UTF-8 clean, ignoring line.');
          out.push(null);
        }
      }
      if (end === input.length) break;
      start = end + 1;
    }
    return out;
  }
  if (text.startsWith('\ufeff')) text = text.slice(1);
  return text.split('\n');
}

/**
 * Parse the text of one unit file or drop-in. Never throws: problems become
 * diagnostics in `log` with systemd's wording, and a file systemd would refuse
 * gets `fatal` set.
 */
export function parseUnitText(input: string | Buffer, file: string, log: DiagnosticLog): ParsedUnitText {
  const result: ParsedUnitText = { file, assignments: [], sections: [] };
  const lines = decodeLines(input, file, log);
  let section: string | undefined;
  let continuation: string | undefined;
  let continuationLine = 0;

  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    const lineNo = i + 1;
    if (raw === null || raw === undefined) continue;
    const physical = raw.endsWith('\r') ? raw.slice(0, -1) : raw;

    // Comment lines are skipped even in the middle of a continuation (systemd.syntax(7)).
    if (isComment(physical)) continue;

    const joined = continuation === undefined ? physical : continuation + physical;
    if (joined.length > LONG_LINE_MAX) {
      result.fatal = `Line ${lineNo} is longer than ${LONG_LINE_MAX} bytes, refusing file.`;
      log.error(file, lineNo, `Line too long (over ${LONG_LINE_MAX} bytes), refusing to load file.`);
      return result;
    }
    if (endsWithContinuation(joined)) {
      // The backslash becomes one space; the next line's leading whitespace is kept.
      if (continuation === undefined) continuationLine = lineNo;
      continuation = joined.slice(0, -1) + ' ';
      continue;
    }
    const logicalLine = continuation === undefined ? lineNo : continuationLine;
    continuation = undefined;

    const line = strip(joined);
    if (line === '') continue;

    if (line.startsWith('[')) {
      if (!line.endsWith(']') || line.length < 3) {
        result.fatal = `Invalid section header '${line}'`;
        log.error(file, logicalLine, `Invalid section header '${line}'`);
        return result;
      }
      section = line.slice(1, -1);
      result.sections.push({ name: section, line: logicalLine });
      continue;
    }

    if (section === undefined) {
      log.warn(file, logicalLine, 'Assignment outside of section. Ignoring.');
      continue;
    }
    const eq = line.indexOf('=');
    if (eq === -1) {
      log.warn(file, logicalLine, "Missing '=', ignoring line.");
      continue;
    }
    const key = strip(line.slice(0, eq));
    const value = strip(line.slice(eq + 1));
    if (key === '') {
      log.warn(file, logicalLine, "Missing key name before '=', ignoring line.");
      continue;
    }
    result.assignments.push({ section, key, value, file, line: logicalLine });
  }

  // A file ending inside a continuation: systemd parses what it has.
  if (continuation !== undefined && section !== undefined) {
    const line = strip(continuation);
    const eq = line.indexOf('=');
    if (eq > 0) {
      result.assignments.push({
        section,
        key: strip(line.slice(0, eq)),
        value: strip(line.slice(eq + 1)),
        file,
        line: continuationLine,
      });
    }
  }
  return result;
}

/** Keys and sections beginning with `X-` are vendor extensions that systemd ignores silently. */
export function isExtensionName(name: string): boolean {
  return name.startsWith('X-');
}

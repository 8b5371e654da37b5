// The EnvironmentFile= format (systemd.exec(5)), parsed like systemd's
// parse_env_file(): a small shell-like state machine, not a shell.

export interface EnvironmentFileParse {
  /** Valid assignments in file order (apply in order: later lines win). */
  assignments: [name: string, value: string][];
  /** Messages for lines systemd ignores, in its wording. */
  warnings: string[];
}

const NEWLINE = '\n\r';
const WHITESPACE = ' \t\n\r';
const COMMENTS = '#;';
// Characters a backslash escapes inside double quotes, as in the shell.
const SHELL_NEED_ESCAPE = '"\\`$';

type State =
  | 'pre-key'
  | 'key'
  | 'pre-value'
  | 'value'
  | 'value-escape'
  | 'single-quote'
  | 'double-quote'
  | 'double-quote-escape'
  | 'comment'
  | 'comment-escape';

/**
 * Parse the text of an environment file. `path` is used in messages. Keys that are
 * not valid variable names (e.g. "export NOPE") are reported like systemd does at
 * spawn time: `Ignoring invalid environment assignment 'export NOPE=1': /etc/x.env`.
 */
export function parseEnvironmentFile(text: string, path: string): EnvironmentFileParse {
  const raw: [string, string][] = [];
  let state: State = 'pre-key';
  let key = '';
  let value = '';
  // Index where trailing whitespace started (to chomp it), or -1.
  let keyTrailing = -1;
  let valueTrailing = -1;

  const push = (): void => {
    const k = keyTrailing >= 0 ? key.slice(0, keyTrailing) : key;
    const v = valueTrailing >= 0 ? value.slice(0, valueTrailing) : value;
    raw.push([k, v]);
    key = '';
    value = '';
    keyTrailing = -1;
    valueTrailing = -1;
  };

  for (const c of text) {
    switch (state) {
      case 'pre-key':
        if (COMMENTS.includes(c)) state = 'comment';
        else if (!WHITESPACE.includes(c)) {
          state = 'key';
          keyTrailing = -1;
          key = c;
        }
        break;
      case 'key':
        if (NEWLINE.includes(c)) {
          // A line without "=" is dropped silently.
          state = 'pre-key';
          key = '';
        } else if (c === '=') {
          state = 'pre-value';
          valueTrailing = -1;
          value = '';
        } else {
          if (!WHITESPACE.includes(c)) keyTrailing = -1;
          else if (keyTrailing < 0) keyTrailing = key.length;
          key += c;
        }
        break;
      case 'pre-value':
        if (NEWLINE.includes(c)) {
          state = 'pre-key';
          push();
        } else if (c === "'") state = 'single-quote';
        else if (c === '"') state = 'double-quote';
        else if (c === '\\') state = 'value-escape';
        else if (!WHITESPACE.includes(c)) {
          state = 'value';
          value += c;
        }
        break;
      case 'value':
        if (NEWLINE.includes(c)) {
          state = 'pre-key';
          push();
        } else if (c === '\\') {
          state = 'value-escape';
          valueTrailing = -1;
        } else {
          if (!WHITESPACE.includes(c)) valueTrailing = -1;
          else if (valueTrailing < 0) valueTrailing = value.length;
          value += c;
        }
        break;
      case 'value-escape':
        state = 'value';
        // Backslash-newline joins lines; any other escaped character is kept as itself.
        if (!NEWLINE.includes(c)) value += c;
        break;
      case 'single-quote':
        if (c === "'") state = 'pre-value';
        else value += c;
        break;
      case 'double-quote':
        if (c === '"') state = 'pre-value';
        else if (c === '\\') state = 'double-quote-escape';
        else value += c;
        break;
      case 'double-quote-escape':
        state = 'double-quote';
        if (SHELL_NEED_ESCAPE.includes(c)) value += c;
        else if (c !== '\n') value += '\\' + c;
        break;
      case 'comment':
        if (c === '\\') state = 'comment-escape';
        else if (NEWLINE.includes(c)) state = 'pre-key';
        break;
      case 'comment-escape':
        state = 'comment';
        break;
    }
  }
  if (
    state === 'pre-value' ||
    state === 'value' ||
    state === 'value-escape' ||
    state === 'single-quote' ||
    state === 'double-quote' ||
    state === 'double-quote-escape'
  ) {
    push();
  }

  const result: EnvironmentFileParse = { assignments: [], warnings: [] };
  for (const [k, v] of raw) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) || /[\x00-\x08\x0b-\x1f\x7f]/.test(v)) {
      result.warnings.push(`Ignoring invalid environment assignment '${k}=${v}': ${path}`);
      continue;
    }
    result.assignments.push([k, v]);
  }
  return result;
}

/** One EnvironmentFile= entry: an absolute path, "-" = a missing file is fine. */
export interface EnvironmentFileSpec {
  path: string;
  ignoreMissing: boolean;
}

export function parseEnvironmentFileSpec(value: string): { ok: true; value: EnvironmentFileSpec } | { ok: false; error: string } {
  const ignoreMissing = value.startsWith('-');
  const path = ignoreMissing ? value.slice(1) : value;
  if (!path.startsWith('/')) return { ok: false, error: `EnvironmentFile= path is not absolute, ignoring: ${path}` };
  return { ok: true, value: { path, ignoreMissing } };
}

// Word splitting with systemd's quoting rules (extract_first_word() with
// EXTRACT_UNQUOTE|EXTRACT_CUNESCAPE): quotes may open anywhere in a word and
// are removed; backslash escapes are C escapes, also inside quotes.

export const WHITESPACE_CHARS = ' \t\n\r';

export interface ExtractOptions {
  /** Decode C escapes (`\n`, `\x41`, ...). Without it a backslash just keeps the next character. */
  cunescape: boolean;
  /** Keep unknown escapes verbatim instead of failing (systemd's EXTRACT_UNESCAPE_RELAX). */
  relaxEscapes?: boolean;
  /** Accept unterminated quotes (EXTRACT_RELAX), used when splitting variable values. */
  relaxQuotes?: boolean;
}

export type ExtractResult =
  | { kind: 'word'; word: string; rest: string }
  | { kind: 'end' }
  | { kind: 'error'; reason: 'escape' | 'quote' };

function isHex(c: string | undefined): boolean {
  return c !== undefined && /^[0-9a-fA-F]$/.test(c);
}

function validCodePoint(n: number): boolean {
  return n > 0 && n <= 0x10ffff && !(n >= 0xd800 && n <= 0xdfff);
}

/**
 * systemd's cunescape_one(): decode the escape starting right after a backslash.
 * Returns the decoded text and how many characters it used, or undefined.
 * Bytes from `\xHH`/`\NNN` above 0x7f become the code point U+00HH.
 */
export function decodeCEscape(s: string, i: number): { text: string; length: number } | undefined {
  const c = s[i];
  const simple: Record<string, string> = {
    a: '\x07',
    b: '\b',
    f: '\f',
    n: '\n',
    r: '\r',
    t: '\t',
    v: '\v',
    '\\': '\\',
    '"': '"',
    "'": "'",
    s: ' ',
  };
  if (c === undefined) return undefined;
  if (Object.prototype.hasOwnProperty.call(simple, c)) return { text: simple[c], length: 1 };
  if (c === 'x') {
    if (!isHex(s[i + 1]) || !isHex(s[i + 2])) return undefined;
    const n = parseInt(s.slice(i + 1, i + 3), 16);
    return n === 0 ? undefined : { text: String.fromCharCode(n), length: 3 };
  }
  if (c === 'u' || c === 'U') {
    const len = c === 'u' ? 4 : 8;
    const hex = s.slice(i + 1, i + 1 + len);
    if (hex.length !== len || ![...hex].every((h) => isHex(h))) return undefined;
    const n = parseInt(hex, 16);
    return validCodePoint(n) ? { text: String.fromCodePoint(n), length: len + 1 } : undefined;
  }
  if (c >= '0' && c <= '7') {
    const oct = s.slice(i, i + 3);
    if (!/^[0-7]{3}$/.test(oct)) return undefined;
    const n = parseInt(oct, 8);
    return n === 0 || n > 255 ? undefined : { text: String.fromCharCode(n), length: 3 };
  }
  return undefined;
}

/** Take the first word off `input`, skipping leading separators. */
export function extractFirstWord(input: string, opts: ExtractOptions, separators: string = WHITESPACE_CHARS): ExtractResult {
  let i = 0;
  while (i < input.length && separators.includes(input[i])) i++;
  if (i >= input.length) return { kind: 'end' };

  let word = '';
  let quote: '"' | "'" | undefined;
  for (; i < input.length; i++) {
    const c = input[i];
    if (c === '\\') {
      if (i + 1 >= input.length) {
        // A trailing backslash is kept only in relaxed mode and outside quotes.
        if (opts.relaxEscapes && (quote === undefined || opts.relaxQuotes)) {
          word += '\\';
          break;
        }
        if (opts.relaxQuotes) break;
        return { kind: 'error', reason: quote === undefined ? 'escape' : 'quote' };
      }
      const next = input[i + 1];
      if (opts.cunescape) {
        const esc = decodeCEscape(input, i + 1);
        if (esc) {
          word += esc.text;
          i += esc.length;
        } else if (opts.relaxEscapes) {
          word += '\\' + next;
          i += 1;
        } else {
          return { kind: 'error', reason: 'escape' };
        }
      } else {
        word += next;
        i += 1;
      }
      continue;
    }
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      else word += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      continue;
    }
    if (separators.includes(c)) {
      let j = i;
      while (j < input.length && separators.includes(input[j])) j++;
      return { kind: 'word', word, rest: input.slice(j) };
    }
    word += c;
  }
  if (quote !== undefined && !opts.relaxQuotes) return { kind: 'error', reason: 'quote' };
  return { kind: 'word', word, rest: '' };
}

/**
 * extract_first_word_and_warn(): on an unknown escape retry relaxed and warn;
 * otherwise report unbalanced quoting. `rvalue` is the whole value for messages.
 */
export function extractFirstWordAndWarn(
  input: string,
  rvalue: string,
  warn: (message: string) => void,
): { kind: 'word'; word: string; rest: string } | { kind: 'end' } | { kind: 'error'; message: string } {
  const strict = extractFirstWord(input, { cunescape: true });
  if (strict.kind !== 'error') return strict;
  const relaxed = extractFirstWord(input, { cunescape: true, relaxEscapes: true });
  if (relaxed.kind === 'word') {
    warn(`Ignoring unknown escape sequences: "${relaxed.word}"`);
    return relaxed;
  }
  if (relaxed.kind === 'end') return relaxed;
  return { kind: 'error', message: `Unbalanced quoting, ignoring: "${rvalue}"` };
}

/** Split a whole string into words (strv_split_full); undefined when quoting is broken. */
export function splitWords(input: string, opts: ExtractOptions): string[] | undefined {
  const words: string[] = [];
  let rest = input;
  for (;;) {
    const r = extractFirstWord(rest, opts);
    if (r.kind === 'end') return words;
    if (r.kind === 'error') return undefined;
    words.push(r.word);
    rest = r.rest;
  }
}

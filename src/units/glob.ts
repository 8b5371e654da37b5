// fnmatch(3) for unit-name patterns, as systemctl, journalctl and the skip list use them.
// systemd matches unit names with FNM_NOESCAPE (names carry `\x2d` escapes), so a
// backslash is an ordinary character unless a caller asks for escapes.

const GLOB_CHARS = /[*?[]/;

export function isGlob(s: string): boolean {
  return GLOB_CHARS.test(s);
}

export interface GlobOptions {
  /** A backslash quotes the next character (fnmatch without FNM_NOESCAPE). */
  escapes?: boolean;
}

function escapeRegExp(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Compiled patterns: preset rules are matched against every unit at each load, so a
 * pattern is compiled once. Bounded (client patterns are arbitrary): emptied when full.
 */
const compiled = new Map<string, RegExp>();
const MAX_COMPILED = 1024;

/** `*`, `?` and `[...]` sets (negated by `!` or `^`), matched against the whole string. */
export function globToRegExp(glob: string, options: GlobOptions = {}): RegExp {
  const key = (options.escapes ? '\\' : '-') + glob;
  let re = compiled.get(key);
  if (re === undefined) {
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    re = compile(glob, options);
    compiled.set(key, re);
  }
  return re;
}

// Without the g or y flag a RegExp keeps no state between test() calls, so one can be shared.
function compile(glob: string, options: GlobOptions): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '\\' && options.escapes && i + 1 < glob.length) re += escapeRegExp(glob[++i]);
    else if (c === '[') {
      // A `]` right after the `[` belongs to the set.
      const close = glob.indexOf(']', i + 2);
      if (close < 0) {
        re += '\\[';
        continue;
      }
      let set = glob.slice(i + 1, close);
      if (set.startsWith('!') || set.startsWith('^')) set = '^' + set.slice(1);
      re += `[${set.replace(/[\\\]]/g, '\\$&')}]`;
      i = close;
    } else re += escapeRegExp(c);
  }
  return new RegExp(`^${re}$`, 's');
}

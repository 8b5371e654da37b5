// A small getopt_long() for the tools whose options are plain (systemd-ask-password,
// systemd-tty-ask-password-agent): clustered short options, `--opt=value` and
// `--opt value`, unambiguous prefixes of long options, and glibc's messages, which the
// caller prints after "PROGRAM: ". Options come back in order; words that are not
// options are the positional arguments (getopt's permutation).

export type ArgumentKind = 'none' | 'required' | 'optional';

export interface OptionSpec {
  long: string;
  short?: string;
  argument: ArgumentKind;
}

export interface ParsedOption {
  long: string;
  value?: string;
}

export class GetoptError extends Error {}

export function getopt(argv: readonly string[], specs: readonly OptionSpec[]): { options: ParsedOption[]; positional: string[] } {
  const options: ParsedOption[] = [];
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    if (word === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (word.startsWith('--')) {
      const eq = word.indexOf('=');
      const name = word.slice(2, eq < 0 ? undefined : eq);
      const inline = eq < 0 ? undefined : word.slice(eq + 1);
      const exact = specs.find((s) => s.long === name);
      const prefixed = specs.filter((s) => s.long.startsWith(name));
      const spec = exact ?? (prefixed.length === 1 ? prefixed[0] : undefined);
      if (spec === undefined) {
        if (prefixed.length > 1) throw new GetoptError(`option '${word}' is ambiguous`);
        throw new GetoptError(`unrecognized option '${word}'`);
      }
      if (spec.argument === 'none') {
        if (inline !== undefined) throw new GetoptError(`option '--${spec.long}' doesn't allow an argument`);
        options.push({ long: spec.long });
      } else if (inline !== undefined || spec.argument === 'optional') {
        options.push(inline === undefined ? { long: spec.long } : { long: spec.long, value: inline });
      } else {
        if (i + 1 >= argv.length) throw new GetoptError(`option '--${spec.long}' requires an argument`);
        options.push({ long: spec.long, value: argv[++i] });
      }
      continue;
    }
    if (word.startsWith('-') && word.length > 1) {
      for (let j = 1; j < word.length; j++) {
        const spec = specs.find((s) => s.short === word[j]);
        if (spec === undefined) throw new GetoptError(`invalid option -- '${word[j]}'`);
        if (spec.argument === 'none') {
          options.push({ long: spec.long });
          continue;
        }
        const rest = word.slice(j + 1);
        if (rest !== '') options.push({ long: spec.long, value: rest });
        else if (spec.argument === 'optional') options.push({ long: spec.long });
        else if (i + 1 < argv.length) options.push({ long: spec.long, value: argv[++i] });
        else throw new GetoptError(`option requires an argument -- '${word[j]}'`);
        break;
      }
      continue;
    }
    positional.push(word);
  }
  return { options, positional };
}

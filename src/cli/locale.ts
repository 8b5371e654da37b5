// What systemd's tools conclude from the locale and terminal: whether text is UTF-8
// (LESSCHARSET for the pager) and whether emoji may be printed (the 🔐 of password prompts).

import { parseBoolean } from '../units/values/boolean.js';

/**
 * systemd's is_locale_utf8() as 252 answers it: a UTF-8 codeset is UTF-8; the C/POSIX
 * locale counts as UTF-8 only when no locale variable is set at all (systemd prefers
 * UTF-8 when nothing was chosen). An unknown locale name fails setlocale() there, which
 * also answers yes; unitd cannot ask glibc, so a name with another explicit codeset is no.
 */
export function isLocaleUTF8(env: NodeJS.ProcessEnv): boolean {
  const name = [env.LC_ALL, env.LC_CTYPE, env.LANG].find((v) => v !== undefined && v !== '');
  if (name === undefined || name === 'C' || name === 'POSIX') {
    return env.LC_ALL === undefined && env.LC_CTYPE === undefined && env.LANG === undefined;
  }
  const codeset = /\.([^@]+)/.exec(name)?.[1];
  if (codeset === undefined) return true;
  return codeset.toLowerCase().replace('-', '') === 'utf8';
}

/** systemd's emoji_enabled(): $SYSTEMD_EMOJI, else a UTF-8 locale and a TERM that is neither dumb nor the Linux console. */
export function emojiEnabled(env: NodeJS.ProcessEnv): boolean {
  const forced = env.SYSTEMD_EMOJI === undefined ? undefined : parseBoolean(env.SYSTEMD_EMOJI);
  if (forced?.ok) return forced.value;
  return isLocaleUTF8(env) && env.TERM !== 'dumb' && env.TERM !== 'linux';
}

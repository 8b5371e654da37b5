// systemd-ask-password for unitd: asks on the terminal when stdin is one (and --no-tty is
// not given), else publishes the question for password agents (ask-agents.ts) and waits,
// as systemd 252's tool does. This is what Debian's apache2 runs for a passphrase-protected
// key (/usr/share/apache2/ask-for-passphrase execs /bin/systemd-ask-password --timeout=0),
// and what `systemd-tty-ask-password-agent` from `docker exec -it` then answers.
//
// --keyname= names the kernel keyring entry systemd caches passwords in; unitd has no
// keyring access, which is how systemd itself behaves where keyctl() is unavailable
// (containers with the default seccomp profile): the password is always asked for.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseBoolean } from '../units/values/boolean.js';
import { parseTimespanRaw, USEC_PER_SEC } from '../units/values/timespan.js';
import { NoPassword, publishQuestion } from '../ask-password/ask-agents.js';
import { askOnTerminal, PromptCanceled, restoreTerminals, type EchoMode } from '../ask-password/terminal-prompt.js';
import { emojiEnabled } from './locale.js';
import { getopt, GetoptError, type OptionSpec } from './getopt.js';

const HELP = `systemd-ask-password [OPTIONS...] MESSAGE

Query the user for a system passphrase, via the TTY or an UI agent.

  -h --help           Show this help
     --icon=NAME      Icon name
     --id=ID          Query identifier (e.g. "cryptsetup:/dev/sda5")
     --keyname=NAME   Kernel key name for caching passwords (e.g. "cryptsetup")
     --credential=NAME
                      Credential name for LoadCredential=/SetCredential=
                      credentials
     --timeout=SEC    Timeout in seconds
     --echo=yes|no|masked
                      Control whether to show password while typing (echo)
  -e --echo           Equivalent to --echo=yes
     --emoji=yes|no|auto
                      Show a lock and key emoji
     --no-tty         Ask question via agent even on TTY
     --accept-cached  Accept cached passwords
     --multiple       List multiple passwords if available
     --no-output      Do not print password to standard output
  -n                  Do not suffix password written to standard output with
                      newline

See the systemd-ask-password(1) man page for details.
`;

const SPECS: OptionSpec[] = [
  { long: 'help', short: 'h', argument: 'none' },
  { long: 'version', argument: 'none' },
  { long: 'icon', argument: 'required' },
  { long: 'id', argument: 'required' },
  { long: 'keyname', argument: 'required' },
  { long: 'credential', argument: 'required' },
  { long: 'timeout', argument: 'required' },
  { long: 'echo', short: 'e', argument: 'optional' },
  { long: 'emoji', argument: 'required' },
  { long: 'no-tty', argument: 'none' },
  { long: 'accept-cached', argument: 'none' },
  { long: 'multiple', argument: 'none' },
  { long: 'no-output', argument: 'none' },
  { long: 'no-newline', short: 'n', argument: 'none' },
];

interface Settings {
  message?: string;
  icon?: string;
  id?: string;
  credential?: string;
  timeoutUsec: number;
  echo: EchoMode;
  emoji: boolean;
  noTTY: boolean;
  acceptCached: boolean;
  multiple: boolean;
  output: boolean;
  newline: boolean;
}

/** systemd-ask-password's default --timeout (DEFAULT_TIMEOUT_USEC). */
const DEFAULT_TIMEOUT_USEC = 90 * USEC_PER_SEC;

class Refused extends Error {}

function parse(argv: readonly string[]): Settings | 'help' | 'version' {
  const { options, positional } = getopt(argv, SPECS);
  const s: Settings = {
    timeoutUsec: DEFAULT_TIMEOUT_USEC,
    echo: 'masked',
    emoji: emojiEnabled(process.env),
    noTTY: false,
    acceptCached: false,
    multiple: false,
    output: true,
    newline: true,
  };
  for (const { long, value } of options) {
    switch (long) {
      case 'help':
        return 'help';
      case 'version':
        return 'version';
      case 'icon':
        s.icon = value;
        break;
      case 'id':
        s.id = value;
        break;
      case 'keyname':
        break; // no keyring here (see the header): always ask
      case 'credential':
        s.credential = value;
        break;
      case 'timeout': {
        const t = parseTimespanRaw(value ?? '');
        if (!t.ok) throw new Refused(`Failed to parse --timeout= parameter: ${value}`);
        s.timeoutUsec = t.value;
        break;
      }
      case 'echo':
        if (value === undefined) s.echo = 'yes';
        else if (value === 'masked') s.echo = 'masked';
        else {
          const b = parseBoolean(value);
          if (!b.ok) throw new Refused(`Failed to parse boolean argument to --echo=: ${value}.`);
          s.echo = b.value ? 'yes' : 'no';
        }
        break;
      case 'emoji':
        if (value !== 'auto') {
          const b = parseBoolean(value ?? '');
          if (!b.ok) throw new Refused(`Failed to parse boolean argument to --emoji=: ${value}.`);
          s.emoji = b.value;
        }
        break;
      case 'no-tty':
        s.noTTY = true;
        break;
      case 'accept-cached':
        s.acceptCached = true;
        break;
      case 'multiple':
        s.multiple = true;
        break;
      case 'no-output':
        s.output = false;
        break;
      case 'no-newline':
        s.newline = false;
        break;
    }
  }
  if (positional.length > 0) s.message = positional.join(' ');
  return s;
}

/** A credential passed by the service manager ($CREDENTIALS_DIRECTORY), used instead of asking. */
function readCredential(name: string): string | undefined {
  const dir = process.env.CREDENTIALS_DIRECTORY;
  if (dir === undefined || name.includes('/')) return undefined;
  try {
    return readFileSync(join(dir, name), 'utf8').replace(/\n$/, '');
  } catch {
    return undefined;
  }
}

async function ask(s: Settings): Promise<string[]> {
  if (s.credential !== undefined) {
    const stored = readCredential(s.credential);
    if (stored !== undefined) return [stored];
  }
  if (!s.noTTY && process.stdin.isTTY === true) return [await askOnTerminal(s.message ?? 'Password:', s.echo, { emoji: s.emoji })];
  const question = publishQuestion({
    ...(s.message !== undefined ? { message: s.message } : {}),
    ...(s.icon !== undefined ? { icon: s.icon } : {}),
    ...(s.id !== undefined ? { id: s.id } : {}),
    timeoutUsec: s.timeoutUsec,
    echo: s.echo === 'yes',
    silent: s.echo === 'no',
    acceptCached: s.acceptCached,
  });
  // Interrupted, withdraw the question first, as systemd's asker does on SIGINT/SIGTERM.
  const interrupted = new Promise<never>((_, reject) => {
    const stop = (): void => reject(new NoPassword('Interrupted system call'));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  try {
    return await Promise.race([question.answer, interrupted]);
  } finally {
    question.withdraw();
  }
}

export async function main(argv: readonly string[]): Promise<number> {
  let settings: Settings | 'help' | 'version';
  try {
    settings = parse(argv);
  } catch (error) {
    if (error instanceof GetoptError) process.stderr.write(`${process.argv[1] ?? 'systemd-ask-password'}: ${error.message}\n`);
    else if (error instanceof Refused) process.stderr.write(`${error.message}\n`);
    else throw error;
    return 1;
  }
  if (settings === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  if (settings === 'version') {
    process.stdout.write('unitd systemd-ask-password (compatible with systemd 252)\n');
    return 0;
  }
  let passwords: string[];
  try {
    passwords = await ask(settings);
  } catch (error) {
    if (!(error instanceof NoPassword || error instanceof PromptCanceled)) throw error;
    process.stderr.write(`Failed to query password: ${error.message}\n`);
    return 1;
  }
  if (settings.output) {
    for (const password of settings.multiple ? passwords : passwords.slice(0, 1)) {
      process.stdout.write(settings.newline ? `${password}\n` : password);
    }
  }
  return 0;
}

export async function runCli(argv: readonly string[]): Promise<void> {
  let rc: number;
  try {
    rc = await main(argv);
  } catch (error) {
    restoreTerminals();
    process.stderr.write(`Failed to query password: ${(error as Error).message}\n`);
    rc = 1;
  }
  process.exitCode = rc;
  // A question answered leaves nothing to wait for; do not linger on stray handles.
  process.exit(rc);
}

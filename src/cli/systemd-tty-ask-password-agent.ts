// systemd-tty-ask-password-agent for unitd: answers the questions in /run/systemd/ask-password
// on a terminal, as systemd 252's agent does. --list shows them, --query (the default) asks
// each pending one once, --watch keeps answering new ones until stopped (what systemctl runs
// beside a start on a terminal), --console asks on /dev/console or a given device.
// From outside the container: `docker exec -it NAME systemd-tty-ask-password-agent`.

import { existsSync, mkdirSync, watch, type FSWatcher } from 'node:fs';
import { sendDatagram } from '../native/datagram.js';
import { ASK_PASSWORD_DIR, answerDatagram, pendingQuestions, type PendingQuestion } from '../ask-password/protocol.js';
import { askOnTerminal, PromptCanceled, restoreTerminals, type EchoMode } from '../ask-password/terminal-prompt.js';
import { getopt, GetoptError, type OptionSpec } from './getopt.js';

const HELP = `systemd-tty-ask-password-agent [OPTIONS...]

Process system password requests.

  -h --help              Show this help
     --version           Show package version
     --list              Show pending password requests
     --query             Process pending password requests
     --watch             Continuously process password requests
     --wall              Continuously forward password requests to wall
     --plymouth          Ask question with Plymouth instead of on TTY
     --console[=DEVICE]  Ask question on /dev/console (or DEVICE if specified)
                         instead of the current TTY

See the systemd-tty-ask-password-agent(1) man page for details.
`;

const SPECS: OptionSpec[] = [
  { long: 'help', short: 'h', argument: 'none' },
  { long: 'version', argument: 'none' },
  { long: 'list', argument: 'none' },
  { long: 'query', argument: 'none' },
  { long: 'watch', argument: 'none' },
  { long: 'wall', argument: 'none' },
  { long: 'plymouth', argument: 'none' },
  { long: 'console', argument: 'optional' },
];

type Action = 'list' | 'query' | 'watch';

interface Settings {
  action: Action;
  device?: string;
  dir: string;
}

/** How often a prompt checks that its question is still there. */
const WITHDRAWN_POLL_MS = 250;

function echoMode(q: PendingQuestion): EchoMode {
  if (q.echo) return 'yes';
  return q.silent ? 'no' : 'masked';
}

/** Asks one question and sends the answer (or "-" when the user cancels). */
async function answer(q: PendingQuestion, device: string | undefined): Promise<void> {
  const withdrawn = new AbortController();
  const poll = setInterval(() => existsSync(q.file) || withdrawn.abort(), WITHDRAWN_POLL_MS);
  let passwords: string[] | undefined;
  try {
    passwords = [await askOnTerminal(q.message ?? 'Password:', echoMode(q), { ...(device !== undefined ? { device } : {}), signal: withdrawn.signal })];
  } catch (error) {
    if (!(error instanceof PromptCanceled)) throw error;
    if (withdrawn.signal.aborted) return; // nobody to answer any more
    passwords = undefined;
  } finally {
    clearInterval(poll);
  }
  try {
    sendDatagram(q.socket, answerDatagram(passwords));
  } catch (error) {
    process.stderr.write(`Failed to send: ${(error as Error).message}\n`);
  }
}

/** Every pending question once, one after the other; `seen` skips questions already handled. */
async function answerPending(s: Settings, seen: Set<string>): Promise<void> {
  for (const q of pendingQuestions(s.dir)) {
    if (seen.has(q.file)) continue;
    seen.add(q.file);
    await answer(q, s.device);
  }
}

function watchQuestions(s: Settings): Promise<number> {
  mkdirSync(s.dir, { recursive: true, mode: 0o755 });
  const seen = new Set<string>();
  let running = Promise.resolve();
  let again = false;
  let busy = false;
  // Directory changes come in bursts (tmp file, rename, removal): one pass at a time, and
  // one more after it when something changed meanwhile.
  const scan = (): void => {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    running = answerPending(s, seen)
      .catch((error: Error) => void process.stderr.write(`${error.message}\n`))
      .finally(() => {
        busy = false;
        for (const file of seen) if (!existsSync(file)) seen.delete(file);
        if (again) {
          again = false;
          scan();
        }
      });
  };
  return new Promise((resolve) => {
    let watcher: FSWatcher | undefined;
    const stop = (): void => {
      watcher?.close();
      restoreTerminals();
      resolve(0);
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    watcher = watch(s.dir, () => scan());
    scan();
    void running;
  });
}

function parse(argv: readonly string[]): Settings | 'help' | 'version' | string {
  const { options, positional } = getopt(argv, SPECS);
  if (positional.length > 0) return `${HELP.split('\n')[0].split(' ')[0]} takes no arguments.`;
  const s: Settings = { action: 'query', dir: ASK_PASSWORD_DIR };
  for (const { long, value } of options) {
    if (long === 'help' || long === 'version') return long;
    if (long === 'list' || long === 'query' || long === 'watch') s.action = long;
    else if (long === 'console') s.device = value === undefined || value === '' ? '/dev/console' : value;
    else return `--${long} is not supported by unitd's agent (no ${long === 'wall' ? 'wall(1) broadcast' : 'Plymouth'} in a container); use --query or --watch on a terminal.`;
  }
  return s;
}

export async function main(argv: readonly string[]): Promise<number> {
  let settings: ReturnType<typeof parse>;
  try {
    settings = parse(argv);
  } catch (error) {
    if (!(error instanceof GetoptError)) throw error;
    process.stderr.write(`${process.argv[1] ?? 'systemd-tty-ask-password-agent'}: ${error.message}\n`);
    return 1;
  }
  if (settings === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  if (settings === 'version') {
    process.stdout.write('unitd systemd-tty-ask-password-agent (compatible with systemd 252)\n');
    return 0;
  }
  if (typeof settings === 'string') {
    process.stderr.write(`${settings}\n`);
    return 1;
  }
  if (settings.action === 'list') {
    for (const q of pendingQuestions(settings.dir)) process.stdout.write(`'${q.message ?? 'n/a'}' (PID ${q.pid})\n`);
    return 0;
  }
  if (settings.action === 'query') {
    await answerPending(settings, new Set());
    return 0;
  }
  return watchQuestions(settings);
}

export async function runCli(argv: readonly string[]): Promise<void> {
  let rc: number;
  try {
    rc = await main(argv);
  } catch (error) {
    restoreTerminals();
    process.stderr.write(`${(error as Error).message}\n`);
    rc = 1;
  }
  process.exit(rc);
}

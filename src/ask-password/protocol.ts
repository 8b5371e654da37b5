// systemd's password agent protocol (https://systemd.io/PASSWORD_AGENTS/), as 252 speaks it:
// whoever needs a password binds a datagram socket /run/systemd/ask-password/sck.<hex>,
// writes an "ask.XXXXXX" file describing the question ([Ask] PID=, Socket=, AcceptCached=,
// Echo=, NotAfter= (CLOCK_MONOTONIC µs, 0 = never), Silent=, then Message=, Icon=, Id=
// when given), and waits. An agent answers with one datagram from root: "+" and the
// password(s), NUL-separated, or "-" to cancel. The asker then removes both files.
// unitd's systemd-ask-password and systemd-tty-ask-password-agent speak it with systemd's
// own tools, either way round.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseBoolean } from '../units/values/boolean.js';

export const ASK_PASSWORD_DIR = '/run/systemd/ask-password';

export interface PasswordQuestion {
  pid: number;
  /** The asker's datagram socket, where the answer goes. */
  socket: string;
  acceptCached: boolean;
  echo: boolean;
  /** CLOCK_MONOTONIC microseconds after which nobody waits any more; 0n: no limit. */
  notAfter: bigint;
  silent: boolean;
  message?: string;
  icon?: string;
  id?: string;
}

/** Microseconds on CLOCK_MONOTONIC, the clock of NotAfter= (libuv's hrtime is CLOCK_MONOTONIC). */
export function monotonicUsec(): bigint {
  return process.hrtime.bigint() / 1000n;
}

const flag = (b: boolean): string => (b ? '1' : '0');

/** The ask file as systemd 252 writes it (the message is written as it is, not escaped). */
export function formatAskFile(q: PasswordQuestion): string {
  let text =
    '[Ask]\n' +
    `PID=${q.pid}\n` +
    `Socket=${q.socket}\n` +
    `AcceptCached=${flag(q.acceptCached)}\n` +
    `Echo=${flag(q.echo)}\n` +
    `NotAfter=${q.notAfter}\n` +
    `Silent=${flag(q.silent)}\n`;
  if (q.message !== undefined) text += `Message=${q.message}\n`;
  if (q.icon !== undefined) text += `Icon=${q.icon}\n`;
  if (q.id !== undefined) text += `Id=${q.id}\n`;
  return text;
}

/** Reads an ask file as the agent does: unknown keys and lines are skipped; no Socket= makes it invalid. */
export function parseAskFile(text: string): PasswordQuestion | undefined {
  const values = new Map<string, string>();
  let inAsk = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    if (line.startsWith('[')) {
      inAsk = line === '[Ask]';
      continue;
    }
    const eq = line.indexOf('=');
    if (!inAsk || eq < 0) continue;
    values.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  const socket = values.get('Socket');
  if (socket === undefined || !socket.startsWith('/')) return undefined;
  const bool = (key: string): boolean => {
    const v = values.get(key);
    const parsed = v === undefined ? undefined : parseBoolean(v);
    return parsed?.ok === true && parsed.value;
  };
  const integer = (key: string): bigint => {
    const v = values.get(key) ?? '0';
    return /^\d+$/.test(v) ? BigInt(v) : 0n;
  };
  return {
    pid: Number(integer('PID')),
    socket,
    acceptCached: bool('AcceptCached'),
    echo: bool('Echo'),
    notAfter: integer('NotAfter'),
    silent: bool('Silent'),
    ...(values.has('Message') ? { message: values.get('Message') } : {}),
    ...(values.has('Icon') ? { icon: values.get('Icon') } : {}),
    ...(values.has('Id') ? { id: values.get('Id') } : {}),
  };
}

export interface PendingQuestion extends PasswordQuestion {
  file: string;
}

function alive(pid: number): boolean {
  if (pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The questions still worth answering: not expired, and the asker still running. */
export function pendingQuestions(dir: string = ASK_PASSWORD_DIR, now: bigint = monotonicUsec()): PendingQuestion[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.startsWith('ask.')).sort();
  } catch {
    return [];
  }
  const questions: PendingQuestion[] = [];
  for (const name of names) {
    const file = join(dir, name);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue; // answered and removed meanwhile
    }
    const q = parseAskFile(text);
    if (q === undefined) continue;
    if (q.notAfter > 0n && now > q.notAfter) continue;
    if (!alive(q.pid)) continue;
    questions.push({ ...q, file });
  }
  return questions;
}

/** The datagram that answers: "+" and the passwords NUL-separated, or "-" to cancel. */
export function answerDatagram(passwords: readonly string[] | undefined): Buffer {
  if (passwords === undefined) return Buffer.from('-');
  return Buffer.concat([Buffer.from('+'), Buffer.from(passwords.join('\0'))]);
}

/** What the asker makes of a datagram: passwords, 'canceled', or undefined (not an answer). */
export function readAnswer(data: Buffer): string[] | 'canceled' | undefined {
  if (data.length === 0) return undefined;
  if (data[0] === 0x2d /* - */) return 'canceled';
  if (data[0] !== 0x2b /* + */) return undefined;
  if (data.length === 1) return [''];
  const words = data.subarray(1).toString().split('\0');
  if (words.length > 1 && words.at(-1) === '') words.pop(); // a trailing NUL ends the list
  return words;
}

// The asking side of the password agent protocol (protocol.ts): publish a question in
// /run/systemd/ask-password and wait for an agent's answer on our own datagram socket.

import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatagramSocket } from '../native/datagram.js';
import { ASK_PASSWORD_DIR, formatAskFile, monotonicUsec, readAnswer } from './protocol.js';

export interface AgentQuestion {
  message?: string;
  icon?: string;
  id?: string;
  /** Microseconds to wait; 0 or Infinity: no limit. */
  timeoutUsec: number;
  echo: boolean;
  acceptCached: boolean;
  silent: boolean;
  dir?: string;
}

/** Why no password came, in systemd's strerror() words. */
export class NoPassword extends Error {}

const MAX_TIMER_MS = 2 ** 31 - 1;
const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** mkostemp()'s six random characters. */
function tempSuffix(): string {
  return [...randomBytes(6)].map((b) => ALPHANUMERIC[b % ALPHANUMERIC.length]).join('');
}

/** A question published and waiting; `answer` settles once; `withdraw()` removes it (idempotent). */
export interface PublishedQuestion {
  answer: Promise<string[]>;
  withdraw(): void;
}

export function publishQuestion(q: AgentQuestion): PublishedQuestion {
  const dir = q.dir ?? ASK_PASSWORD_DIR;
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const socketPath = join(dir, `sck.${randomBytes(8).toString('hex')}`);
  let settle: { resolve: (p: string[]) => void; reject: (e: Error) => void } | undefined;
  const answer = new Promise<string[]>((resolve, reject) => (settle = { resolve, reject }));

  let timer: NodeJS.Timeout | undefined;
  let askFile: string | undefined;
  let socket: DatagramSocket | undefined;
  const withdraw = (): void => {
    if (timer) clearTimeout(timer);
    if (askFile) rmSync(askFile, { force: true });
    askFile = undefined;
    socket?.close();
    socket = undefined;
  };
  const end = (result: string[] | Error): void => {
    withdraw();
    if (result instanceof Error) settle?.reject(result);
    else settle?.resolve(result);
    settle = undefined;
  };

  // Only root's answers count, as systemd's asker ignores datagrams from other users.
  const previousUmask = process.umask(0o177); // the socket is root's alone (0600), as systemd makes it
  try {
    socket = DatagramSocket.bind(socketPath, (data, from) => {
      if (from.uid !== 0) return;
      const reply = readAnswer(data);
      if (reply === 'canceled') end(new NoPassword('Operation canceled'));
      else if (reply !== undefined) end(reply);
    });
  } finally {
    process.umask(previousUmask);
  }

  const limited = q.timeoutUsec > 0 && Number.isFinite(q.timeoutUsec);
  const notAfter = limited ? monotonicUsec() + BigInt(Math.round(q.timeoutUsec)) : 0n;
  const body = formatAskFile({
    pid: process.pid,
    socket: socketPath,
    acceptCached: q.acceptCached,
    echo: q.echo,
    notAfter,
    silent: q.silent,
    ...(q.message !== undefined ? { message: q.message } : {}),
    ...(q.icon !== undefined ? { icon: q.icon } : {}),
    ...(q.id !== undefined ? { id: q.id } : {}),
  });
  // Written under a temporary name and renamed, so an agent never reads half a question.
  const suffix = tempSuffix();
  const temp = join(dir, `tmp.${suffix}`);
  try {
    writeFileSync(temp, body, { mode: 0o644, flag: 'wx' });
    askFile = join(dir, `ask.${suffix}`);
    renameSync(temp, askFile);
  } catch (error) {
    rmSync(temp, { force: true });
    withdraw();
    throw error;
  }
  // Node timers reach about 24.8 days; a longer limit is, in practice, no limit.
  const ms = Math.max(1, Math.round(q.timeoutUsec / 1000));
  if (limited && ms <= MAX_TIMER_MS) timer = setTimeout(() => end(new NoPassword('Timer expired')), ms);
  return { answer, withdraw };
}

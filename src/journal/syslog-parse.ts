// Parsing what arrives on /dev/log and /run/systemd/journal/socket into journal fields.
//
// /dev/log carries BSD syslog as the local senders write it: glibc syslog(3) (and so python's
// syslog module) and util-linux logger send `<PRI>Mmm dd hh:mm:ss ident[pid]: msg`; some send
// `<PRI>ident: msg` or just `<PRI>msg` (python's SysLogHandler, NUL-terminated); `logger
// --rfc5424` sends `<PRI>1 TIMESTAMP HOST APP PROCID MSGID SD msg`. As journald does, the
// sender's timestamp and hostname are ignored in favour of the receive time.
//
// /run/systemd/journal/socket carries journald's native protocol (sd_journal_print(3)):
// `KEY=value\n`, or `KEY\n` + 64-bit LE length + bytes + `\n` for values with newlines.

export interface ParsedLogMessage {
  /** syslog level 0..7 (facility bits removed). */
  priority: number;
  identifier?: string;
  /** The pid the sender claims (SYSLOG_PID); the kernel's credentials pid is separate. */
  pid?: number;
  message: Buffer;
  /** _TRANSPORT=: syslog for /dev/log, journal for the native socket. */
  transport: 'syslog' | 'journal';
}

/** journald's default for a syslog message without <PRI>: LOG_USER|LOG_INFO. */
const DEFAULT_SYSLOG_PRIORITY = 6;
const BSD_TIMESTAMP = /^[A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2} /;

export function parseSyslogDatagram(data: Buffer): ParsedLogMessage {
  let end = data.length;
  while (end > 0 && (data[end - 1] === 0x0a || data[end - 1] === 0x00)) end--;
  let text = data.subarray(0, end);
  let priority = DEFAULT_SYSLOG_PRIORITY;
  const pri = /^<(\d{1,3})>/.exec(text.subarray(0, 5).toString('latin1'));
  if (pri) {
    priority = Number(pri[1]) & 7;
    text = text.subarray(pri[0].length);
  }
  if (text.length > 2 && text[0] === 0x31 && text[1] === 0x20) {
    const rfc5424 = parseRfc5424(text.subarray(2));
    if (rfc5424) return { priority, ...rfc5424, transport: 'syslog' };
  }
  if (BSD_TIMESTAMP.test(text.subarray(0, 16).toString('latin1'))) text = text.subarray(16);
  return { priority, ...splitIdentifier(text), transport: 'syslog' };
}

/**
 * journald's syslog_parse_identifier(): the first word is an identifier only when it ends in
 * ':'; `ident[pid]:` also carries a pid. One space after the colon is dropped.
 */
function splitIdentifier(text: Buffer): { identifier?: string; pid?: number; message: Buffer } {
  let wordEnd = 0;
  while (wordEnd < text.length && !isSpace(text[wordEnd])) wordEnd++;
  if (wordEnd === 0 || text[wordEnd - 1] !== 0x3a) return { message: text };
  const word = text.toString('utf8', 0, wordEnd - 1);
  let message = text.subarray(wordEnd);
  if (message.length > 0 && isSpace(message[0])) message = message.subarray(1);
  const withPid = /^(.*)\[(\d+)\]$/.exec(word);
  if (withPid) return { identifier: withPid[1] || undefined, pid: Number(withPid[2]), message };
  return { identifier: word || undefined, message };
}

/** `TIMESTAMP HOST APP PROCID MSGID SD [MSG]` after `<PRI>1 `; undefined if it does not fit. */
function parseRfc5424(text: Buffer): { identifier?: string; pid?: number; message: Buffer } | undefined {
  let at = 0;
  const fields: string[] = [];
  for (let i = 0; i < 5; i++) {
    const space = text.indexOf(0x20, at);
    if (space < 0) return undefined;
    fields.push(text.toString('utf8', at, space));
    at = space + 1;
  }
  at = skipStructuredData(text, at);
  if (at < 0) return undefined;
  let message = text.subarray(at);
  if (message.length > 0 && message[0] === 0x20) message = message.subarray(1);
  // RFC 5424 allows a UTF-8 BOM before the message.
  if (message[0] === 0xef && message[1] === 0xbb && message[2] === 0xbf) message = message.subarray(3);
  const [, , app, procid] = fields;
  return {
    identifier: app !== '-' ? app : undefined,
    pid: /^\d+$/.test(procid) ? Number(procid) : undefined,
    message,
  };
}

/** Offset after STRUCTURED-DATA (`-` or `[...]` groups with `\]` escapes), or -1. */
function skipStructuredData(text: Buffer, at: number): number {
  if (text[at] === 0x2d) return at + 1;
  while (text[at] === 0x5b) {
    at++;
    while (at < text.length && text[at] !== 0x5d) at += text[at] === 0x5c ? 2 : 1;
    if (at >= text.length) return -1;
    at++;
  }
  return at;
}

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;
}

/** The native protocol's fields this journal keeps; everything else is ignored. */
export function parseNativeDatagram(data: Buffer): ParsedLogMessage {
  const fields = new Map<string, Buffer>();
  let at = 0;
  while (at < data.length) {
    const newline = data.indexOf(0x0a, at);
    const lineEnd = newline < 0 ? data.length : newline;
    const equals = data.indexOf(0x3d, at);
    if (equals >= 0 && equals < lineEnd) {
      fields.set(data.toString('latin1', at, equals), data.subarray(equals + 1, lineEnd));
      at = lineEnd + 1;
      continue;
    }
    // Binary-safe form: the name alone on its line, then a 64-bit length and the value.
    const name = data.toString('latin1', at, lineEnd);
    if (newline < 0 || newline + 9 > data.length) break;
    const size = Number(data.readBigUInt64LE(newline + 1));
    const valueStart = newline + 9;
    if (valueStart + size > data.length) break;
    fields.set(name, data.subarray(valueStart, valueStart + size));
    at = valueStart + size + 1;
  }
  const priority = Number(fields.get('PRIORITY')?.toString('latin1'));
  const pid = Number(fields.get('SYSLOG_PID')?.toString('latin1'));
  return {
    priority: Number.isInteger(priority) && priority >= 0 && priority <= 7 ? priority : DEFAULT_SYSLOG_PRIORITY,
    identifier: fields.get('SYSLOG_IDENTIFIER')?.toString('utf8') || undefined,
    pid: Number.isInteger(pid) && pid > 0 ? pid : undefined,
    message: Buffer.from(fields.get('MESSAGE') ?? Buffer.alloc(0)),
    transport: 'journal',
  };
}

// A log line as `journalctl -o short` prints it, which is also the tail of
// `systemctl status`: "Nov 21 19:36:19 host sh[112]: hello". Kept here (not in
// journal/) because it is pure layout and systemctl must not load the journal.

import type { LogLine } from '../../control/api.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

export function formatShortTime(usec: number): string {
  const d = new Date(Math.floor(usec / 1000));
  return `${MONTHS[d.getMonth()]} ${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** systemd's ellipsize_mem(..., 90): keep the start and a bit of the end around "…". */
export function ellipsizeMiddle(s: string, width: number): string {
  if (s.length <= width) return s;
  if (width < 3) return s.slice(0, width);
  const head = Math.floor(((width - 1) * 90) / 100);
  const tail = width - head - 1;
  return s.slice(0, head) + '…' + (tail > 0 ? s.slice(s.length - tail) : '');
}

export function formatLogLine(line: LogLine, hostname: string, columns?: number): string {
  const ident = line.identifier !== '' ? line.identifier : 'unknown';
  const prefix = `${formatShortTime(line.timestamp)} ${hostname} ${ident}${line.pid > 0 ? `[${line.pid}]` : ''}: `;
  const message = columns !== undefined && columns - prefix.length >= 3 ? ellipsizeMiddle(line.message, columns - prefix.length) : line.message;
  return prefix + message;
}

// The shapes a line of unitd's console (what `docker logs` shows) may take: job status lines,
// a unit's own output and messages, `unitd[1]:` diagnostics, systemd's words. Never JSON.

export const SYSTEMD_STYLE: readonly RegExp[] = [
  /^\[  OK {2}\] /,
  /^\[FAILED\] /,
  /^\[DEPEND\] /,
  /^ {9}\S/,
  /^See 'systemctl status \S+' for details\.$/,
  /^unitd\[\d+\]: \S/,
  /^unitd: \S/,
  /^[\w@.\\-]+\.(service|target|socket|timer|path|mount|scope|slice): \S/,
  /^\/\S+:\d+: \S/,
  /^Exiting container\.$/,
];

/** The lines of `text` that are none of those shapes. */
export function oddConsoleLines(text: string): string[] {
  return text.split('\n').filter((l) => l !== '' && !SYSTEMD_STYLE.some((re) => re.test(l)));
}

/** JSON records or stack frames. */
export const JSON_OR_STACK = /"level":|"msg":|\n\s+at /;

// Plain-text tables as systemd's format-table prints them without a terminal:
// columns padded to their widest cell and separated by one space, the last
// column unpadded.

export function formatTable(header: string[] | undefined, rows: string[][]): string[] {
  const all = header ? [header, ...rows] : rows;
  if (all.length === 0) return [];
  const widths = all[0].map((_, i) => Math.max(...all.map((r) => [...(r[i] ?? '')].length)));
  return all.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell + ' '.repeat(widths[i] - [...cell].length)))
      .join(' ')
      .replace(/ +$/, ''),
  );
}

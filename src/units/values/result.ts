// Every value parser returns either the value or the message systemd would log,
// so the schema can prefix it with file:line and decide whether it is fatal.

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

export function ok<T>(value: T): ParseResult<T> {
  return { ok: true, value };
}

export function fail<T = never>(error: string): ParseResult<T> {
  return { ok: false, error };
}


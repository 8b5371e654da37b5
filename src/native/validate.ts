// Argument checks shared by the wrapper's functions. Each error names the field, so a bad
// unit setting reported by the manager points at the exact key that carried it.

export function expectObject(value: unknown, field: string): asserts value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TypeError(`${field} must be an object`);
}

export function expectString(value: unknown, field: string): asserts value is string {
  if (typeof value !== 'string') throw new TypeError(`${field} must be a string (got ${describe(value)})`);
  if (value.includes('\0')) throw new RangeError(`${field} must not contain NUL bytes`);
}

export function expectBoolean(value: unknown, field: string): asserts value is boolean {
  if (typeof value !== 'boolean') throw new TypeError(`${field} must be a boolean (got ${describe(value)})`);
}

export function expectFunction(value: unknown, field: string): asserts value is (...args: never[]) => unknown {
  if (typeof value !== 'function') throw new TypeError(`${field} must be a function (got ${describe(value)})`);
}

export function expectInteger(value: unknown, field: string, min: number, max: number): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new TypeError(`${field} must be an integer (got ${describe(value)})`);
  if (value < min || value > max) throw new RangeError(`${field} must be between ${min} and ${max} (got ${value})`);
}

export function expectArray(value: unknown, field: string): asserts value is unknown[] {
  if (!Array.isArray(value)) throw new TypeError(`${field} must be an array (got ${describe(value)})`);
}

export function expectOneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): asserts value is T {
  expectString(value, field);
  if (!(allowed as readonly string[]).includes(value)) {
    throw new RangeError(`${field} must be one of ${allowed.map((a) => `'${a}'`).join(', ')} (got '${value}')`);
  }
}

/** Unix socket addresses: absolute path or '@abstract', at most 107 bytes (sun_path). */
export function expectSocketPath(value: unknown, field: string): asserts value is string {
  expectString(value, field);
  if (value.length === 0) throw new RangeError(`${field} must not be empty`);
  if (!value.startsWith('/') && !value.startsWith('@')) throw new RangeError(`${field} must be an absolute path or an '@abstract' name (got '${value}')`);
  const bytes = Buffer.byteLength(value);
  if (bytes > 107) throw new RangeError(`${field} is ${bytes} bytes, longer than the 107 a unix socket path allows`);
}

export const MAX_FD = 0x7fffffff;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

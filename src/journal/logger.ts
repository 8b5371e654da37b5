// PID 1's logger: the few calls unitd makes of a pino logger (`log.warn({ err, unit }, 'text')`,
// `log.level = 'debug'`), writing the same JSON records pino writes to the same destination
// (DaemonLog, daemon-log.ts). pino itself costs an idle node 9 MiB of RSS just to load (its
// transports' worker threads, streams and their modules), as much as everything else PID 1 adds
// (README "Memory"). Tests may still hand the manager a pino logger: it fits this interface.

/** Numeric levels, as pino numbers them (daemon-log.ts maps them to syslog priorities). */
export const LOG_LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity } as const;
export type LogLevelName = keyof typeof LOG_LEVELS;

export interface LogFn {
  (msg: string): void;
  (obj: object, msg?: string): void;
}

export interface Logger {
  /** The threshold's name; an unknown name means `info`. */
  level: string;
  trace: LogFn;
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  fatal: LogFn;
}

/** Where records go: one JSON line per call (pino's destination interface). */
export interface LogDestination {
  write(line: string): void;
}

export interface LoggerOptions {
  level: string;
  /** Fields of every record after `time` (pino's `base`), e.g. `{ pid }`. */
  base?: Record<string, unknown>;
  name?: string;
}

interface SerializedError {
  type: string;
  message: string;
  stack: string;
  [key: string]: unknown;
}

const isErrorLike = (v: unknown): v is Error => typeof v === 'object' && v !== null && typeof (v as { message?: unknown }).message === 'string';

/** The error's chain of causes (ES2022 `cause`), without cycles. */
function causes(err: Error): Error[] {
  const chain: Error[] = [];
  const seen = new Set<Error>([err]);
  for (let c: unknown = err.cause; isErrorLike(c) && !seen.has(c); c = c.cause) {
    seen.add(c);
    chain.push(c);
  }
  return chain;
}

/** pino.stdSerializers.err: type, message and stack with their causes', the error's own fields. */
export function serializeError(err: unknown, depth = 0): unknown {
  if (!isErrorLike(err)) return err;
  const chain = causes(err);
  const out: SerializedError = {
    type: typeof err.constructor === 'function' ? err.constructor.name : err.name,
    message: [err.message, ...chain.map((c) => c.message)].join(': '),
    stack: [err.stack ?? '', ...chain.map((c) => c.stack ?? '')].join('\ncaused by: '),
  };
  for (const [key, value] of Object.entries(err)) {
    if (out[key] !== undefined || key === 'cause') continue;
    out[key] = isErrorLike(value) ? (depth < 4 ? serializeError(value, depth + 1) : value.message) : value;
  }
  return out;
}

/** JSON.stringify that survives cycles and BigInts (a record must never throw). */
function stringify(record: Record<string, unknown>): string {
  try {
    return JSON.stringify(record);
  } catch {
    const seen = new WeakSet<object>();
    return JSON.stringify(record, (_key, value: unknown) => {
      if (typeof value === 'bigint') return value.toString();
      if (typeof value === 'object' && value !== null) {
        if (seen.has(value)) return '[Circular]';
        seen.add(value);
      }
      return value;
    });
  }
}

const levelOf = (name: string): number => (Object.prototype.hasOwnProperty.call(LOG_LEVELS, name) ? LOG_LEVELS[name as LogLevelName] : LOG_LEVELS.info);

export function createLogger(options: LoggerOptions, destination: LogDestination): Logger {
  let levelName = Object.prototype.hasOwnProperty.call(LOG_LEVELS, options.level) ? options.level : 'info';
  let threshold = levelOf(levelName);
  const head = stringify({ ...(options.base ?? {}), ...(options.name === undefined ? {} : { name: options.name }) }).slice(1, -1);

  const method = (level: number): LogFn =>
    function log(first: string | object, msg?: string): void {
      if (level < threshold) return;
      let fields: Record<string, unknown> = {};
      let text = msg;
      if (typeof first === 'string') text = first;
      else if (first instanceof Error) {
        fields = { err: serializeError(first) };
        text ??= first.message;
      } else {
        fields = { ...(first as Record<string, unknown>) };
        if (fields.err !== undefined) fields.err = serializeError(fields.err);
        if (fields.cause !== undefined) fields.cause = serializeError(fields.cause);
      }
      const body = stringify({ ...fields, ...(text === undefined ? {} : { msg: text }) }).slice(1, -1);
      const prefix = `{"level":${level},"time":${Date.now()}${head ? ',' + head : ''}`;
      destination.write(`${prefix}${body ? ',' + body : ''}}\n`);
    };

  return {
    get level() {
      return levelName;
    },
    set level(name: string) {
      levelName = Object.prototype.hasOwnProperty.call(LOG_LEVELS, name) ? name : 'info';
      threshold = levelOf(levelName);
    },
    trace: method(LOG_LEVELS.trace),
    debug: method(LOG_LEVELS.debug),
    info: method(LOG_LEVELS.info),
    warn: method(LOG_LEVELS.warn),
    error: method(LOG_LEVELS.error),
    fatal: method(LOG_LEVELS.fatal),
  };
}

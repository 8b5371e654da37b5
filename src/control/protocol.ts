// The control protocol between systemctl and the daemon: newline-delimited
// JSON frames over a unix stream socket. One request frame
//   {"v":1,"id":7,"method":"unitProperties","params":{"units":["web.service"]}}
// gets one reply frame with the same id
//   {"v":1,"id":7,"ok":true,"result":[...]}  or
//   {"v":1,"id":7,"ok":false,"error":{"busError":"...","message":"..."}}
// Replies may come out of order (a waiting start job does not hold up a
// status query on the same connection), so the id is what pairs them.
//
// Every method is a ManagerApi method; its params are validated here, on the
// daemon side, before the manager ever sees them. This module is imported by
// the client too, so it must stay free of anything heavy.

import {
  JOB_MODES,
  JOB_TYPES,
  KILL_WHOM,
  type JobMode,
  type JobRequest,
  type JobType,
  type KillWhom,
  type ManagerApi,
  type UnitListEntry,
} from './api.js';
import { CONTROL_LIMITS } from './limits.js';

export const PROTOCOL_VERSION = 1;

/** Largest frame either side accepts; a bigger one is an error and ends the connection. */
export const MAX_FRAME_BYTES = CONTROL_LIMITS.maxFrameBytes;

export const SHUTDOWN_KINDS = ['poweroff', 'halt', 'reboot', 'exit'] as const;
export type ShutdownKind = (typeof SHUTDOWN_KINDS)[number];

/** Params of each method, as named objects so a validation error can name the field. */
export interface MethodParams {
  enqueueJob: JobRequest;
  killUnit: { unit: string; whom: KillWhom; signal: number };
  resetFailed: { unit?: string };
  unitProperties: { units: string[] };
  managerProperties: Record<string, never>;
  /** unitPath: the client's $SYSTEMD_UNIT_PATH, so the states come from the search path the client itself would read. */
  unitFileStates: { units: string[]; unitPath?: string };
  /** rows: answer in UnitListRow form (clients that know it ask; older daemons ignore it). */
  listUnits: { all: boolean; rows?: boolean };
  listJobs: Record<string, never>;
  cancelJobs: { ids: number[] };
  unitProcesses: { unit: string };
  unitLog: { unit: string; lines: number };
  daemonReload: Record<string, never>;
  daemonReexec: Record<string, never>;
  shutdown: { kind: ShutdownKind; exitCode?: number };
  systemState: Record<string, never>;
  environment: Record<string, never>;
  setEnvironment: { assignments: string[]; unset: string[] };
  freezeUnit: { unit: string; action: 'freeze' | 'thaw' };
  cleanUnit: { unit: string; what: string[] };
}

export type MethodName = keyof MethodParams & keyof ManagerApi;
export type MethodResult<M extends MethodName> = Awaited<ReturnType<ManagerApi[M]>>;

/** All methods, in one list used to recognise a method name and to build tables. */
export const METHODS = [
  'enqueueJob',
  'killUnit',
  'resetFailed',
  'unitProperties',
  'managerProperties',
  'unitFileStates',
  'listUnits',
  'listJobs',
  'cancelJobs',
  'unitProcesses',
  'unitLog',
  'daemonReload',
  'daemonReexec',
  'shutdown',
  'systemState',
  'environment',
  'setEnvironment',
  'freezeUnit',
  'cleanUnit',
] as const satisfies readonly MethodName[];

/** Methods that change the manager's state; only root may call them (reads are open, like systemd's bus policy). */
export const MUTATING_METHODS: ReadonlySet<MethodName> = new Set<MethodName>([
  'enqueueJob',
  'killUnit',
  'resetFailed',
  'cancelJobs',
  'daemonReload',
  'daemonReexec',
  'shutdown',
  'setEnvironment',
  'freezeUnit',
  'cleanUnit',
]);

export function isMethodName(s: string): s is MethodName {
  return (METHODS as readonly string[]).includes(s);
}

export interface RequestFrame<M extends MethodName = MethodName> {
  v: typeof PROTOCOL_VERSION;
  id: number;
  method: M;
  params: MethodParams[M];
}

export interface WireError {
  /** systemd's D-Bus error name, e.g. org.freedesktop.systemd1.NoSuchUnit, so the client can word it like systemctl. */
  busError: string;
  message: string;
}

export type ResponseFrame =
  | { v: typeof PROTOCOL_VERSION; id: number | null; ok: true; result: unknown }
  | { v: typeof PROTOCOL_VERSION; id: number | null; ok: false; error: WireError };

/**
 * One part of a reply too large for a frame: `part` is a piece of the
 * result's JSON text; the client joins the pieces of an id until `more` is
 * false and parses the whole. No verb is limited by the frame size.
 */
export interface ReplyPartFrame {
  v: typeof PROTOCOL_VERSION;
  id: number;
  ok: true;
  part: string;
  more: boolean;
}

/** Error names used for protocol-level failures (the manager's own errors carry systemd's names). */
export const PROTOCOL_ERRORS = {
  invalidArgs: 'org.freedesktop.DBus.Error.InvalidArgs',
  unknownMethod: 'org.freedesktop.DBus.Error.UnknownMethod',
  notSupported: 'org.freedesktop.DBus.Error.NotSupported',
  limitsExceeded: 'org.freedesktop.DBus.Error.LimitsExceeded',
  accessDenied: 'org.freedesktop.DBus.Error.AccessDenied',
  failed: 'org.freedesktop.DBus.Error.Failed',
  noReply: 'org.freedesktop.DBus.Error.NoReply',
} as const;

/**
 * Encode one frame: JSON never contains a raw newline, so the newline ends the
 * frame. JSON has no Infinity, and systemd spans use it (`RuntimeMaxUSec=infinity`),
 * so it travels as the string systemctl prints for it.
 */
export function encodeFrame(frame: RequestFrame | ResponseFrame | ReplyPartFrame): string {
  return JSON.stringify(frame, infinityAsText) + '\n';
}

function infinityAsText(_key: string, value: unknown): unknown {
  return value === Number.POSITIVE_INFINITY ? 'infinity' : value;
}

/**
 * Encode a reply as the frames that carry it: one frame when it fits, else
 * reply parts (ReplyPartFrame) of at most CONTROL_LIMITS.replyPartChars
 * characters of the result's JSON each.
 */
export function encodeReply(frame: ResponseFrame): string[] {
  const whole = encodeFrame(frame);
  if (Buffer.byteLength(whole) <= MAX_FRAME_BYTES || !frame.ok || frame.id === null) return [whole];
  const json = JSON.stringify(frame.result ?? null, infinityAsText);
  const frames: string[] = [];
  for (let at = 0; at < json.length; at += CONTROL_LIMITS.replyPartChars) {
    const part = json.slice(at, at + CONTROL_LIMITS.replyPartChars);
    frames.push(encodeFrame({ v: PROTOCOL_VERSION, id: frame.id, ok: true, part, more: at + CONTROL_LIMITS.replyPartChars < json.length }));
  }
  return frames;
}

/**
 * Whether a JSON text nests deeper than `max` arrays/objects. Checked before
 * JSON.parse, because what handles the parsed value afterwards (JSON.stringify
 * of an error's field, a logger) recurses and would overflow the stack.
 */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

// ---- validation ---------------------------------------------------------

/** Why a message was rejected; `fatal` ones also end the connection. */
export class ProtocolError extends Error {
  constructor(
    readonly busError: string,
    message: string,
    readonly id: number | null = null,
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}

type Json = Record<string, unknown>;

function isObject(x: unknown): x is Json {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function bad(field: string, expected: string): never {
  throw new ProtocolError(PROTOCOL_ERRORS.invalidArgs, `Invalid params: "${field}" must be ${expected}.`);
}

function str(p: Json, field: string): string {
  const v = p[field];
  if (typeof v !== 'string' || v === '') bad(field, 'a non-empty string');
  return v;
}

function optStr(p: Json, field: string): string | undefined {
  return p[field] === undefined ? undefined : str(p, field);
}

function int(p: Json, field: string, min: number, max: number): number {
  const v = p[field];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) bad(field, `an integer from ${min} to ${max}`);
  return v;
}

function bool(p: Json, field: string): boolean {
  const v = p[field];
  if (typeof v !== 'boolean') bad(field, 'true or false');
  return v;
}

function strList(p: Json, field: string, max = Number.MAX_SAFE_INTEGER): string[] {
  const v = p[field];
  if (!Array.isArray(v) || !v.every((s): s is string => typeof s === 'string')) bad(field, 'a list of strings');
  if (v.length > max) {
    throw new ProtocolError(PROTOCOL_ERRORS.limitsExceeded, `Invalid params: "${field}" lists ${v.length} names, at most ${max} are allowed per request.`);
  }
  return v;
}

function oneOf<T extends string>(p: Json, field: string, values: readonly T[]): T {
  const v = p[field];
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) bad(field, `one of ${values.join(', ')}`);
  return v as T;
}

const none = (): Record<string, never> => ({});

/** One validator per method: takes untrusted params, returns typed ones or throws a ProtocolError naming the field. */
export const PARAM_VALIDATORS: { [M in MethodName]: (p: Json) => MethodParams[M] } = {
  enqueueJob: (p) => ({
    unit: str(p, 'unit'),
    type: oneOf<JobType>(p, 'type', JOB_TYPES),
    mode: oneOf<JobMode>(p, 'mode', JOB_MODES),
    wait: bool(p, 'wait'),
  }),
  killUnit: (p) => ({ unit: str(p, 'unit'), whom: oneOf<KillWhom>(p, 'whom', KILL_WHOM), signal: int(p, 'signal', 1, 64) }),
  resetFailed: (p) => {
    const unit = optStr(p, 'unit');
    return unit === undefined ? {} : { unit };
  },
  unitProperties: (p) => ({ units: strList(p, 'units', CONTROL_LIMITS.maxNamesPerRequest) }),
  managerProperties: none,
  unitFileStates: (p) => {
    const units = strList(p, 'units', CONTROL_LIMITS.maxNamesPerRequest);
    const unitPath = optStr(p, 'unitPath');
    return unitPath === undefined ? { units } : { units, unitPath };
  },
  listUnits: (p) => (p.rows === undefined ? { all: bool(p, 'all') } : { all: bool(p, 'all'), rows: bool(p, 'rows') }),
  listJobs: none,
  cancelJobs: (p) => {
    const ids = p.ids;
    if (!Array.isArray(ids) || !ids.every((n): n is number => Number.isInteger(n) && n > 0)) {
      bad('ids', 'a list of positive integers');
    }
    return { ids };
  },
  unitProcesses: (p) => ({ unit: str(p, 'unit') }),
  unitLog: (p) => ({ unit: str(p, 'unit'), lines: int(p, 'lines', 0, 1_000_000) }),
  daemonReload: none,
  daemonReexec: none,
  shutdown: (p) => {
    const kind = oneOf<ShutdownKind>(p, 'kind', SHUTDOWN_KINDS);
    return p.exitCode === undefined ? { kind } : { kind, exitCode: int(p, 'exitCode', 0, 255) };
  },
  systemState: none,
  environment: none,
  setEnvironment: (p) => ({ assignments: strList(p, 'assignments'), unset: strList(p, 'unset') }),
  freezeUnit: (p) => ({ unit: str(p, 'unit'), action: oneOf<'freeze' | 'thaw'>(p, 'action', ['freeze', 'thaw']) }),
  cleanUnit: (p) => ({ unit: str(p, 'unit'), what: strList(p, 'what') }),
};

/**
 * Parse one request line from a client. Throws ProtocolError (with the id when
 * it could be read, so the client can pair the reply) for anything malformed.
 */
export function parseRequest(line: string): RequestFrame {
  if (nestsDeeperThan(line, CONTROL_LIMITS.maxRequestDepth)) {
    throw new ProtocolError(PROTOCOL_ERRORS.limitsExceeded, `Malformed message: nested deeper than ${CONTROL_LIMITS.maxRequestDepth} levels.`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch (e) {
    throw new ProtocolError(PROTOCOL_ERRORS.invalidArgs, `Malformed message: ${(e as Error).message}`);
  }
  if (!isObject(raw)) throw new ProtocolError(PROTOCOL_ERRORS.invalidArgs, 'Malformed message: not a JSON object.');
  const id = typeof raw.id === 'number' && Number.isInteger(raw.id) ? raw.id : null;
  if (raw.v !== PROTOCOL_VERSION) {
    throw new ProtocolError(
      PROTOCOL_ERRORS.notSupported,
      `Unsupported protocol version ${describeVersion(raw.v)}, this daemon speaks version ${PROTOCOL_VERSION}.`,
      id,
    );
  }
  if (id === null) throw new ProtocolError(PROTOCOL_ERRORS.invalidArgs, 'Malformed message: "id" must be an integer.');
  const method = raw.method;
  if (typeof method !== 'string') {
    throw new ProtocolError(PROTOCOL_ERRORS.invalidArgs, 'Malformed message: "method" must be a string.', id);
  }
  if (!isMethodName(method)) throw new ProtocolError(PROTOCOL_ERRORS.unknownMethod, `Unknown method "${method}".`, id);
  const params = raw.params ?? {};
  if (!isObject(params)) throw new ProtocolError(PROTOCOL_ERRORS.invalidArgs, 'Invalid params: "params" must be an object.', id);
  try {
    return { v: PROTOCOL_VERSION, id, method, params: PARAM_VALIDATORS[method](params) };
  } catch (e) {
    if (e instanceof ProtocolError) throw new ProtocolError(e.busError, e.message, id);
    throw e;
  }
}

/** A client's version field in an error message: short, whatever it sent. */
function describeVersion(v: unknown): string {
  if (v === undefined || v === null) return 'null';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return JSON.stringify(v.slice(0, 32));
  return Array.isArray(v) ? 'array' : 'object';
}

/** Parse one reply line on the client side; undefined when it is not a reply frame. */
export function parseResponse(line: string): ResponseFrame | ReplyPartFrame | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isObject(raw) || raw.v !== PROTOCOL_VERSION || typeof raw.ok !== 'boolean') return undefined;
  const id = typeof raw.id === 'number' ? raw.id : null;
  if (raw.ok && typeof raw.part === 'string' && typeof raw.more === 'boolean' && id !== null) {
    return { v: PROTOCOL_VERSION, id, ok: true, part: raw.part, more: raw.more };
  }
  if (raw.ok) return { v: PROTOCOL_VERSION, id, ok: true, result: raw.result };
  const err = raw.error;
  if (!isObject(err) || typeof err.busError !== 'string' || typeof err.message !== 'string') return undefined;
  return { v: PROTOCOL_VERSION, id, ok: false, error: { busError: err.busError, message: err.message } };
}

/**
 * Splits a byte stream into lines, refusing any line longer than the frame
 * limit before it is buffered whole (a client cannot make the daemon hold
 * more than MAX_FRAME_BYTES for it).
 */
export class FrameReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly limit = MAX_FRAME_BYTES) {}

  /** Returns complete lines; throws ProtocolError when a frame exceeds the limit. */
  push(chunk: Buffer): string[] {
    const lines: string[] = [];
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl < 0) break;
      const piece = chunk.subarray(start, nl);
      this.checkSize(this.pendingBytes + piece.length);
      this.pending.push(piece);
      lines.push(Buffer.concat(this.pending).toString('utf8'));
      this.pending = [];
      this.pendingBytes = 0;
      start = nl + 1;
    }
    const rest = chunk.subarray(start);
    if (rest.length > 0) {
      this.checkSize(this.pendingBytes + rest.length);
      this.pending.push(Buffer.from(rest));
      this.pendingBytes += rest.length;
    }
    return lines;
  }

  private checkSize(n: number): void {
    if (n > this.limit) {
      throw new ProtocolError(PROTOCOL_ERRORS.limitsExceeded, `Message too large: frames are limited to ${this.limit} bytes.`);
    }
  }
}

/**
 * A list-units entry on the wire when the client asks for rows: [id, description, loadState,
 * activeState, subState] and, with a job, [..., jobId, jobType]. Positions instead of keys: with
 * a thousand units the keys were half the reply, parsed by every `systemctl list-units`.
 */
export type UnitListRow = [string, string, string, string, string] | [string, string, string, string, string, number, JobType];

export function toUnitListRows(units: readonly UnitListEntry[]): UnitListRow[] {
  return units.map((u) =>
    u.jobId !== undefined && u.jobType !== undefined
      ? [u.id, u.description, u.loadState, u.activeState, u.subState, u.jobId, u.jobType]
      : [u.id, u.description, u.loadState, u.activeState, u.subState],
  );
}

/** The entries back from rows (objects, as an older daemon sends them, pass through); undefined when it is no list. */
export function fromUnitListRows(answer: unknown): UnitListEntry[] | undefined {
  if (!Array.isArray(answer)) return undefined;
  return answer.map((row: unknown): UnitListEntry => {
    if (!Array.isArray(row)) return row as UnitListEntry;
    const [id, description, loadState, activeState, subState, jobId, jobType] = row as [string, string, string, string, string, number?, JobType?];
    return jobId !== undefined && jobType !== undefined ? { id, description, loadState, activeState, subState, jobId, jobType } : { id, description, loadState, activeState, subState };
  });
}

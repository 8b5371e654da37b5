// The D-Bus wire format (D-Bus specification, "Message Protocol"), the part PID 1 needs to watch
// bus names: messages whose bodies hold basic types, arrays, structs, dicts and variants.
// Written little-endian; read in either byte order.

export const MESSAGE_TYPE = { methodCall: 1, methodReturn: 2, error: 3, signal: 4 } as const;
/** The header flag asking for no reply (AddMatch's answer is not needed). */
export const FLAG_NO_REPLY_EXPECTED = 0x1;

const FIELD = { path: 1, interface: 2, member: 3, errorName: 4, replySerial: 5, destination: 6, sender: 7, signature: 8 } as const;
/** A message larger than this is a protocol error (the specification's limit is 128 MiB). */
export const MAX_MESSAGE = 128 * 1024 * 1024;

export type DBusValue = string | number | bigint | boolean | DBusValue[] | { signature: string; value: DBusValue };

export interface Message {
  type: number;
  flags: number;
  serial: number;
  path?: string;
  interface?: string;
  member?: string;
  errorName?: string;
  replySerial?: number;
  destination?: string;
  sender?: string;
  signature: string;
  body: DBusValue[];
}

const ALIGNMENT: Record<string, number> = { y: 1, b: 4, n: 2, q: 2, i: 4, u: 4, x: 8, t: 8, d: 8, h: 4, s: 4, o: 4, g: 1, v: 1, a: 4, '(': 8, '{': 8 };

/** The end (exclusive) of the single complete type starting at `start` of `sig`. */
function completeTypeEnd(sig: string, start: number): number {
  const c = sig[start];
  if (c === undefined) throw new Error('D-Bus signature ends early');
  if (c === 'a') return completeTypeEnd(sig, start + 1);
  if (c === '(' || c === '{') {
    const close = c === '(' ? ')' : '}';
    let i = start + 1;
    while (sig[i] !== close) {
      if (i >= sig.length) throw new Error(`unbalanced D-Bus signature: ${sig}`);
      i = completeTypeEnd(sig, i);
    }
    return i + 1;
  }
  if (!(c in ALIGNMENT)) throw new Error(`unknown D-Bus type code '${c}'`);
  return start + 1;
}

/** The complete types of a signature: 'sus' → ['s', 'u', 's']. */
export function splitSignature(sig: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < sig.length; ) {
    const end = completeTypeEnd(sig, i);
    out.push(sig.slice(i, end));
    i = end;
  }
  return out;
}

class Writer {
  private buf = Buffer.alloc(256);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  align(n: number): void {
    const pad = (n - (this.length % n)) % n;
    this.reserve(pad);
    this.buf.fill(0, this.length, this.length + pad);
    this.length += pad;
  }

  byte(v: number): void {
    this.reserve(1);
    this.buf.writeUInt8(v, this.length++);
  }

  u32(v: number): void {
    this.align(4);
    this.reserve(4);
    this.buf.writeUInt32LE(v, this.length);
    this.length += 4;
  }

  setU32(at: number, v: number): void {
    this.buf.writeUInt32LE(v, at);
  }

  raw(b: Buffer): void {
    this.reserve(b.length);
    b.copy(this.buf, this.length);
    this.length += b.length;
  }

  value(type: string, v: DBusValue): void {
    switch (type[0]) {
      case 'y':
        this.byte(Number(v));
        return;
      case 'b':
        this.u32(v ? 1 : 0);
        return;
      case 'u':
      case 'h':
        this.u32(Number(v));
        return;
      case 'i':
        this.align(4);
        this.reserve(4);
        this.buf.writeInt32LE(Number(v), this.length);
        this.length += 4;
        return;
      case 's':
      case 'o': {
        const b = Buffer.from(String(v), 'utf8');
        this.u32(b.length);
        this.raw(b);
        this.byte(0);
        return;
      }
      case 'g': {
        const b = Buffer.from(String(v), 'utf8');
        this.byte(b.length);
        this.raw(b);
        this.byte(0);
        return;
      }
      case 'v': {
        const variant = v as { signature: string; value: DBusValue };
        this.value('g', variant.signature);
        this.value(variant.signature, variant.value);
        return;
      }
      case 'a': {
        const element = type.slice(1);
        this.u32(0);
        const lengthAt = this.length - 4;
        this.align(ALIGNMENT[element[0]]);
        const start = this.length;
        for (const item of v as DBusValue[]) this.value(element, item);
        this.setU32(lengthAt, this.length - start);
        return;
      }
      case '(':
      case '{': {
        this.align(8);
        const fields = splitSignature(type.slice(1, -1));
        const items = v as DBusValue[];
        fields.forEach((f, i) => this.value(f, items[i]));
        return;
      }
      default:
        throw new Error(`cannot write D-Bus type '${type}'`);
    }
  }

  done(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}

/** One message, little-endian, ready to send. */
export function encodeMessage(m: Omit<Message, 'sender'>): Buffer {
  const body = new Writer();
  const types = splitSignature(m.signature);
  if (types.length !== m.body.length) throw new Error(`D-Bus body has ${m.body.length} values for signature '${m.signature}'`);
  types.forEach((t, i) => body.value(t, m.body[i]));
  const bodyBytes = body.done();

  const fields: DBusValue[] = [];
  const field = (code: number, signature: string, value: string | number | undefined) => {
    if (value !== undefined) fields.push([code, { signature, value }]);
  };
  field(FIELD.path, 'o', m.path);
  field(FIELD.interface, 's', m.interface);
  field(FIELD.member, 's', m.member);
  field(FIELD.errorName, 's', m.errorName);
  field(FIELD.replySerial, 'u', m.replySerial);
  field(FIELD.destination, 's', m.destination);
  if (m.signature !== '') field(FIELD.signature, 'g', m.signature);

  const header = new Writer();
  header.byte('l'.charCodeAt(0));
  header.byte(m.type);
  header.byte(m.flags);
  header.byte(1);
  header.u32(bodyBytes.length);
  header.u32(m.serial);
  header.value('a(yv)', fields);
  header.align(8);
  return Buffer.concat([header.done(), bodyBytes]);
}

class Reader {
  constructor(
    private readonly buf: Buffer,
    private pos: number,
    private readonly little: boolean,
    /** Offsets are aligned relative to the start of the message. */
    private readonly base: number,
  ) {}

  get offset(): number {
    return this.pos;
  }

  align(n: number): void {
    const rel = this.pos - this.base;
    this.pos += (n - (rel % n)) % n;
  }

  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new Error('D-Bus message is truncated');
  }

  u32(): number {
    this.align(4);
    this.need(4);
    const v = this.little ? this.buf.readUInt32LE(this.pos) : this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  value(type: string, depth = 0): DBusValue {
    if (depth > 64) throw new Error('D-Bus value nested too deeply');
    switch (type[0]) {
      case 'y':
        this.need(1);
        return this.buf.readUInt8(this.pos++);
      case 'b':
        return this.u32() !== 0;
      case 'u':
      case 'h':
        return this.u32();
      case 'i': {
        const v = this.u32();
        return v | 0;
      }
      case 'n':
      case 'q': {
        this.align(2);
        this.need(2);
        const v = this.little ? this.buf.readUInt16LE(this.pos) : this.buf.readUInt16BE(this.pos);
        this.pos += 2;
        return type[0] === 'n' ? (v << 16) >> 16 : v;
      }
      case 'x':
      case 't':
      case 'd': {
        this.align(8);
        this.need(8);
        const at = this.pos;
        this.pos += 8;
        if (type[0] === 'd') return this.little ? this.buf.readDoubleLE(at) : this.buf.readDoubleBE(at);
        if (type[0] === 'x') return this.little ? this.buf.readBigInt64LE(at) : this.buf.readBigInt64BE(at);
        return this.little ? this.buf.readBigUInt64LE(at) : this.buf.readBigUInt64BE(at);
      }
      case 's':
      case 'o': {
        const n = this.u32();
        this.need(n + 1);
        const s = this.buf.toString('utf8', this.pos, this.pos + n);
        this.pos += n + 1;
        return s;
      }
      case 'g': {
        this.need(1);
        const n = this.buf.readUInt8(this.pos++);
        this.need(n + 1);
        const s = this.buf.toString('utf8', this.pos, this.pos + n);
        this.pos += n + 1;
        return s;
      }
      case 'v': {
        const signature = this.value('g') as string;
        splitSignature(signature); // validates
        return { signature, value: this.value(signature, depth + 1) };
      }
      case 'a': {
        const n = this.u32();
        const element = type.slice(1);
        this.align(ALIGNMENT[element[0]]);
        const end = this.pos + n;
        if (end > this.buf.length) throw new Error('D-Bus array is truncated');
        const out: DBusValue[] = [];
        while (this.pos < end) out.push(this.value(element, depth + 1));
        return out;
      }
      case '(':
      case '{':
        this.align(8);
        return splitSignature(type.slice(1, -1)).map((f) => this.value(f, depth + 1));
      default:
        throw new Error(`cannot read D-Bus type '${type}'`);
    }
  }
}

/** Bytes the message at the start of `buf` takes, or undefined until its fixed header is in. */
export function messageLength(buf: Buffer): number | undefined {
  if (buf.length < 16) return undefined;
  const little = buf[0] === 0x6c;
  if (!little && buf[0] !== 0x42) throw new Error('D-Bus message has an unknown byte order');
  const bodyLength = little ? buf.readUInt32LE(4) : buf.readUInt32BE(4);
  const fieldsLength = little ? buf.readUInt32LE(12) : buf.readUInt32BE(12);
  const headerEnd = 16 + fieldsLength;
  const total = headerEnd + ((8 - (headerEnd % 8)) % 8) + bodyLength;
  if (total > MAX_MESSAGE) throw new Error(`D-Bus message of ${total} bytes is too large`);
  return total;
}

/** One complete message (messageLength() bytes). */
export function decodeMessage(buf: Buffer): Message {
  const little = buf[0] === 0x6c;
  const header = new Reader(buf, 4, little, 0);
  header.u32(); // body length, known from messageLength()
  const serial = header.u32();
  const fields = header.value('a(yv)') as [number, { signature: string; value: DBusValue }][];
  header.align(8);
  const m: Message = { type: buf[1], flags: buf[2], serial, signature: '', body: [] };
  for (const [code, variant] of fields) {
    const v = variant.value;
    if (code === FIELD.path && typeof v === 'string') m.path = v;
    else if (code === FIELD.interface && typeof v === 'string') m.interface = v;
    else if (code === FIELD.member && typeof v === 'string') m.member = v;
    else if (code === FIELD.errorName && typeof v === 'string') m.errorName = v;
    else if (code === FIELD.replySerial && typeof v === 'number') m.replySerial = v;
    else if (code === FIELD.destination && typeof v === 'string') m.destination = v;
    else if (code === FIELD.sender && typeof v === 'string') m.sender = v;
    else if (code === FIELD.signature && typeof v === 'string') m.signature = v;
  }
  const body = new Reader(buf, header.offset, little, header.offset);
  m.body = splitSignature(m.signature).map((t) => body.value(t));
  return m;
}

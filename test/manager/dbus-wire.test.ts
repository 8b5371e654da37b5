// The D-Bus wire format subset PID 1 speaks (D-Bus specification, "Message Protocol"): messages
// it writes decode to the same values; big-endian messages from a peer read too; bad input is
// an error, never a hang or a wrong value.

import t from 'tap';
import { decodeMessage, encodeMessage, MESSAGE_TYPE, messageLength, splitSignature } from '../../src/manager/dbus/wire.js';

t.test('a method call round-trips with its header fields and body', async (t) => {
  const data = encodeMessage({
    type: MESSAGE_TYPE.methodCall,
    flags: 0,
    serial: 7,
    path: '/org/freedesktop/DBus',
    interface: 'org.freedesktop.DBus',
    member: 'RequestName',
    destination: 'org.freedesktop.DBus',
    signature: 'suas(yv)',
    body: ['org.example.Name', 4, ['a', 'bc'], [2, { signature: 's', value: 'x' }]],
  });
  t.equal(messageLength(data), data.length, 'the length the header announces is the length written');
  const m = decodeMessage(data);
  t.match(m, { type: 1, serial: 7, path: '/org/freedesktop/DBus', member: 'RequestName', destination: 'org.freedesktop.DBus', signature: 'suas(yv)' });
  t.same(m.body, ['org.example.Name', 4, ['a', 'bc'], [2, { signature: 's', value: 'x' }]]);
});

t.test('a big-endian NameOwnerChanged signal reads the same', async (t) => {
  // Built by hand: header 'B', signal, body 'sss' ("a", "", ":1.5").
  const be = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  const str = (s: string) => Buffer.concat([be(s.length), Buffer.from(s), Buffer.from([0])]);
  const pad = (b: Buffer) => Buffer.concat([b, Buffer.alloc((8 - (b.length % 8)) % 8)]);
  const field = (code: number, sig: string, value: Buffer) => pad(Buffer.concat([Buffer.from([code, 1, sig.charCodeAt(0), 0]), value]));
  // The last field carries no trailing padding: the array's length ends with it.
  const sigField = Buffer.concat([Buffer.from([8, 1, 0x67, 0, 3]), Buffer.from('sss'), Buffer.from([0])]);
  const fields = Buffer.concat([field(3, 's', str('NameOwnerChanged')), sigField]);
  // "a" at 0 (6 bytes, padded to 8), "" at 8 (5 bytes, padded to 16), ":1.5" at 16.
  const body2 = Buffer.concat([str('a'), Buffer.alloc(2), str(''), Buffer.alloc(3), str(':1.5')]);
  const header = Buffer.concat([Buffer.from([0x42, 4, 0, 1]), be(body2.length), be(9), be(fields.length)]);
  const message = Buffer.concat([pad(Buffer.concat([header, fields])), body2]);
  t.equal(messageLength(message), message.length);
  const m = decodeMessage(message);
  t.match(m, { type: MESSAGE_TYPE.signal, serial: 9, member: 'NameOwnerChanged', signature: 'sss' });
  t.same(m.body, ['a', '', ':1.5']);
});

t.test('bad input is refused with an error', async (t) => {
  t.throws(() => splitSignature('a('), /unbalanced|ends early/);
  t.throws(() => splitSignature('z'), /unknown D-Bus type code/);
  t.throws(() => messageLength(Buffer.from('X'.repeat(16))), /byte order/);
  const ok = encodeMessage({ type: 1, flags: 0, serial: 1, member: 'Hello', signature: 's', body: ['x'] });
  t.throws(() => decodeMessage(ok.subarray(0, ok.length - 3)), /truncated/);
  t.equal(messageLength(ok.subarray(0, 10)), undefined, 'too short to tell: wait for more');
});

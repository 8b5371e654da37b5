// Parsing sd_notify(3) datagrams.

import t from 'tap';
import { parseNotifyMessage } from '../../src/manager/notify.js';

t.test('fields of a notify message', async (t) => {
  const m = parseNotifyMessage(Buffer.from('READY=1\nSTATUS=Serving 42 requests\nMAINPID=123\nERRNO=5\nWATCHDOG_USEC=2000000\nEXTEND_TIMEOUT_USEC=500\nX_CUSTOM=1'));
  t.match(m, { ready: true, reloading: false, stopping: false, status: 'Serving 42 requests', mainPid: 123, errno: 5, watchdogUSec: 2_000_000, extendTimeoutUSec: 500 });
});

t.test('the last duplicate wins, a trailing newline is fine, junk is ignored', async (t) => {
  const m = parseNotifyMessage(Buffer.from('STATUS=a\nSTATUS=b\ngarbage\n=x\nMAINPID=abc\n'));
  t.equal(m.status, 'b');
  t.equal(m.mainPid, undefined);
});

t.test('WATCHDOG=1 pings, WATCHDOG=trigger fires; RELOADING with MONOTONIC_USEC; STOPPING', async (t) => {
  t.equal(parseNotifyMessage(Buffer.from('WATCHDOG=1')).watchdog, 'ping');
  t.equal(parseNotifyMessage(Buffer.from('WATCHDOG=trigger')).watchdog, 'trigger');
  t.match(parseNotifyMessage(Buffer.from('RELOADING=1\nMONOTONIC_USEC=42')), { reloading: true, monotonicUSec: 42 });
  t.equal(parseNotifyMessage(Buffer.from('STOPPING=1')).stopping, true);
});

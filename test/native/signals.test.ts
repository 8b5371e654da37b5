// SignalWatcher: real-time signals caught through the addon, in delivery order with
// their sender, none lost when a burst arrives while the event loop is busy.
import t from 'tap';
import { SIGRTMAX, SIGRTMIN, SignalWatcher, signalName, type SignalDelivery } from '../../src/native/index.js';

const busy = (ms: number) => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    /* the loop cannot run */
  }
};
const turn = () => new Promise<void>((r) => setTimeout(r, 50));

t.test('names as systemd spells them', async (t) => {
  t.equal(SIGRTMIN, 34, 'glibc keeps 32 and 33');
  t.equal(signalName(SIGRTMIN + 3), 'SIGRTMIN+3');
  t.equal(signalName(SIGRTMAX), `SIGRTMIN+${SIGRTMAX - SIGRTMIN}`);
  t.equal(signalName(15), 'SIGTERM');
  t.equal(signalName(30), 'SIGPWR');
});

t.test('a burst of 200 while the loop is busy: every one, in order, with the sender', async (t) => {
  const got: SignalDelivery[] = [];
  const watcher = new SignalWatcher([SIGRTMIN + 20, SIGRTMIN + 21, 31 - 19 /* SIGUSR2 */], (batch) => got.push(...batch));
  t.teardown(() => watcher.close());
  for (let i = 0; i < 100; i++) {
    process.kill(process.pid, SIGRTMIN + 20);
    process.kill(process.pid, SIGRTMIN + 21);
  }
  busy(200);
  await turn();
  const count = (signal: number) => got.filter((d) => d.signal === signal).reduce((n, d) => n + d.count, 0);
  t.equal(count(SIGRTMIN + 20), 100);
  t.equal(count(SIGRTMIN + 21), 100);
  t.ok(got.every((d) => d.pid === process.pid), 'sender is this process');
  process.kill(process.pid, 12);
  await turn();
  t.equal(count(12), 1, 'SIGUSR2 too');
});

t.test('bad arguments are refused with a clear error; one watcher at a time', async (t) => {
  t.throws(() => new SignalWatcher([9], () => undefined), /SIGKILL and SIGSTOP cannot be caught/);
  t.throws(() => new SignalWatcher([0], () => undefined), RangeError);
  t.throws(() => new SignalWatcher([SIGRTMIN], 'nope' as unknown as () => void), TypeError);
  const first = new SignalWatcher([SIGRTMIN + 1], () => undefined);
  t.throws(() => new SignalWatcher([SIGRTMIN + 2], () => undefined), /another NativeSignalWatcher is open/);
  first.close();
  const second = new SignalWatcher([SIGRTMIN + 2], () => undefined);
  second.close();
});

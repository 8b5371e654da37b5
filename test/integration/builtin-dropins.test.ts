// Drop-ins for a standard target the image has no file for (unitd synthesizes it, as systemd
// knows it): `time-sync.target.d/*.conf` applies, as systemd 252 applies it.
import t from 'tap';
import { boot } from './harness.js';

t.test('a drop-in of a synthesized target adds its Wants= and shows in DropInPaths', async (t) => {
  const sys = await boot({
    units: {
      'hello.service': '[Service]\nExecStart=/bin/sleep infinity\n',
      'time-sync.target.d/50-hello.conf': '[Unit]\nWants=hello.service\nDescription=Time with hello\n',
    },
  });
  t.teardown(() => sys.stop());
  const before = await sys.props('time-sync.target', 'DropInPaths', 'Description', 'Wants');
  t.match(String(before.DropInPaths), /time-sync\.target\.d\/50-hello\.conf$/, 'DropInPaths names the drop-in');
  t.equal(before.Description, 'Time with hello', 'the drop-in overrides the built-in Description=');
  t.match(String(before.Wants), /hello\.service/, 'Wants= from the drop-in');
  t.equal((await sys.ctl('start', 'time-sync.target')).code, 0);
  t.equal((await sys.ctl('is-active', 'hello.service')).stdout.trim(), 'active', 'starting the target starts what the drop-in wants');
});

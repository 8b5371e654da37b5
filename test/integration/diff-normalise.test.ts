import t from 'tap';

import { normaliseNumbers, normaliseOutput } from './diff-normalise.js';

t.test('status: pids, times and resource figures vanish, the layout stays', async (t) => {
  const systemd = [
    '● web.service - Web',
    '     Loaded: loaded (/etc/systemd/system/web.service; enabled; preset: enabled)',
    '     Active: active (running) since Sat 2026-11-21 20:47:16 UTC; 2min 6s ago',
    '    Process: 69 ExecStartPre=/bin/echo pre-start (code=exited, status=0/SUCCESS)',
    '   Main PID: 70 (sleep)',
    '      Tasks: 1 (limit: 4915)',
    '     Memory: 1.2M',
    '        CPU: 10ms',
    '     CGroup: /system.slice/web.service',
    '             └─70 sleep 10000',
    '',
    'Nov 21 20:47:16 vm sh[70]: hello',
  ].join('\n');
  const unitd = [
    '● web.service - Web',
    '     Loaded: loaded (/etc/systemd/system/web.service; enabled; preset: enabled)',
    '     Active: active (running) since Sat 2026-11-21 21:00:01 UTC; 27ms ago',
    '    Process: 12 ExecStartPre=/bin/echo pre-start (code=exited, status=0/SUCCESS)',
    '   Main PID: 13 (sleep)',
    '     CGroup: /system.slice/web.service',
    '             └─ 13 sleep 10000',
    '',
    'Nov 21 21:00:01 other sh[13]: hello',
  ].join('\n');
  t.equal(normaliseOutput(unitd), normaliseOutput(systemd));
  t.match(normaliseOutput(systemd), /since <TS>; <AGO>/);
});

t.test('show: volatile properties become placeholders, zero stays zero', async (t) => {
  t.equal(
    normaliseOutput('MainPID=123\nExecMainPID=0\nInvocationID=0123456789abcdef0123456789abcdef\nActiveEnterTimestamp=Sat 2026-11-21 20:47:16 UTC\nActiveEnterTimestampMonotonic=5123\nInactiveExitTimestamp=\nResult=success'),
    'MainPID=<N>\nExecMainPID=0\nInvocationID=<ID>\nActiveEnterTimestamp=<N>\nActiveEnterTimestampMonotonic=<N>\nInactiveExitTimestamp=\nResult=success',
  );
  t.equal(normaliseOutput('ExecStart={ path=/bin/sleep ; argv[]=/bin/sleep 1 ; pid=923 ; code=(null) ; status=0/0 }'), 'ExecStart={ path=/bin/sleep ; argv[]=/bin/sleep 1 ; pid=<PID> ; code=(null) ; status=0/0 }');
});

t.test('--value answers: numbers only when asked', async (t) => {
  t.equal(normaliseNumbers('4242\n0\n'), '<N>\n0\n');
  t.equal(normaliseOutput('Duration: 2.129s'), 'Duration: <SPAN>');
});

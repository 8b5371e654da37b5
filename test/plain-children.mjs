// Loaded into every test process (package.json "tap" → "node-arg"). tap's process tracker
// (@tapjs/processinfo) hooks child_process so that every process a test starts, even with an
// explicit env, gets NODE_OPTIONS=--import=<its hooks>: a loader thread, source-map parsing and
// signal-exit's process.emit patch inside unitd as PID 1 and inside every systemctl a test runs
// (3× the client's CPU, ~200 ms more per PID-1 boot). Tests must exercise unitd as it runs in a
// container, so the children start plain. Coverage is disabled in this project, and the tracker
// keeps watching the test process itself. The tracker's --import also leaves process.execArgv,
// which fixtures spread to run a .ts child: a child that loaded it would write V8 coverage into
// .tap/coverage, and tap then reports "incomplete coverage" and exits 1 with every test passing.
import processOnSpawn from 'process-on-spawn';

processOnSpawn.removeAllListeners();
const tracker = /"?--import=[^\s"]*@tapjs\/processinfo[^\s"]*"?/g;
const rest = (process.env.NODE_OPTIONS ?? '').replace(tracker, '').trim();
const plainArgv = process.execArgv.filter((arg) => !/@tapjs\/processinfo/.test(arg));
process.execArgv.splice(0, process.execArgv.length, ...plainArgv);
if (rest === '') delete process.env.NODE_OPTIONS;
else process.env.NODE_OPTIONS = rest;
for (const name of Object.keys(process.env)) if (name.startsWith('_TAPJS_PROCESSINFO_')) delete process.env[name];

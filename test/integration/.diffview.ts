import { readFileSync } from 'node:fs';
import { STEPS } from './diff-systemctl-cases.js';
import { normaliseOutput, normaliseNumbers } from './diff-normalise.js';
function parse(f: string) {
  const parts = readFileSync(f, 'utf8').split(/^=== /m).slice(1);
  return parts.map((p) => {
    const nl = p.indexOf('\n');
    const body = p.slice(nl + 1);
    const m = /^--- rc=(\d+)\n([\s\S]*?)--- stderr\n([\s\S]*)$/.exec(body)!;
    return { label: p.slice(0, nl), code: Number(m[1]), stdout: m[2], stderr: m[3] };
  });
}
const a = parse('/var/tmp/h6/dsc/systemd.txt'), b = parse('/var/tmp/h6/dsc/unitd.txt');
a.forEach((x, i) => {
  const st = STEPS[i];
  const n = (s: string) => { let o = normaliseOutput(s); if (st.numbers) o = normaliseNumbers(o); if (st.grep) o = o.split('\n').filter(l => st.grep!.test(l)).join('\n'); return o; };
  const y = b[i];
  if (n(x.stdout) !== n(y.stdout) || normaliseOutput(x.stderr) !== normaliseOutput(y.stderr) || x.code !== y.code) {
    console.log(`######## ${x.label}  rc ${x.code} vs ${y.code}`);
    if (n(x.stdout) !== n(y.stdout)) console.log(`--- systemd stdout\n${n(x.stdout)}\n--- unitd stdout\n${n(y.stdout)}`);
    if (normaliseOutput(x.stderr) !== normaliseOutput(y.stderr)) console.log(`--- systemd stderr\n${x.stderr}--- unitd stderr\n${y.stderr}`);
  }
});

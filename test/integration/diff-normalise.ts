// What makes two honest runs of the same systemctl command differ: process
// ids, wall-clock and monotonic times, durations, invocation ids, resource
// figures. normaliseOutput() replaces each with a placeholder so the output of
// systemd 252 and of unitd can be compared byte for byte.
//
// Resource lines of `status` (Tasks:, Memory:, CPU:, IP:, IO:) are replaced by
// `<LABEL>: <RESOURCE>` lines and then removed: whether systemd prints them at
// all depends on the kernel's accounting for the namespace (cgroup controllers
// are not delegated to the oracle), not on anything systemctl decides.
// The `CGroup:` line is kept (its path is deterministic), the process tree
// under it keeps its shape and command lines but loses its pids.

const WEEKDAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
/** `Sat 2026-11-21 19:36:19 UTC`, optionally with microseconds. */
const TIMESTAMP = new RegExp(`${WEEKDAY} \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d(?:\\.\\d+)?(?: [A-Z][A-Za-z0-9+-]*)?`, 'g');
/** One or more systemd timespan words: `2min 6s`, `27ms`, `1.234s`, `5us`. */
const SPAN = String.raw`(?:\d+(?:\.\d+)?(?:y|month|w|d|h|min|s|ms|us|µs))(?: \d+(?:\.\d+)?(?:y|month|w|d|h|min|s|ms|us|µs))*`;
const AGO = new RegExp(`${SPAN} ago`, 'g');
const RESOURCE_LINE = /^ {0,12}(Tasks|Memory|CPU|IP|IO): .*$/;
const JOURNAL_SHORT = /^(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d\d:\d\d:\d\d /;

/** Properties whose numeric value is a pid, a time or a resource counter. */
const VOLATILE_PROPERTY =
  /^(MainPID|ExecMainPID|ControlPID|[A-Za-z]*Monotonic|InvocationID|MemoryCurrent|MemoryAvailable|MemoryPeak|CPUUsageNSec|TasksCurrent|IPIngressBytes|IPIngressPackets|IPEgressBytes|IPEgressPackets|IOReadBytes|IOReadOperations|IOWriteBytes|IOWriteOperations|NextElapseUSecMonotonic|StateChangeTimestampMonotonic|KernelTimestamp|GeneratorsStartTimestamp|UserspaceTimestamp|FinishTimestamp|.*Timestamp)=(.+)$/;

/** Dependency lists: systemd prints them in hash order, which changes from run to run. */
const DEPENDENCY_PROPERTY = /^(Requires|Requisite|Wants|BindsTo|PartOf|Upholds|RequiredBy|RequisiteOf|WantedBy|BoundBy|UpheldBy|ConsistsOf|Conflicts|ConflictedBy|Before|After|OnFailure|OnFailureOf|Triggers|TriggeredBy|PropagatesReloadTo|ReloadPropagatedFrom|JoinsNamespaceOf|Names)=(.*)$/;

function normaliseLine(line: string): string {
  let l = line;
  const deps = DEPENDENCY_PROPERTY.exec(l);
  if (deps !== null) return `${deps[1]}=${deps[2].split(' ').filter((w) => w !== '').sort().join(' ')}`;
  const prop = VOLATILE_PROPERTY.exec(l);
  if (prop !== null) {
    const [, key, value] = prop;
    // 0 stays 0: "no main pid" must still be told apart from "a main pid".
    if (value !== '0' && value !== '[not set]' && value !== 'n/a') return `${key}=<${key === 'InvocationID' ? 'ID' : 'N'}>`;
  }
  l = l.replace(TIMESTAMP, '<TS>');
  l = l.replace(AGO, '<AGO>');
  l = l.replace(/^( *Duration: ).*$/, '$1<SPAN>');
  l = l.replace(/^( *(?:Main PID|Process|Cntrl PID|Tasks): )\d+/, '$1<PID>');
  l = l.replace(/(Control PID: )\d+/, '$1<PID>');
  // ExecStart={ ... pid=123 ... }
  l = l.replace(/\bpid=\d+/g, 'pid=<PID>');
  // Process tree under CGroup: `└─70 sleep 10000`.
  l = l.replace(/([├└]─) *\d+ /g, '$1<PID> ');
  // Journal lines `Nov 21 20:47:16 host ident[123]: text`.
  if (JOURNAL_SHORT.test(l)) l = l.replace(JOURNAL_SHORT, '<JTS> ').replace(/^(<JTS> )\S+ ([^[\s]+)\[\d+\]:/, '$1<HOST> $2[<PID>]:');
  l = l.replace(/\b[0-9a-f]{32}\b/g, '<ID>');
  return l;
}

/** Normalise a whole output (stdout or stderr) for comparison. */
export function normaliseOutput(text: string): string {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (RESOURCE_LINE.test(line)) continue;
    out.push(normaliseLine(line));
  }
  return out.join('\n');
}

/** For `--value` answers of volatile properties: any positive number becomes <N>. */
export function normaliseNumbers(text: string): string {
  return text.replace(/^[1-9]\d*$/gm, '<N>');
}

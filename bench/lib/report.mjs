// Turning the bench's samples into a markdown table, PASS/MISS per target, and an SVG bar chart.

export const COLUMNS = ['unitd', 'systemd', 'supervisord', 'tini', 'dumb-init', 'node'];
const COLORS = { unitd: '#d9480f', systemd: '#1c7ed6', supervisord: '#2b8a3e', tini: '#7048e8', 'dumb-init': '#e8590c80', node: '#868e96' };

/** Median, quartiles and range of the finite samples. */
export function summarize(samples) {
  const v = samples.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  const q = (f) => {
    if (v.length === 0) return NaN;
    const i = (v.length - 1) * f;
    const lo = Math.floor(i);
    return v[lo] + (v[Math.min(lo + 1, v.length - 1)] - v[lo]) * (i - lo);
  };
  return { n: v.length, median: q(0.5), p25: q(0.25), p75: q(0.75), min: v[0] ?? NaN, max: v[v.length - 1] ?? NaN };
}

function fmt(x, unit) {
  if (!Number.isFinite(x)) return '?';
  if (unit === 'count' || Number.isInteger(x)) return String(x);
  if (unit === 'msg/s') return x >= 1000 ? `${(x / 1000).toFixed(1)}k` : x.toFixed(0);
  const a = Math.abs(x);
  return a >= 100 ? x.toFixed(0) : a >= 10 ? x.toFixed(1) : x.toFixed(2);
}

function cell(stat, unit, failed) {
  if (failed && (!stat || stat.n === 0)) return `failed: ${failed}`;
  if (!stat || stat.n === 0) return '—';
  const spread = stat.n > 1 ? ` (${fmt(stat.min, unit)}–${fmt(stat.max, unit)})` : '';
  // Some repetitions failed: say so next to the ones that worked.
  return `${fmt(stat.median, unit)}${spread}${failed ? `; a run failed: ${failed}` : ''}`;
}

// ---------------------------------------------------------------------------------------------
// The targets (issue 19, plus issue 9's zombie targets), as data: one row each. Never loosened here.
// A row has checks; each check compares one statistic of unitd's samples of a metric with a limit,
// either as it is (`limit` in the metric's unit) or as a ratio to another column of the same run
// (`vs`: 'systemd' or 'node', `limit` a factor); `name` labels its figure, `stat` picks another
// statistic than the median. A row passes when every check passes; a check
// without a figure makes the row NO DATA (MISS when unitd's run of that metric failed).

export const BOOT_TARGETS = { 10: 1.0, 50: 1.0, 200: 0.7, 1000: 0.7 };
export const RESTART_SECS_MS = [100, 0];
export const IDLE_SIZES = [10, 200, 1000];
export const PROBE_VERBS = ['is-active', 'is-enabled', 'is-failed', 'is-system-running'];
/** The other client commands, measured as `ctl-<id>-<n>`; is-enabled is also held to this in case the native probe does not answer it. */
export const OTHER_VERBS = ['status', 'list-units', 'show', 'journalctl', 'is-enabled'];
export const CTL_SIZES = [10, 1000];
export const LONG_PHASES = ['restarts', 'calls', 'reloads', 'lines'];
export const ZOMBIE_SIZES = [1000, 10000];

const X = (f) => `${f.toFixed(1)}×`;
export const TARGETS = [
  ...Object.entries(BOOT_TARGETS).map(([n, f]) => ({
    scenario: 'boot',
    target: `Boot, ${n} services ≤ ${X(f)} systemd`,
    checks: [{ metric: `boot-${n}`, vs: 'systemd', limit: f, name: 'median' }],
  })),
  ...RESTART_SECS_MS.map((ms) => ({
    scenario: 'restart',
    target: `Restart latency, RestartSec=${ms}ms: median ≤ RestartSec + 5 ms`,
    checks: [{ metric: `restart-${ms}`, limit: ms + 5, name: 'median' }],
  })),
  { scenario: 'shutdown', target: 'Shutdown, 20 prompt services ≤ 0.3 s', checks: [{ metric: 'stop-prompt', limit: 300, name: 'median' }] },
  { scenario: 'notify', target: 'Notify throughput ≥ 1.0× systemd', checks: [{ metric: 'notify', vs: 'systemd', limit: 1.0, name: 'median' }] },
  ...IDLE_SIZES.map((n) => ({
    scenario: 'boot',
    target: `Idle PID 1, ${n} units: VmRSS ≤ 1.0×, RssAnon ≤ 2× a bare idle node`,
    checks: [
      { metric: `rss-idle-${n}`, vs: 'node', limit: 1.0, name: 'VmRSS' },
      { metric: `rss-anon-idle-${n}`, vs: 'node', limit: 2.0, name: 'RssAnon' },
    ],
    also: { metric: `threads-idle-${n}`, name: 'threads' },
  })),
  ...CTL_SIZES.flatMap((n) =>
    PROBE_VERBS.map((v) => ({
      scenario: 'control',
      target: `\`${v}\` (${n} units) ≤ 2× systemd's systemctl, wall and CPU`,
      checks: [
        { metric: `ctl-${v}-${n}`, vs: 'systemd', limit: 2, name: 'wall' },
        { metric: `ctl-cpu-${v}-${n}`, vs: 'systemd', limit: 2, name: 'CPU' },
      ],
    })),
  ),
  ...CTL_SIZES.flatMap((n) =>
    OTHER_VERBS.map((v) => ({
      scenario: 'control',
      target: `\`${v}\` (${n} units) CPU ≤ 1.15× \`node -e 0\``,
      checks: [{ metric: `ctl-cpu-${v}-${n}`, vs: 'node', limit: 1.15, name: 'CPU' }],
    })),
  ),
  ...LONG_PHASES.map((ph) => ({
    scenario: 'long',
    target: `Zero growth after warm-up, ${ph}: RSS ≤ 1 MiB, 0 fds`,
    checks: [
      { metric: `long-${ph}-rss`, limit: 1, name: 'RSS' },
      { metric: `long-${ph}-fds`, limit: 0, name: 'fds' },
    ],
    also: { metric: `long-${ph}-rss` },
  })),
  ...ZOMBIE_SIZES.map((n) => ({
    scenario: 'zombies',
    target: `0 zombies 100 ms after ${n} orphans exit (worst run)`,
    checks: [{ metric: `zombies-at100-${n}`, stat: 'max', limit: 0, name: 'worst run' }],
    also: { metric: `zombies-${n}`, name: 'all reaped after (slowest run)', stat: 'max' },
  })),
];

/** PASS/MISS/NO DATA per target row, from unitd's figures in RESULT. Rows of scenarios the run left out are left out. */
export function evaluateTargets(result) {
  const byId = Object.fromEntries(result.metrics.map((m) => [m.id, m]));
  const ran = result.meta.scenarios;
  const out = [];
  for (const row of TARGETS.filter((r) => !ran || ran.includes(r.scenario))) {
    let verdict = 'PASS';
    const details = [];
    for (const c of row.checks) {
      const m = byId[c.metric];
      const u = m?.peers.unitd?.[c.stat ?? 'median'];
      const b = c.vs ? m?.peers[c.vs]?.median : undefined;
      const measured = c.vs ? u / b : u;
      const higher = m?.better === 'higher';
      if (m?.failed?.unitd && !Number.isFinite(measured)) {
        verdict = 'MISS';
        details.push(`failed: ${m.failed.unitd}`);
        continue;
      }
      if (!Number.isFinite(measured)) {
        if (verdict === 'PASS') verdict = 'NO DATA';
        details.push(`${c.metric}: no figure${c.vs ? ` (unitd ${fmt(u)}, ${c.vs} ${fmt(b)})` : ''}`);
        continue;
      }
      const ok = higher ? measured >= c.limit : measured <= c.limit;
      if (!ok) verdict = 'MISS';
      details.push(c.vs ? `${c.name} ${fmt(u, m.unit)} vs ${fmt(b, m.unit)} ${m.unit} (${fmt(measured)}×)` : `${c.name} ${u >= 0 && m.id.startsWith('long-') ? '+' : ''}${fmt(u, m.unit)}${m.unit === 'count' ? '' : ` ${m.unit}`}`);
    }
    // A figure shown beside the verdict (thread count, the long run's before → after, reap time).
    const also = row.also && byId[row.also.metric];
    const unit = (m) => (m.unit === 'count' ? '' : ` ${m.unit}`);
    if (also?.note) details.push(also.note);
    else if (also?.peers.unitd) details.push(`${row.also.name}: ${fmt(also.peers.unitd[row.also.stat ?? 'median'], also.unit)}${unit(also)}${also.peers.node ? ` (node ${fmt(also.peers.node.median, also.unit)})` : ''}`);
    const limit = (c) => (c.vs ? `${c.limit.toFixed(c.limit % 1 ? 2 : 1).replace(/(\.\d)0$/, '$1')}× ${c.vs}` : `${c.limit}${unit(byId[c.metric] ?? { unit: 'count' })}`);
    out.push({ target: row.target, detail: details.join('; '), limit: row.checks.map(limit).join(', '), result: verdict });
  }
  return out;
}

export function renderMarkdown(result) {
  const lines = [];
  const { meta } = result;
  const load = (l) => (l ? l.map((x) => x.toFixed(1)).join(' ') : '?');
  const scope = meta.partial ? ` (partial: ${meta.partial})` : '';
  lines.push(`### unitd benchmark (${meta.mode} mode${scope}, ${meta.started.slice(0, 16).replace('T', ' ')} UTC, ${meta.minutes ?? '?'} min)`);
  lines.push('');
  lines.push(
    `Host: ${meta.host.cpus} CPUs (${meta.host.cpuModel}), load average (1/5/15 min) ${load(meta.host.loadavgStart)} at the start, ${load(meta.host.loadavg)} at the end. ` +
      `Median (min–max) over the repetitions; every init ran as PID 1 in its own PID/mount namespace in the same run. ` +
      `node ${meta.versions.node}, ${meta.versions.systemd ?? 'systemd ?'}, supervisord ${meta.versions.supervisord ?? '?'}, ${meta.versions.tini ?? 'tini ?'}, ${meta.versions['dumb-init'] ?? 'dumb-init ?'}.`,
  );
  lines.push('');
  const targets = evaluateTargets(result);
  const count = (r) => targets.filter((t) => t.result === r).length;
  lines.push(`Targets (issue 19 and the zombie targets): ${count('PASS')} PASS, ${count('MISS')} MISS, ${count('NO DATA')} NO DATA.`);
  lines.push('');
  lines.push('| Target | unitd | limit | result |');
  lines.push('| --- | --- | ---: | :---: |');
  for (const t of targets) lines.push(`| ${t.target} | ${t.detail} | ${t.limit} | **${t.result}** |`);
  lines.push('');
  const cols = COLUMNS.filter((c) => result.metrics.some((m) => m.peers[c]?.n || m.failed?.[c]));
  lines.push(`| Scenario | unit | ${cols.map((c) => (c === 'node' ? 'node (baseline)' : c)).join(' | ')} |`);
  lines.push(`| --- | --- | ${cols.map(() => '---:').join(' | ')} |`);
  const skipped = new Map();
  for (const m of result.metrics) {
    lines.push(`| ${m.label} | ${m.unit} | ${cols.map((c) => cell(m.peers[c], m.unit, m.failed?.[c])).join(' | ')} |`);
    for (const [p, why] of Object.entries(m.skipped)) {
      if (!skipped.has(p)) skipped.set(p, new Map());
      const w = skipped.get(p);
      w.set(why, [...(w.get(why) ?? []), m.scenario]);
    }
  }
  lines.push('');
  if (skipped.size) {
    lines.push('Not measured: ' + [...skipped].map(([p, w]) => [...w].map(([why, s]) => `${p} in ${[...new Set(s)].join('/')} (${why})`).join('; ')).join('; ') + '.');
    lines.push('');
  }
  return { markdown: lines.join('\n'), targets };
}

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/`/g, '');

/** One panel per metric: a horizontal bar per peer (median), scaled to the largest in that panel, with the min–max range as a line. */
export function renderSvg(result) {
  const W = 980;
  const labelW = 110;
  const barW = W - labelW - 150;
  const rowH = 16;
  let y = 40;
  const parts = [];
  parts.push(`<text x="10" y="24" font-size="16" font-weight="bold">unitd vs peers — ${esc(result.meta.mode)} run, ${esc(result.meta.started.slice(0, 16))} UTC (median, whisker = min–max)</text>`);
  for (const m of result.metrics) {
    const peers = COLUMNS.filter((c) => m.peers[c]?.n);
    if (!peers.length) continue;
    const max = Math.max(...peers.map((p) => (Number.isFinite(m.peers[p].max) ? m.peers[p].max : m.peers[p].median)));
    parts.push(`<text x="10" y="${y + 12}" font-size="13" font-weight="bold">${esc(m.label)} (${esc(m.unit)}${m.better === 'higher' ? ', higher is better' : ''})</text>`);
    y += 18;
    for (const p of peers) {
      const s = m.peers[p];
      const w = max > 0 ? (s.median / max) * barW : 0;
      const x0 = labelW + (max > 0 ? (s.min / max) * barW : 0);
      const x1 = labelW + (max > 0 ? (s.max / max) * barW : 0);
      parts.push(`<text x="${labelW - 6}" y="${y + 12}" font-size="12" text-anchor="end">${esc(p)}</text>`);
      parts.push(`<rect x="${labelW}" y="${y + 2}" width="${Math.max(w, 1).toFixed(1)}" height="${rowH - 4}" fill="${COLORS[p]}"/>`);
      if (s.n > 1) parts.push(`<line x1="${x0.toFixed(1)}" x2="${x1.toFixed(1)}" y1="${y + rowH / 2}" y2="${y + rowH / 2}" stroke="#000" stroke-width="1"/>`);
      parts.push(`<text x="${(labelW + Math.max(w, x1 - labelW) + 6).toFixed(1)}" y="${y + 12}" font-size="12">${esc(fmt(s.median, m.unit))} ${esc(m.unit)}</text>`);
      y += rowH;
    }
    y += 10;
  }
  const targets = result.targets ?? [];
  if (targets.length) {
    parts.push(`<text x="10" y="${y + 14}" font-size="13" font-weight="bold">Targets</text>`);
    y += 20;
    for (const t of targets) {
      const color = t.result === 'PASS' ? '#2b8a3e' : t.result === 'MISS' ? '#c92a2a' : '#868e96';
      parts.push(`<text x="10" y="${y + 12}" font-size="12"><tspan fill="${color}" font-weight="bold">${t.result}</tspan>  ${esc(t.target)} — ${esc(t.detail)}</text>`);
      y += rowH;
    }
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${y + 20}" font-family="sans-serif">\n<rect width="100%" height="100%" fill="#fff"/>\n${parts.join('\n')}\n</svg>\n`;
}

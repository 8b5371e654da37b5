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

/**
 * The targets from issue 9, evaluated on unitd's medians. Never loosened here: a missing measurement
 * is reported as "no data", not as a pass.
 */
export function evaluateTargets(result) {
  const byId = Object.fromEntries(result.metrics.map((m) => [m.id, m]));
  const med = (id, peer) => byId[id]?.peers[peer]?.median;
  const out = [];
  const add = (target, measured, limit, ok, detail, id) => {
    const failed = id && byId[id]?.failed?.unitd;
    const result = measured === undefined || !Number.isFinite(measured) ? (failed ? 'MISS' : 'NO DATA') : ok ? 'PASS' : 'MISS';
    out.push({ target, measured, limit, result, detail: failed && result === 'MISS' && !Number.isFinite(measured) ? `failed: ${failed}` : detail });
  };
  for (const m of result.metrics.filter((x) => x.scenario === 'boot')) {
    const u = med(m.id, 'unitd');
    const s = med(m.id, 'systemd');
    const r = u / s;
    add(`${m.label.replace('Boot: ', 'Boot ')} ≤ 1.0× systemd`, r, 1.0, r <= 1.0, `${fmt(u)} ms vs ${fmt(s)} ms`, m.id);
  }
  for (const m of result.metrics.filter((x) => x.scenario === 'restart')) {
    const restartMs = Number(m.id.split('-')[1]);
    const u = med(m.id, 'unitd');
    add(`Restart, RestartSec=${restartMs}ms: ≤ RestartSec + 20 ms`, u, restartMs + 20, u <= restartMs + 20, `median ${fmt(u)} ms, max ${fmt(byId[m.id]?.peers.unitd?.max)} ms`, m.id);
  }
  for (const m of result.metrics.filter((x) => x.id.startsWith('ctl-is-active'))) {
    const u = med(m.id, 'unitd');
    const n = med(m.id, 'node');
    const r = u / n;
    add(`\`is-active\` (${m.id.split('-').pop()} units) ≤ 1.3× \`node -e 0\``, r, 1.3, r <= 1.3, `${fmt(u)} ms vs ${fmt(n)} ms`, m.id);
  }
  // Issue 19: every verb the native probe does not answer starts within 1.15x of Node's own start.
  for (const m of result.metrics.filter((x) => /^ctl-(status|list-units|show)-/.test(x.id))) {
    const u = med(m.id, 'unitd');
    const n = med(m.id, 'node');
    const r = u / n;
    const verb = m.id.replace(/^ctl-/, '').replace(/-\d+$/, '');
    add(`\`${verb}\` (${m.id.split('-').pop()} units) ≤ 1.15× \`node -e 0\``, r, 1.15, r <= 1.15, `${fmt(u)} ms vs ${fmt(n)} ms`, m.id);
  }
  if (byId['stop-prompt']) {
    const u = med('stop-prompt', 'unitd');
    add('Shutdown, 20 prompt services ≤ 0.5 s', u === undefined ? u : u / 1000, 0.5, u <= 500, `${fmt(u)} ms`, 'stop-prompt');
  }
  for (const m of result.metrics.filter((x) => x.id.startsWith('zombies-at100-'))) {
    const n = m.id.split('-').pop();
    const u = byId[m.id]?.peers.unitd?.max;
    const all = byId[`zombies-${n}`]?.peers.unitd?.max;
    add(`0 zombies 100 ms after ${n} orphans exit`, u, 0, u === 0, `worst run: ${fmt(u)} zombies at 100 ms; all ${n} gone after ${fmt(all)} ms`, m.id);
  }
  // Issue 19: VmRSS ≤ 1.0× a bare idle node of the same version, its anonymous part ≤ 2.0×.
  for (const [prefix, what, limit] of [['rss-idle', 'RSS', 1.0], ['rss-anon-idle', 'anonymous RSS', 2.0]]) {
    for (const n of [10, 200]) {
      const id = `${prefix}-${n}`;
      const u = med(id, 'unitd');
      const b = med(id, 'node');
      const r = u / b;
      if (byId[id]) add(`Idle ${what} with ${n} units ≤ ${limit.toFixed(1)}× bare idle node`, r, limit, r <= limit, `${fmt(u)} MiB vs ${fmt(b)} MiB`, id);
    }
  }
  for (const m of result.metrics.filter((x) => x.scenario === 'timers' && !x.id.endsWith('-median'))) {
    const u = med(m.id, 'unitd');
    const s = med(m.id, 'systemd');
    const r = u / s;
    add(`${m.label.replace('Timers: ', 'Timer accuracy, ')} ≤ 1.0× systemd`, r, 1.0, r <= 1.0, `${fmt(u)} ms vs ${fmt(s)} ms (${fmt(r)}×)`, m.id);
  }
  if (byId['rss-growth']) {
    const u = med('rss-growth', 'unitd');
    // "No growth": RSS is counted in pages and moves by a few hundred KiB on its own, so the limit is 1 MiB.
    add(`No RSS growth over ${result.meta.config.restarts} restarts (≤ 1 MiB)`, u, 1, u <= 1, `${fmt(u)} MiB`, 'rss-growth');
  }
  return out;
}

export function renderMarkdown(result) {
  const lines = [];
  const { meta } = result;
  lines.push(`### unitd benchmark (${meta.mode} mode, ${meta.started.slice(0, 16).replace('T', ' ')} UTC)`);
  lines.push('');
  lines.push(
    `Host: ${meta.host.cpus} CPUs (${meta.host.cpuModel}), load ${meta.host.loadavg.map((x) => x.toFixed(1)).join(' ')}. ` +
      `Median (min–max) over the repetitions; every init ran as PID 1 in its own PID/mount namespace in the same run. ` +
      `node ${meta.versions.node}, ${meta.versions.systemd ?? 'systemd ?'}, supervisord ${meta.versions.supervisord ?? '?'}, ${meta.versions.tini ?? 'tini ?'}, ${meta.versions['dumb-init'] ?? 'dumb-init ?'}.`,
  );
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
  const targets = evaluateTargets(result);
  lines.push('| Target | unitd | limit | result |');
  lines.push('| --- | --- | ---: | :---: |');
  for (const t of targets) lines.push(`| ${t.target} | ${t.detail} | ${t.limit} | **${t.result}** |`);
  lines.push('');
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

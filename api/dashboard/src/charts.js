// Hand-drawn SVG charts: feature contributions (diverging bars), a throughput sparkline,
// a score histogram, mean score per time bucket and the weekly cash forecast. Each SVG has an accessible name; the numbers are also in
// <title>s (and, for contributions, a visually hidden table).
import { h, s, formatNumber, formatMoney, moneyToPlot } from './dom.js';

export function contributionChart(contributions, { bias, limit = 8, label = 'Feature contributions' } = {}) {
  const rows = [...(contributions || [])]
    .filter((c) => typeof c.value === 'number')
    .sort((a, b) => Math.abs(b.value) - Math.abs(a.value))
    .slice(0, limit);
  if (!rows.length) return h('p', { class: 'muted' }, 'No contributions recorded.');
  const max = Math.max(...rows.map((r) => Math.abs(r.value)), 1e-9);
  const labelW = 150;
  const barW = 280;
  const rowH = 24;
  const width = labelW + barW + 70;
  const height = rows.length * rowH + 8;
  const mid = labelW + barW / 2;
  const svg = s('svg', { class: 'chart contributions', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': label });
  svg.append(s('line', { x1: mid, x2: mid, y1: 0, y2: height, class: 'axis' }));
  rows.forEach((r, i) => {
    const y = i * rowH + 4;
    const w = (Math.abs(r.value) / max) * (barW / 2);
    const x = r.value >= 0 ? mid : mid - w;
    svg.append(s('g', { class: ['bar', r.value >= 0 ? 'up' : 'down'], 'data-feature': r.feature },
      s('title', {}, `${r.feature}: ${r.value >= 0 ? '+' : ''}${formatNumber(r.value, 4)}`),
      s('text', { x: labelW - 8, y: y + 15, 'text-anchor': 'end', class: 'label' }, r.feature),
      s('rect', { x, y: y + 3, width: Math.max(w, 1), height: rowH - 8, rx: 2 }),
      s('text', { x: r.value >= 0 ? mid + w + 6 : mid - w - 6, y: y + 15, 'text-anchor': r.value >= 0 ? 'start' : 'end', class: 'value' },
        `${r.value >= 0 ? '+' : ''}${formatNumber(r.value, 3)}`)));
  });
  const table = h('table', { class: 'sr-only' },
    h('caption', {}, label),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'feature'), h('th', { scope: 'col' }, 'contribution'))),
    h('tbody', {}, rows.map((r) => h('tr', {}, h('td', {}, r.feature), h('td', {}, formatNumber(r.value, 4))))));
  return h('figure', { class: 'contribution-chart' }, svg, table,
    h('figcaption', { class: 'muted' }, 'Bars to the right raise the score, bars to the left lower it',
      typeof bias === 'number' ? ` (base value ${formatNumber(bias, 3)}).` : '.'));
}

// series: [{at, values: {name: n}}]; keys: [{key, label, cls}]
export function sparkline(series, keys, { label = 'Throughput', width = 560, height = 90 } = {}) {
  const max = Math.max(1, ...series.flatMap((p) => keys.map((k) => p.values[k.key] || 0)));
  const stepX = series.length > 1 ? (width - 8) / (series.length - 1) : 0;
  const y = (v) => height - 14 - (v / max) * (height - 24);
  const svg = s('svg', { class: 'chart sparkline', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': label });
  svg.append(s('line', { x1: 4, x2: width - 4, y1: height - 14, y2: height - 14, class: 'axis' }));
  svg.append(s('text', { x: 4, y: 10, class: 'tick' }, `max ${max}/min`));
  for (const k of keys) {
    const d = series.map((p, i) => `${i ? 'L' : 'M'}${4 + i * stepX},${y(p.values[k.key] || 0)}`).join(' ');
    svg.append(s('path', { d, class: `line ${k.cls}` }, s('title', {}, k.label)));
  }
  series.forEach((p, i) => {
    const parts = keys.map((k) => `${k.label} ${p.values[k.key] || 0}`).join(', ');
    svg.append(s('rect', { x: 4 + i * stepX - stepX / 2, y: 0, width: Math.max(stepX, 1), height, class: 'hover' },
      s('title', {}, `${new Date(p.at).toLocaleTimeString()}: ${parts}`)));
  });
  svg.append(s('text', { x: 4, y: height - 2, class: 'tick' }, '60 min ago'));
  svg.append(s('text', { x: width - 4, y: height - 2, 'text-anchor': 'end', class: 'tick' }, 'now'));
  const legend = h('ul', { class: 'legend' }, keys.map((k) => h('li', {}, h('span', { class: `swatch ${k.cls}` }), k.label)));
  return h('figure', { class: 'sparkline-figure' }, svg, legend);
}

// values: numbers; bins over [lo, hi].
export function histogram(values, { bins = 10, lo, hi, label = 'Score distribution', width = 460, height = 150 } = {}) {
  if (!values.length) return h('p', { class: 'muted' }, 'No scores yet.');
  const min = lo ?? Math.min(...values);
  const maxV = hi ?? Math.max(...values);
  const span = maxV - min || 1;
  const counts = new Array(bins).fill(0);
  for (const v of values) counts[Math.min(bins - 1, Math.max(0, Math.floor(((v - min) / span) * bins)))]++;
  const top = Math.max(...counts);
  const bw = (width - 40) / bins;
  const svg = s('svg', { class: 'chart histogram', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': label });
  counts.forEach((c, i) => {
    const bh = top ? (c / top) * (height - 36) : 0;
    const from = min + (span * i) / bins;
    const to = min + (span * (i + 1)) / bins;
    svg.append(s('g', { class: 'bin' },
      s('title', {}, `${formatNumber(from, 2)}–${formatNumber(to, 2)}: ${c}`),
      s('rect', { x: 30 + i * bw + 1, y: height - 20 - bh, width: bw - 2, height: bh }),
      c ? s('text', { x: 30 + i * bw + bw / 2, y: height - 24 - bh, 'text-anchor': 'middle', class: 'tick' }, String(c)) : null));
  });
  svg.append(s('line', { x1: 30, x2: width - 10, y1: height - 20, y2: height - 20, class: 'axis' }));
  svg.append(s('text', { x: 30, y: height - 6, class: 'tick' }, formatNumber(min, 2)));
  svg.append(s('text', { x: width - 10, y: height - 6, 'text-anchor': 'end', class: 'tick' }, formatNumber(maxV, 2)));
  return h('figure', {}, svg);
}

// Mean score per time bucket, one line per series. series: [{label, cls, points:
// [{at (bucket start, ms), mean, n}]}]; buckets: every bucket start (ms) on the x axis, in
// order; formatBucket(ms) -> text. A bucket without scores leaves a gap in that line.
export function meanLine(series, buckets, { formatBucket = (ms) => new Date(ms).toLocaleString(), label = 'Mean score over time', width = 560, height = 150 } = {}) {
  const all = series.flatMap((x) => x.points.map((p) => p.mean));
  if (!all.length) return h('p', { class: 'muted' }, 'No scores yet.');
  const top = Math.max(1, ...all);
  const left = 34;
  const right = width - 12;
  const index = new Map(buckets.map((b, i) => [b, i]));
  const x = (ms) => (buckets.length > 1 ? left + (index.get(ms) / (buckets.length - 1)) * (right - left) : (left + right) / 2);
  const y = (v) => height - 22 - (v / top) * (height - 34);
  const svg = s('svg', { class: 'chart meanline', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': label });
  svg.append(s('line', { x1: left, x2: right, y1: y(0), y2: y(0), class: 'axis' }));
  svg.append(s('line', { x1: left, x2: right, y1: y(top / 2), y2: y(top / 2), class: 'gap' }));
  svg.append(s('text', { x: left - 4, y: y(0) + 4, 'text-anchor': 'end', class: 'tick' }, '0'));
  svg.append(s('text', { x: left - 4, y: y(top / 2) + 4, 'text-anchor': 'end', class: 'tick' }, formatNumber(top / 2, 2)));
  svg.append(s('text', { x: left - 4, y: y(top) + 4, 'text-anchor': 'end', class: 'tick' }, formatNumber(top, 2)));
  for (const ser of series) {
    const pts = [...ser.points].sort((a, b) => a.at - b.at);
    let d = '';
    pts.forEach((p, i) => {
      const adjacent = i > 0 && index.get(p.at) === index.get(pts[i - 1].at) + 1;
      d += `${adjacent ? 'L' : 'M'}${x(p.at)},${y(p.mean)} `;
    });
    svg.append(s('path', { d: d.trim(), class: `line ${ser.cls}` }, s('title', {}, ser.label)));
    for (const p of pts) {
      svg.append(s('circle', { cx: x(p.at), cy: y(p.mean), r: 3.5, class: `dot ${ser.cls}` },
        s('title', {}, `${ser.label}, ${formatBucket(p.at)}: mean ${formatNumber(p.mean, 3)} of ${p.n} score${p.n === 1 ? '' : 's'}`)));
    }
  }
  svg.append(s('text', { x: left, y: height - 6, class: 'tick' }, formatBucket(buckets[0])));
  if (buckets.length > 1) {
    svg.append(s('text', { x: right, y: height - 6, 'text-anchor': 'end', class: 'tick' }, formatBucket(buckets[buckets.length - 1])));
  }
  const legend = h('ul', { class: 'legend' }, series.map((x2) => h('li', {}, h('span', { class: `swatch ${x2.cls}` }), x2.label)));
  const table = h('table', { class: 'sr-only' },
    h('caption', {}, label),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'series'), h('th', { scope: 'col' }, 'from'), h('th', { scope: 'col' }, 'mean score'), h('th', { scope: 'col' }, 'scores'))),
    h('tbody', {}, series.flatMap((ser) => ser.points.map((p) => h('tr', {},
      h('td', {}, ser.label), h('td', {}, formatBucket(p.at)), h('td', {}, formatNumber(p.mean, 3)), h('td', {}, String(p.n)))))));
  return h('figure', { class: 'meanline-figure' }, svg, table, legend);
}

// Compact axis labels: 1,250 -> "1.3k", 2,400,000 -> "2.4M".
function compact(v) {
  const a = Math.abs(v);
  if (a >= 1e6) return `${formatNumber(v / 1e6, 1)}M`;
  if (a >= 1e4) return `${formatNumber(v / 1e3, 0)}k`;
  if (a >= 1e3) return `${formatNumber(v / 1e3, 1)}k`;
  return formatNumber(Math.round(v), 0);
}

// The weekly cash forecast of one currency. weeks: [{week_start, inflow, inflow_p10,
// inflow_p90, naive_inflow, outflow, net}]. Expected inflow as a line inside its P10–P90
// band (a shaded area), the naive forecast dashed, outflows as bars below zero, the net as
// a second line. Every week has a <title> with its figures (and the page shows a table).
export function forecastChart(amounts, { label = 'Cash forecast', band = 'P10-P90', width = 760, height = 280 } = {}) {
  if (!amounts.length) return h('p', { class: 'muted' }, 'No weeks to show.');
  // The amounts are decimal strings; floats only place things on the chart, and every
  // figure shown (the <title>s) is formatted from the exact string.
  const plotted = ['inflow', 'inflow_p10', 'inflow_p90', 'naive_inflow', 'outflow', 'net'];
  const weeks = amounts.map((w) => ({ ...w, ...Object.fromEntries(plotted.map((k) => [k, moneyToPlot(w[k])])) }));
  const left = 58;
  const right = width - 12;
  const top = 12;
  const bottom = height - 40;
  const n = weeks.length;
  const slot = (right - left) / n;
  const cx = (i) => left + (i + 0.5) * slot;
  const highs = weeks.flatMap((w) => [w.inflow_p90, w.inflow, w.naive_inflow, w.net]);
  const lows = weeks.flatMap((w) => [-w.outflow, w.net, w.inflow_p10]);
  const hi = Math.max(0, ...highs.filter(Number.isFinite));
  let lo = Math.min(0, ...lows.filter(Number.isFinite));
  if (hi === lo) lo = hi - 1;
  const y = (v) => top + ((hi - v) / (hi - lo)) * (bottom - top);
  const line = (key) => weeks.map((w, i) => `${i ? 'L' : 'M'}${cx(i).toFixed(1)},${y(w[key]).toFixed(1)}`).join(' ');
  const bandText = band.replace('-', '–');

  const svg = s('svg', { class: 'chart forecast', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': label });
  // Grid: zero, the top, half-way and (with outflows) the bottom; a label too close to
  // one already placed is left out.
  const ticks = [];
  for (const v of [0, hi, hi / 2, lo]) {
    if (ticks.every((t) => Math.abs(y(t) - y(v)) >= 14)) ticks.push(v);
  }
  for (const v of ticks) {
    svg.append(s('line', { x1: left, x2: right, y1: y(v), y2: y(v), class: v === 0 ? 'axis' : 'gap' }));
    svg.append(s('text', { x: left - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'tick' }, compact(v)));
  }
  // Outflows below zero.
  weeks.forEach((w, i) => {
    if (!(w.outflow > 0)) return;
    svg.append(s('rect', { class: 'outflow', x: cx(i) - slot * 0.3, width: slot * 0.6, y: y(0), height: Math.max(1, y(-w.outflow) - y(0)) }));
  });
  // The band: P90 left to right, then P10 back.
  const upper = weeks.map((w, i) => `${i ? 'L' : 'M'}${cx(i).toFixed(1)},${y(w.inflow_p90).toFixed(1)}`).join(' ');
  const lower = [...weeks].reverse().map((w, j) => `L${cx(n - 1 - j).toFixed(1)},${y(w.inflow_p10).toFixed(1)}`).join(' ');
  svg.append(s('path', { class: 'band', d: `${upper} ${lower} Z` }, s('title', {}, `Expected inflow, ${bandText} band`)));
  svg.append(s('path', { class: 'line naive', d: line('naive_inflow') }, s('title', {}, 'Naive forecast: paid on the due date')));
  svg.append(s('path', { class: 'line net', d: line('net') }, s('title', {}, 'Net (expected inflow − outflow)')));
  svg.append(s('path', { class: 'line inflow', d: line('inflow') }, s('title', {}, 'Expected inflow')));
  weeks.forEach((w, i) => {
    svg.append(s('circle', { class: 'dot inflow', cx: cx(i), cy: y(w.inflow), r: 3.5 }));
    svg.append(s('rect', { class: 'dot net', x: cx(i) - 3, y: y(w.net) - 3, width: 6, height: 6 }));
  });
  // Week labels and one hover target per week with its figures.
  weeks.forEach((w, i) => {
    svg.append(s('text', { x: cx(i), y: bottom + 14, 'text-anchor': 'middle', class: 'tick' }, `W${i + 1}`));
    svg.append(s('g', { class: 'week', 'data-week': i + 1, 'data-start': w.week_start },
      s('title', {}, `Week ${i + 1} from ${w.week_start}: expected inflow ${formatMoney(amounts[i].inflow)} (${bandText} ${formatMoney(amounts[i].inflow_p10)}–${formatMoney(amounts[i].inflow_p90)}), naive ${formatMoney(amounts[i].naive_inflow)}, outflow ${formatMoney(amounts[i].outflow)}, net ${formatMoney(amounts[i].net)}`),
      s('rect', { x: left + i * slot, y: top, width: slot, height: bottom - top, class: 'hover' })));
  });
  svg.append(s('text', { x: left, y: height - 6, class: 'tick' }, `from ${weeks[0].week_start}`));
  svg.append(s('text', { x: right, y: height - 6, 'text-anchor': 'end', class: 'tick' }, `week ${n} from ${weeks[n - 1].week_start}`));
  const legend = h('ul', { class: 'legend' },
    h('li', {}, h('span', { class: 'swatch inflow' }), 'expected inflow'),
    h('li', {}, h('span', { class: 'swatch band' }), `${bandText} band`),
    h('li', {}, h('span', { class: 'swatch naive' }), 'naive (due date)'),
    h('li', {}, h('span', { class: 'swatch outflow' }), 'outflow'),
    h('li', {}, h('span', { class: 'swatch net' }), 'net'));
  return h('figure', { class: 'forecast-figure' }, svg, legend);
}

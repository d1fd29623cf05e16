// Hand-drawn SVG charts: feature contributions (diverging bars), a throughput sparkline
// and a score histogram. Each SVG has an accessible name; the numbers are also in
// <title>s (and, for contributions, a visually hidden table).
import { h, s, formatNumber } from './dom.js';

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

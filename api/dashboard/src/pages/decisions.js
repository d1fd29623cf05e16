// One decision record: model, version, score, the top feature contributions as bars,
// and the shadow models' scores. Shared by the instance page and the task page.
import { h, facts, formatNumber, timeEl } from '../dom.js';
import { contributionChart } from '../charts.js';

export function decisionView(d, { heading = 'h3' } = {}) {
  const score = typeof d.probability === 'number' ? d.probability : d.score;
  const shadow = d.shadow || [];
  return h('article', { class: 'decision', 'aria-label': `Decision at ${d.state || 'score'}` },
    h(heading, {}, `Decision${d.state ? ` at ${d.state}` : ''}: `,
      h('span', { class: ['score', score >= 0.5 ? 'high' : 'low'] }, formatNumber(score, 3)),
      d.label ? h('span', { class: 'badge' }, d.label) : null),
    facts([
      ['model', d.model ? h('a', { href: `#/models/${encodeURIComponent(d.model)}` }, d.model) : '—'],
      ['version', d.version],
      ['score', formatNumber(d.score, 4)],
      ['probability', typeof d.probability === 'number' ? formatNumber(d.probability, 4) : undefined],
      ['at', d.at ? timeEl(d.at) : undefined],
      ['route taken', (d.route || []).join(' → ') || undefined],
    ]),
    h('h4', {}, 'Why: top feature contributions'),
    contributionChart(d.contributions, { bias: d.bias, label: `Feature contributions to the ${d.model} score` }),
    d.features && Object.keys(d.features).length
      ? h('details', {}, h('summary', {}, 'Feature values'),
        h('table', { class: 'data compact' }, h('tbody', {}, Object.entries(d.features).map(([k, v]) =>
          h('tr', {}, h('th', { scope: 'row' }, k), h('td', { class: 'num' }, formatNumber(v, 4)))))))
      : null,
    shadow.length
      ? h('div', { class: 'shadow' }, h('h4', {}, 'Shadow scores'),
        h('table', { class: 'data compact' },
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'model'), h('th', { scope: 'col' }, 'version'), h('th', { scope: 'col', class: 'num' }, 'score'))),
          h('tbody', {}, shadow.map((sh) => h('tr', {}, h('td', {}, sh.model), h('td', {}, sh.version || ''),
            h('td', { class: 'num' }, sh.error ? h('span', { class: 'bad' }, sh.error) : formatNumber(sh.score, 4)))))))
      : null);
}

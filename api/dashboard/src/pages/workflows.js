// Workflows: the deployed definitions; one workflow's graph with live counts of the
// instances in each state, and an earlier version side by side with the latest.
import { api } from '../api.js';
import { h, clear, put, timeEl, facts, throttle } from '../dom.js';
import { drawGraph } from '../graph.js';

export async function renderWorkflows(main, _params, app, _query, current) {
  const [list, stats] = await Promise.all([api('/v1/workflows'), api('/v1/stats')]);
  if (!current()) return;
  const byName = Object.fromEntries(stats.workflows.map((w) => [w.name, w]));
  const items = [...list.items].sort((a, b) => a.name.localeCompare(b.name));
  put(main, 
    h('div', { class: 'page-head' }, h('h1', {}, 'Workflows')),
    h('table', { class: 'data' },
      h('caption', { class: 'sr-only' }, 'Deployed workflows'),
      h('thead', {}, h('tr', {}, ['workflow', 'title', 'version', 'running', 'waiting', 'failed', 'deployed']
        .map((c) => h('th', { scope: 'col', class: ['running', 'waiting', 'failed', 'version'].includes(c) ? 'num' : '' }, c)))),
      h('tbody', {}, items.map((w) => {
        const counts = (byName[w.name] || {}).instances || {};
        return h('tr', {},
          h('th', { scope: 'row' }, h('a', { href: `#/workflows/${encodeURIComponent(w.name)}` }, w.name)),
          h('td', {}, w.title || ''),
          h('td', { class: 'num' }, `v${w.latest_version}`, w.versions > 1 ? h('span', { class: 'muted' }, ` of ${w.versions}`) : ''),
          h('td', { class: 'num' }, String(counts.running || 0)),
          h('td', { class: 'num' }, String(counts.waiting || 0)),
          h('td', { class: ['num', (counts.failed || 0) > 0 && 'bad'] }, String(counts.failed || 0)),
          h('td', {}, timeEl(w.deployed_at), h('span', { class: 'muted' }, ` by ${w.deployed_by}`)));
      }))));
}

function stateCounts(stats, name, version) {
  const w = stats.workflows.find((x) => x.name === name);
  const counts = {};
  for (const st of (w ? w.states : [])) if (st.version === version) counts[st.state] = st.count;
  return counts;
}

function versionPanel(name, ver, counts) {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  return h('section', { class: 'panel version-panel', 'aria-label': `Version ${ver.version}` },
    h('h2', {}, `Version ${ver.version}`),
    facts([['deployed', timeEl(ver.deployed_at)], ['by', ver.deployed_by], ['format', ver.format],
      ['sensitive fields', (ver.sensitive || []).join(', ') || 'none'],
      ['unfinished instances', String(total)]]),
    drawGraph(ver.graph, { counts, label: `Graph of ${name} version ${ver.version}` }),
    h('details', {}, h('summary', {}, 'States and counts'),
      h('table', { class: 'data compact' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'state'), h('th', { scope: 'col' }, 'type'), h('th', { scope: 'col', class: 'num' }, 'instances here'))),
        h('tbody', {}, ver.graph.states.map((st) => h('tr', {}, h('td', {}, st.name), h('td', {}, st.type),
          h('td', { class: 'num' }, String(counts[st.name] || 0))))))),
    h('details', {}, h('summary', {}, 'Source'), h('pre', { class: 'source' }, ver.source || '')));
}

export async function renderWorkflow(main, [name], app, query, current) {
  const wf = await api(`/v1/workflows/${encodeURIComponent(name)}`);
  const versions = wf.versions.map((v) => v.version).sort((a, b) => b - a);
  const latest = wf.latest_version;
  const compare = Number(query.compare) || 0;
  const fetchVersion = (v) => api(`/v1/workflows/${encodeURIComponent(name)}/versions/${v}`);
  const [vLatest, vCompare] = await Promise.all([fetchVersion(latest), compare && compare !== latest ? fetchVersion(compare) : null]);
  if (!current()) return;

  const select = h('select', {
    id: 'compare', onchange: (e) => app.navigate(`#/workflows/${encodeURIComponent(name)}${e.target.value ? `?compare=${e.target.value}` : ''}`),
  }, h('option', { value: '' }, 'latest only'),
  versions.filter((v) => v !== latest).map((v) => h('option', { value: v, selected: v === compare }, `v${v} beside v${latest}`)));
  const panels = h('div', { class: vCompare ? 'side-by-side' : '' });
  const draw = async () => {
    const stats = await api('/v1/stats');
    if (!current()) return;
    put(panels, versionPanel(name, vLatest, stateCounts(stats, name, latest)),
      vCompare ? versionPanel(name, vCompare, stateCounts(stats, name, vCompare.version)) : null);
  };
  await draw();
  put(main, 
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/workflows' }, 'Workflows'), ' / ', name),
    h('div', { class: 'page-head' }, h('h1', {}, wf.title || name),
      h('a', { class: 'button', href: `#/instances?workflow=${encodeURIComponent(name)}` }, 'Instances')),
    wf.description ? h('p', {}, wf.description) : null,
    versions.length > 1 ? h('p', { class: 'toolbar' }, h('label', { for: 'compare' }, 'Compare with '), select) : null,
    h('p', { class: 'muted small' }, 'Badges count the running and waiting instances in each state; they update live.'),
    panels);
  app.onEvent(throttle(() => draw().catch(() => {}), 1000));
}

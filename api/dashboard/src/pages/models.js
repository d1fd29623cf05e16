// Models: the registry (versions, aliases, champion metrics); one model's versions, the
// alias table (admins may repoint an alias) and the distribution of its recent scores,
// sampled from the decisions of recently started instances.
import { api } from '../api.js';
import { h, clear, put, facts, formatNumber, notice, timeEl } from '../dom.js';
import { histogram } from '../charts.js';

const SAMPLE_INSTANCES = 60;
const PARALLEL = 4;

function metricsText(m) {
  if (!m || typeof m !== 'object') return '—';
  return Object.entries(m).filter(([, v]) => typeof v === 'number').slice(0, 4)
    .map(([k, v]) => `${k} ${formatNumber(v, 3)}`).join(' · ') || '—';
}

export async function renderModels(main, _params, _app, _query, current) {
  const list = await api('/v1/models');
  if (!current()) return;
  put(main, h('div', { class: 'page-head' }, h('h1', {}, 'Models')),
    list.items.length
      ? h('table', { class: 'data' },
        h('caption', { class: 'sr-only' }, 'Models in the registry'),
        h('thead', {}, h('tr', {}, ['model', 'champion', 'aliases', 'versions', 'champion metrics'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, list.items.map((m) => h('tr', {},
          h('th', { scope: 'row' }, h('a', { href: `#/models/${encodeURIComponent(m.name)}` }, m.name)),
          h('td', {}, m.champion ? `v${m.champion}` : '—'),
          h('td', {}, Object.entries(m.aliases || {}).map(([a, v]) => h('span', { class: 'badge' }, `${a} → v${v}`))),
          h('td', {}, (m.versions || []).map((v) => `v${v}`).join(', ')),
          h('td', {}, metricsText(m.metrics))))))
      : h('p', { class: 'muted' }, 'The model registry is empty.'));
}

async function sampleDecisions(name) {
  const since = new Date(Date.now() - 24 * 3600 * 1000).toISOString();
  const page = await api('/v1/instances', { query: { created_after: since, limit: 1000 } });
  const ids = page.items.slice(-SAMPLE_INSTANCES).map((i) => i.id);
  const out = [];
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++];
      try {
        const d = await api(`/v1/instances/${encodeURIComponent(id)}/decisions`);
        for (const x of d.items) {
          if (x.model === name) out.push({ version: x.version, score: x.score, at: x.at });
          for (const sh of x.shadow || []) {
            if (sh.model === name && typeof sh.score === 'number') out.push({ version: sh.version, score: sh.score, at: x.at, shadow: true });
          }
        }
      } catch {
        /* an instance that vanished or is not visible: skip */
      }
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  return { scores: out, instances: ids.length };
}

function aliasForm(model, app, reload) {
  const alias = h('input', { id: 'alias-name', name: 'alias', value: 'champion', required: true, pattern: '[A-Za-z_][A-Za-z0-9_-]*' });
  const version = h('select', { id: 'alias-version', name: 'version' }, model.versions.map((v) => h('option', { value: v.version }, `v${v.version}`)));
  const result = h('div', { 'aria-live': 'polite' });
  return h('form', {
    class: 'inline-form',
    onsubmit: async (e) => {
      e.preventDefault();
      clear(result);
      try {
        await api(`/v1/models/${encodeURIComponent(model.name)}/aliases/${encodeURIComponent(alias.value)}`, { method: 'PUT', body: { version: Number(version.value) } });
        reload();
      } catch (err) {
        result.append(notice('error', err.message));
      }
    },
  }, h('h3', {}, 'Point an alias (admin)'),
  h('div', { class: 'field inline' }, h('label', { for: 'alias-name' }, 'Alias'), alias,
    h('label', { for: 'alias-version' }, 'to'), version, h('button', { type: 'submit', class: 'primary' }, 'Save')), result);
}

export async function renderModel(main, [name], app, _query, current) {
  const model = await api(`/v1/models/${encodeURIComponent(name)}`);
  if (!current()) return;
  const dist = h('div', {}, h('p', { class: 'muted' }, 'Sampling recent decisions…'));
  put(main, 
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/models' }, 'Models'), ' / ', name),
    h('div', { class: 'page-head' }, h('h1', {}, name)),
    facts([['champion', model.champion ? `v${model.champion}` : '—'],
      ['aliases', Object.entries(model.aliases || {}).map(([a, v]) => `${a} → v${v}`).join(', ') || 'none']]),
    app.isAdmin() ? aliasForm(model, app, () => app.navigate(window.location.hash)) : null,
    h('section', { class: 'panel', 'aria-labelledby': 'ver-h' }, h('h2', { id: 'ver-h' }, 'Versions'),
      h('table', { class: 'data' },
        h('thead', {}, h('tr', {}, ['version', 'objective', 'label', 'features', 'metrics', 'trained'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, model.versions.map((v) => h('tr', {},
          h('th', { scope: 'row' }, `v${v.version}`, v.version === model.champion ? h('span', { class: 'badge' }, 'champion') : null),
          h('td', {}, v.objective || v.format || '—'), h('td', {}, v.label || '—'),
          h('td', {}, String((v.features || []).length)),
          h('td', {}, metricsText(v.metrics)),
          h('td', {}, v.training && v.training.trained_at ? timeEl(v.training.trained_at) : '—')))))),
    h('section', { class: 'panel', 'aria-labelledby': 'dist-h' }, h('h2', { id: 'dist-h' }, 'Score distribution'), dist),
    h('section', { class: 'panel', 'aria-labelledby': 'acc-h' }, h('h2', { id: 'acc-h' }, 'Realised accuracy'),
      h('p', { class: 'muted' }, 'Shown here once outcomes (what really happened to each scored item) are recorded.')));

  const { scores, instances } = await sampleDecisions(name);
  if (!current()) return;
  const versions = [...new Set(scores.map((x) => `${x.version}${x.shadow ? ' (shadow)' : ''}`))].sort();
  put(dist, 
    h('p', { class: 'muted small' }, `${scores.length} scores from the decisions of ${instances} instances started in the last 24 hours (a sample).`),
    scores.length
      ? h('div', { class: 'columns' }, versions.map((key) => {
        const vals = scores.filter((x) => `${x.version}${x.shadow ? ' (shadow)' : ''}` === key).map((x) => x.score);
        const mean = vals.reduce((a, b) => a + b, 0) / vals.length;
        return h('div', {}, h('h3', {}, `v${key}`), h('p', { class: 'small' }, `${vals.length} scores, mean ${formatNumber(mean, 3)}`),
          histogram(vals, { lo: 0, hi: Math.max(1, ...vals), label: `Distribution of ${vals.length} scores of ${name} version ${key}` }));
      }))
      : h('p', { class: 'muted' }, 'No recent decisions by this model.'));
}

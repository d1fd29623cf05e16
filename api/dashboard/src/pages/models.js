// Models: the registry (versions, aliases, champion metrics); one model's versions, the
// alias table (admins may repoint an alias), the distribution of its recent scores and
// their mean per hour (or day), sampled from the decisions of recently started instances,
// and the realised accuracy per version from recorded outcomes
// (GET /v1/models/{name}/performance).
import { api } from '../api.js';
import { h, clear, put, facts, formatNumber, notice, timeEl } from '../dom.js';
import { histogram, meanLine } from '../charts.js';

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

const HOUR_MS = 3600 * 1000;
const DAY_MS = 24 * HOUR_MS;
const MAX_BUCKETS = 400;

// Mean score per hour (per day when the scores span two days or more), one series per
// version (shadow versions apart). Buckets are local hours/days.
function scoresOverTime(scores, name) {
  const timed = scores.map((x) => ({ ...x, ms: Date.parse(x.at) })).filter((x) => Number.isFinite(x.ms));
  if (!timed.length) return h('p', { class: 'muted' }, 'No timestamps on the sampled scores.');
  const first = Math.min(...timed.map((x) => x.ms));
  const last = Math.max(...timed.map((x) => x.ms));
  const daily = last - first >= 2 * DAY_MS;
  const bucketOf = daily
    ? (ms) => { const d = new Date(ms); return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime(); }
    : (ms) => { const d = new Date(ms); d.setMinutes(0, 0, 0); return d.getTime(); };
  const buckets = [];
  for (let b = bucketOf(first); b <= last && buckets.length < MAX_BUCKETS;) {
    buckets.push(b);
    const d = new Date(b);
    if (daily) d.setDate(d.getDate() + 1);
    else d.setHours(d.getHours() + 1);
    b = d.getTime();
  }
  const keys = [...new Set(timed.map(versionKey))].sort();
  const series = keys.map((key, i) => {
    const sums = new Map();
    for (const x of timed) {
      if (versionKey(x) !== key) continue;
      const b = bucketOf(x.ms);
      const acc = sums.get(b) || { sum: 0, n: 0 };
      acc.sum += x.score;
      acc.n += 1;
      sums.set(b, acc);
    }
    return {
      label: `v${key}`,
      cls: `s${(i % 4) + 1}`,
      points: [...sums].filter(([b]) => buckets.includes(b)).map(([at, { sum, n }]) => ({ at, mean: sum / n, n })),
    };
  });
  const formatBucket = daily
    ? (ms) => new Date(ms).toLocaleDateString(undefined, { month: 'short', day: '2-digit' })
    : (ms) => new Date(ms).toLocaleString(undefined, { month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit' });
  return h('div', { class: 'over-time' },
    h('h3', {}, `Mean score per ${daily ? 'day' : 'hour'}`),
    meanLine(series, buckets, { formatBucket, label: `Mean score of ${name} per ${daily ? 'day' : 'hour'}, by version` }));
}

function versionKey(x) {
  return `${x.version}${x.shadow ? ' (shadow)' : ''}`;
}

// The realised accuracy table(s): binary versions (accuracy at 0.5, AUC, Brier, mean
// score) and regression versions (MAE, RMSE) apart.
function performanceView(perf, model) {
  const versions = (perf && perf.versions) || [];
  if (!versions.length) {
    return [h('p', { class: 'no-outcomes' }, 'No outcomes recorded yet.'),
      h('p', { class: 'muted small' }, 'An AP manager, finance director, credit controller, integration or admin records what really happened to a decision on its instance page (or through POST /v1/outcomes).')];
  }
  const champion = (v) => (Number(v.version) === model.champion ? h('span', { class: 'badge' }, 'champion') : null);
  const num = (v, digits = 3) => h('td', { class: 'num' }, typeof v === 'number' ? formatNumber(v, digits) : '—');
  const binary = versions.filter((v) => v.kind !== 'regression');
  const regression = versions.filter((v) => v.kind === 'regression');
  const head = (cols) => h('thead', {}, h('tr', {}, cols.map((c, i) => h('th', { scope: 'col', class: i ? 'num' : null }, c))));
  return [
    h('p', { class: 'muted small' }, `${perf.outcomes} outcome${perf.outcomes === 1 ? '' : 's'} recorded, each joined with the score its decision recorded (the version that decided; shadow scores are not evaluated).`),
    binary.length
      ? h('table', { class: 'data compact performance', 'data-kind': 'binary' },
        h('caption', {}, 'Realised accuracy per version'),
        head(['version', 'outcomes', 'positives', 'accuracy (at 0.5)', 'AUC', 'Brier', 'mean score']),
        h('tbody', {}, binary.map((v) => h('tr', { 'data-version': v.version },
          h('th', { scope: 'row' }, `v${v.version}`, champion(v)),
          num(v.count), num(v.positives),
          h('td', { class: 'num' }, typeof v.accuracy === 'number' ? `${(v.accuracy * 100).toFixed(1)}%` : '—'),
          v.auc === null || v.auc === undefined
            ? h('td', { class: 'num', title: 'AUC needs outcomes of both classes (0 and 1)' }, 'n/a (one class)')
            : num(v.auc),
          num(v.brier, 4), num(v.mean_score)))))
      : null,
    regression.length
      ? h('table', { class: 'data compact performance', 'data-kind': 'regression' },
        h('caption', {}, 'Realised error per version'),
        head(['version', 'outcomes', 'MAE', 'RMSE']),
        h('tbody', {}, regression.map((v) => h('tr', { 'data-version': v.version },
          h('th', { scope: 'row' }, `v${v.version}`, champion(v)),
          num(v.count), num(v.mae, 4), num(v.rmse, 4)))))
      : null,
  ];
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
  const accuracy = h('div', {}, h('p', { class: 'muted' }, 'Loading outcomes…'));
  const perfLoad = api(`/v1/models/${encodeURIComponent(name)}/performance`)
    .then((perf) => performanceView(perf, model))
    .catch((err) => notice('error', `Could not load the realised accuracy: ${err.message}`));
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
    h('section', { class: 'panel', 'aria-labelledby': 'acc-h' }, h('h2', { id: 'acc-h' }, 'Realised accuracy'), accuracy));

  const sampleLoad = sampleDecisions(name); // both loads run together
  sampleLoad.catch(() => {}); // still thrown by the await below; no unhandled rejection if the page changed first
  const perfView = await perfLoad;
  if (!current()) return;
  put(accuracy, perfView);

  const { scores, instances } = await sampleLoad;
  if (!current()) return;
  const versions = [...new Set(scores.map(versionKey))].sort();
  put(dist, 
    h('p', { class: 'muted small' }, `${scores.length} scores from the decisions of ${instances} instances started in the last 24 hours (a sample).`),
    scores.length
      ? h('div', { class: 'columns' }, versions.map((key) => {
        const vals = scores.filter((x) => versionKey(x) === key).map((x) => x.score);
        const mean = vals.reduce((a, b) => a + b, 0) / vals.length;
        return h('div', {}, h('h3', {}, `v${key}`), h('p', { class: 'small' }, `${vals.length} scores, mean ${formatNumber(mean, 3)}`),
          histogram(vals, { lo: 0, hi: Math.max(1, ...vals), label: `Distribution of ${vals.length} scores of ${name} version ${key}` }));
      }))
      : h('p', { class: 'muted' }, 'No recent decisions by this model.'),
    scores.length ? scoresOverTime(scores, name) : null);
}

// Overview: instances by workflow and status, throughput over the last hour, open and
// overdue tasks, recent failures. Refreshed from /v1/stats when the live feed moves.
import { api } from '../api.js';
import { h, clear, put, timeEl, statusBadge, shortId, throttle } from '../dom.js';
import { sparkline } from '../charts.js';

const STATUSES = ['running', 'waiting', 'succeeded', 'failed', 'cancelled'];

function card(label, value, { kind = '', href, note } = {}) {
  const body = [h('span', { class: 'card-value' }, String(value)), h('span', { class: 'card-label' }, label),
    note ? h('span', { class: 'card-note' }, note) : null];
  return h('li', { class: ['card', kind] }, href ? h('a', { href }, body) : body);
}

function view(stats) {
  const t = stats.totals.instances || {};
  const total = STATUSES.reduce((n, st) => n + (t[st] || 0), 0);
  const cards = h('ul', { class: 'cards', 'aria-label': 'Totals' },
    card('instances', total, { href: '#/instances' }),
    card('running', t.running || 0, { href: '#/instances?status=running' }),
    card('waiting', t.waiting || 0, { href: '#/instances?status=waiting' }),
    card('succeeded', t.succeeded || 0, { kind: 'ok', href: '#/instances?status=succeeded' }),
    card('failed', t.failed || 0, { kind: (t.failed || 0) > 0 ? 'bad' : '', href: '#/instances?status=failed' }),
    card('open tasks', stats.totals.open_tasks, { href: '#/inbox' }),
    card('past due', stats.totals.overdue_tasks, {
      kind: stats.totals.overdue_tasks > 0 ? 'bad' : 'ok', note: 'SLA breaches', href: '#/inbox',
    }));

  const workflows = [...stats.workflows].sort((a, b) => a.name.localeCompare(b.name));
  const table = workflows.length
    ? h('table', { class: 'data' },
      h('caption', {}, 'Instances by workflow and status'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'workflow'),
        STATUSES.map((st) => h('th', { scope: 'col', class: 'num' }, st)),
        h('th', { scope: 'col', class: 'num' }, 'open tasks'), h('th', { scope: 'col', class: 'num' }, 'past due'))),
      h('tbody', {}, workflows.map((w) => h('tr', {},
        h('th', { scope: 'row' }, h('a', { href: `#/workflows/${encodeURIComponent(w.name)}` }, w.name)),
        STATUSES.map((st) => h('td', { class: 'num' }, (w.instances[st] || 0)
          ? h('a', { href: `#/instances?workflow=${encodeURIComponent(w.name)}&status=${st}` }, String(w.instances[st]))
          : h('span', { class: 'muted' }, '0'))),
        h('td', { class: 'num' }, String(w.open_tasks)),
        h('td', { class: ['num', w.overdue_tasks > 0 && 'bad'] }, String(w.overdue_tasks))))))
    : h('p', { class: 'muted' }, 'No instances yet. Start one through the REST API (POST /v1/workflows/{name}/instances).');

  const series = stats.throughput.map((m) => ({
    at: m.at, values: { started: m.started, finished: m.succeeded + m.failed + m.cancelled, failed: m.failed },
  }));
  const started = series.reduce((n, p) => n + p.values.started, 0);
  const finished = series.reduce((n, p) => n + p.values.finished, 0);
  const throughput = h('section', { class: 'panel', 'aria-labelledby': 'tp-h' },
    h('h2', { id: 'tp-h' }, 'Throughput, last hour'),
    h('p', { class: 'muted' }, `${started} started, ${finished} finished`),
    sparkline(series, [
      { key: 'started', label: 'started', cls: 's1' },
      { key: 'finished', label: 'finished', cls: 's2' },
      { key: 'failed', label: 'failed', cls: 's3' },
    ], { label: `Instances started and finished per minute over the last hour: ${started} started, ${finished} finished` }));

  const failures = h('section', { class: 'panel', 'aria-labelledby': 'fail-h' },
    h('h2', { id: 'fail-h' }, 'Recent failures'),
    stats.recent_failures.length
      ? h('ul', { class: 'failures' }, stats.recent_failures.map((f) => h('li', {},
        h('a', { href: `#/instances/${encodeURIComponent(f.id)}` }, f.business_key || shortId(f.id)),
        ' ', h('span', { class: 'muted' }, f.workflow), ' ', statusBadge('failed'),
        h('div', { class: 'small' }, h('code', {}, f.error || 'error'), f.message ? ` — ${f.message}` : ''),
        h('div', { class: 'small muted' }, timeEl(f.at)))))
      : h('p', { class: 'muted' }, 'No failed instances.'));

  return [cards, h('section', { class: 'panel', 'aria-label': 'Instances by workflow' }, table),
    h('div', { class: 'columns' }, throughput, failures)];
}

export async function renderOverview(main, _params, app, _query, current) {
  const body = h('div', { id: 'overview-body' });
  const updated = h('p', { class: 'muted small', 'aria-live': 'off' });
  const draw = async () => {
    const stats = await api('/v1/stats');
    if (!current()) return;
    put(body, ...view(stats));
    updated.textContent = `Updated ${new Date(stats.at).toLocaleTimeString()} · live`;
  };
  await draw();
  put(main, h('div', { class: 'page-head' }, h('h1', {}, 'Overview'), updated), body);
  app.onEvent(throttle(() => draw().catch(() => {}), 1000));
}

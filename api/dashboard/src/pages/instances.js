// Instances: filter (workflow, status, business key, created after) and page through
// them with the API's cursor (the filter and the page live in the URL).
import { api } from '../api.js';
import { h, clear, put, timeEl, statusBadge, shortId, throttle } from '../dom.js';

const PAGE = 25;
const STATUSES = ['running', 'waiting', 'succeeded', 'failed', 'cancelled'];

function link(query) {
  const q = new URLSearchParams(Object.entries(query).filter(([, v]) => v));
  const text = q.toString();
  return `#/instances${text ? `?${text}` : ''}`;
}

export async function renderInstances(main, _params, app, query, current) {
  const filter = {
    workflow: query.workflow || '', status: query.status || '', business_key: query.business_key || '',
    created_after: query.created_after || '',
  };
  const prev = (query.prev || '').split(',').filter(Boolean);
  const [workflows, page] = await Promise.all([
    api('/v1/workflows'),
    api('/v1/instances', {
      query: {
        ...filter, created_after: filter.created_after ? new Date(`${filter.created_after}T00:00:00`).toISOString() : '',
        limit: PAGE, cursor: query.cursor,
      },
    }),
  ]);
  if (!current()) return;

  const field = (id, label, control) => h('div', { class: 'field' }, h('label', { for: id }, label), control);
  const form = h('form', {
    class: 'filters', role: 'search', 'aria-label': 'Filter instances',
    onsubmit: (e) => {
      e.preventDefault();
      const data = new FormData(e.target);
      app.navigate(link(Object.fromEntries([...data.entries()].map(([k, v]) => [k, String(v).trim()]))));
    },
  },
  field('f-workflow', 'Workflow', h('select', { id: 'f-workflow', name: 'workflow' }, h('option', { value: '' }, 'any'),
    workflows.items.map((w) => w.name).sort().map((n) => h('option', { value: n, selected: n === filter.workflow }, n)))),
  field('f-status', 'Status', h('select', { id: 'f-status', name: 'status' }, h('option', { value: '' }, 'any'),
    STATUSES.map((st) => h('option', { value: st, selected: st === filter.status }, st)))),
  field('f-key', 'Business key', h('input', { id: 'f-key', name: 'business_key', type: 'search', value: filter.business_key })),
  field('f-after', 'Created after', h('input', { id: 'f-after', name: 'created_after', type: 'date', value: filter.created_after })),
  h('div', { class: 'field actions' }, h('button', { type: 'submit', class: 'primary' }, 'Apply'),
    h('a', { class: 'button', href: '#/instances' }, 'Reset')));

  const rows = page.items.map((i) => h('tr', {},
    h('th', { scope: 'row' }, h('a', { href: `#/instances/${encodeURIComponent(i.id)}`, title: i.id }, i.business_key || shortId(i.id))),
    h('td', {}, h('a', { href: `#/workflows/${encodeURIComponent(i.workflow)}` }, i.workflow), h('span', { class: 'muted' }, ` v${i.version}`)),
    h('td', {}, statusBadge(i.status)),
    h('td', {}, (i.states || []).join(', ') || h('span', { class: 'muted' }, '—')),
    h('td', {}, i.created_by),
    h('td', {}, timeEl(i.created_at)),
    h('td', {}, timeEl(i.updated_at))));
  const table = page.items.length
    ? h('table', { class: 'data' },
      h('caption', { class: 'sr-only' }, 'Instances'),
      h('thead', {}, h('tr', {}, ['instance', 'workflow', 'status', 'state', 'started by', 'created', 'updated']
        .map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, rows))
    : h('p', { class: 'muted' }, 'No instances match.');

  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages' },
    prev.length
      ? h('a', { class: 'button', href: link({ ...filter, cursor: prev[prev.length - 1] === '-' ? '' : prev[prev.length - 1], prev: prev.slice(0, -1).join(',') }) }, '← Previous')
      : null,
    query.cursor ? h('a', { class: 'button', href: link(filter) }, 'First page') : null,
    page.next_cursor
      ? h('a', { class: 'button', href: link({ ...filter, cursor: page.next_cursor, prev: [...prev, query.cursor || '-'].join(',') }) }, 'Next →')
      : null,
    h('span', { class: 'muted small' }, `${page.items.length} shown, oldest first`));

  const fresh = h('p', { class: 'muted small', role: 'status' });
  put(main, h('div', { class: 'page-head' }, h('h1', {}, 'Instances'), fresh), form, table, pager);
  // Lists are not redrawn under the reader; say that something changed instead.
  app.onEvent(throttle(() => {
    fresh.textContent = '';
    fresh.append('Instances changed since this page was loaded. ',
      h('a', { href: window.location.hash, onclick: (e) => { e.preventDefault(); app.navigate(window.location.hash); } }, 'Refresh'));
  }, 1000));
}

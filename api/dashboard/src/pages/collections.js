// Collections: the AR worklist, highest priority first (GET /v1/collections/worklist:
// outstanding x P(late) x ageing, recomputed by the server on every call). Filters by
// collector (default: the signed-in user when they hold the collector role) and currency
// live in the URL; the list is not redrawn under the reader — an event says the ledger
// may have changed and Refresh reloads it.
import { api } from '../api.js';
import { h, put, notice, throttle, formatMoney as money } from '../dom.js';

const PAGE = 200;
const MAX_PAGE = 1000;
const DAY_MS = 24 * 3600 * 1000;

function percent(p) {
  return typeof p === 'number' && Number.isFinite(p) ? `${Math.round(p * 100)}%` : '—';
}

function dayNumber(date) {
  const ms = Date.parse(`${date}T00:00:00Z`);
  return Number.isFinite(ms) ? Math.round(ms / DAY_MS) : null;
}

// The workflows that change open AR invoices (cash applied, dunning, promises, disputes).
export const AR_WORKFLOWS = ['ar_collections', 'ar_cash_application', 'o2c_credit_check'];

// True for an event of one of `workflows`, or one that names no workflow.
export function touchesWorkflows(ev, workflows) {
  const w = ev && ev.data && ev.data.payload && ev.data.payload.workflow;
  return !w || workflows.includes(w);
}

function link(query) {
  // collector is always in the URL once chosen ("" = every collector), so the default
  // (the signed-in collector) applies only when the page is opened without it.
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (k === 'collector' ? v !== undefined && v !== null : v) q.set(k, v);
  }
  const text = q.toString();
  return `#/collections${text ? `?${text}` : ''}`;
}

// "12 days overdue" / "due today" / "due in 5 days", from the worklist's as_of.
function overdueCell(item, asOf) {
  if (item.days_overdue > 0) {
    return h('td', { class: 'num overdue', 'data-days-overdue': item.days_overdue }, String(item.days_overdue));
  }
  const due = dayNumber(item.due_date);
  const today = dayNumber(asOf);
  const left = due !== null && today !== null ? due - today : null;
  return h('td', { class: 'num', 'data-days-overdue': 0 },
    h('span', { class: 'muted small' }, left === null ? 'not due' : left === 0 ? 'due today' : `due in ${left} day${left === 1 ? '' : 's'}`));
}

function row(item, asOf, rank) {
  return h('tr', { 'data-invoice': item.invoice_id, 'data-priority': item.priority, 'data-currency': item.currency },
    h('td', { class: 'num muted' }, String(rank)),
    h('th', { scope: 'row' },
      h('a', { href: `#/instances?business_key=${encodeURIComponent(item.invoice_id)}`, title: `${item.invoice_id}: its workflow instances` }, item.invoice_number || item.invoice_id),
      item.disputed ? h('span', { class: 'badge disputed' }, 'disputed') : null),
    h('td', {}, item.customer_id),
    h('td', { class: 'num' }, money(item.outstanding), ' ', h('span', { class: 'muted small' }, item.currency)),
    h('td', {}, h('time', { datetime: item.due_date }, item.due_date)),
    overdueCell(item, asOf),
    h('td', { class: 'num', title: item.scored ? `expected ${Math.round(item.expected_days_late)} days late` : 'not scored yet: 50% assumed' },
      percent(item.p_late), item.scored ? null : h('span', { class: 'badge unscored' }, 'not scored')),
    h('td', {}, item.dunning_level ? h('span', { class: `badge dunning dunning-${item.dunning_level}` }, item.dunning_level.replace(/_/g, ' ')) : h('span', { class: 'muted' }, 'none')),
    h('td', {}, item.promised_date ? h('time', { datetime: item.promised_date }, item.promised_date) : h('span', { class: 'muted' }, '—')),
    h('td', {}, item.collector || h('span', { class: 'muted' }, 'unassigned')),
    h('td', { class: 'num' }, money(item.priority)));
}

function options(values, selected, allLabel) {
  const set = [...new Set([...values, selected].filter(Boolean))].sort();
  return [h('option', { value: '', selected: !selected }, allLabel),
    ...set.map((v) => h('option', { value: v, selected: v === selected }, v))];
}

export async function renderCollections(main, _params, app, query, current) {
  const isCollector = app.viewer.roles.includes('collector');
  const filter = {
    collector: 'collector' in query ? query.collector : (isCollector ? app.viewer.user : ''),
    currency: query.currency || '',
    include_disputed: query.include_disputed === 'true' ? 'true' : '',
  };
  const limit = Math.min(MAX_PAGE, Math.max(1, Number(query.limit) || PAGE));
  const list = await api('/v1/collections/worklist', {
    query: { collector: filter.collector, currency: filter.currency, include_disputed: filter.include_disputed, limit },
  });
  if (!current()) return;

  const collectors = list.items.map((i) => i.collector).filter(Boolean);
  if (isCollector) collectors.push(app.viewer.user);
  const field = (id, label, control) => h('div', { class: 'field' }, h('label', { for: id }, label), control);
  const form = h('form', {
    class: 'filters', role: 'search', 'aria-label': 'Filter the worklist',
    onsubmit: (e) => {
      e.preventDefault();
      const data = new FormData(e.target);
      app.navigate(link({
        collector: String(data.get('collector') || ''),
        currency: String(data.get('currency') || ''),
        include_disputed: data.get('include_disputed') ? 'true' : '',
      }));
    },
  },
  field('f-collector', 'Collector', h('select', { id: 'f-collector', name: 'collector' }, options(collectors, filter.collector, 'every collector'))),
  field('f-currency', 'Currency', h('select', { id: 'f-currency', name: 'currency' }, options(list.items.map((i) => i.currency), filter.currency, 'every currency'))),
  h('div', { class: 'field checkbox' }, h('label', { for: 'f-disputed' },
    h('input', { id: 'f-disputed', name: 'include_disputed', type: 'checkbox', value: 'true', checked: Boolean(filter.include_disputed) }), ' Include disputed')),
  h('div', { class: 'field actions' }, h('button', { type: 'submit', class: 'primary' }, 'Apply'),
    h('a', { class: 'button', href: link({ collector: '' }) }, 'Everyone\'s')));

  let body;
  if (list.open_invoices === 0) {
    body = h('div', { class: 'empty no-ar-data', role: 'status' },
      h('p', {}, h('strong', {}, 'No open AR invoices.'), ' The ledger holds no customer invoices to collect yet.'),
      h('p', { class: 'muted small' }, 'AR invoices arrive from the ERP (POST /v1/records/ar_invoices or ledgerflow import, usually starting ar_collections per invoice); scripts/demo-feed sends a generated collections day.'));
  } else if (!list.items.length) {
    body = h('div', { class: 'empty', role: 'status' },
      h('p', {}, `No open invoice matches these filters (${list.open_invoices} open in the ledger).`),
      h('p', {}, h('a', { href: link({ collector: '' }) }, 'Show every collector\'s worklist')));
  } else {
    const cols = [['#', 'num'], ['invoice', ''], ['customer', ''], ['outstanding', 'num'], ['due date', ''], ['days overdue', 'num'],
      ['P(late)', 'num'], ['dunning', ''], ['promised', ''], ['collector', ''], ['priority', 'num']];
    body = [
      h('table', { class: 'data worklist' },
        h('caption', { class: 'sr-only' }, 'Collections worklist, highest priority first'),
        h('thead', {}, h('tr', {}, cols.map(([c, cls]) => h('th', { scope: 'col', class: cls || null }, c)))),
        h('tbody', {}, list.items.map((item, i) => row(item, list.as_of, i + 1)))),
      list.total > list.items.length
        ? h('p', { class: 'muted small' }, `The first ${list.items.length} of ${list.total} shown. `,
          limit < MAX_PAGE ? h('a', { href: link({ ...filter, limit: MAX_PAGE }) }, `Show up to ${MAX_PAGE}`) : null)
        : null,
      list.truncated ? notice('warn', 'The ledger holds more open invoices than the worklist reads; the rest are not ranked.') : null,
    ];
  }

  const who = filter.collector ? `${filter.collector}'s customers` : 'every collector';
  const summary = h('p', { class: 'muted small worklist-summary' },
    `${list.total} open invoice${list.total === 1 ? '' : 's'} for ${who}${filter.currency ? ` in ${filter.currency}` : ''}, as of ${list.as_of} · `,
    'priority = outstanding × P(late) × ageing (no currency conversion: filter by currency to compare amounts)');
  const fresh = h('p', { class: 'muted small', role: 'status' });
  const refresh = h('button', { type: 'button', onclick: () => app.navigate(window.location.hash) }, 'Refresh');
  put(main, h('div', { class: 'page-head' }, h('h1', {}, 'Collections'), h('div', { class: 'toolbar' }, fresh, refresh)),
    form, summary, body);
  // Payments applied, dunning stages and promises change the list: say so, do not redraw.
  const changed = throttle(() => {
    fresh.textContent = 'The ledger may have changed since this page was loaded.';
  }, 1000);
  app.onEvent((ev) => {
    if (touchesWorkflows(ev, AR_WORKFLOWS)) changed();
  });
}

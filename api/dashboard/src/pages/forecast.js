// Cash forecast: 13 weeks of expected AR inflows with their P10–P90 band, the naive
// forecast (everyone pays on the due date), AP outflows and the net, for one currency at a
// time (GET /v1/forecast/cash; amounts are never converted between currencies). A chart,
// then the same figures as a table. Refresh recomputes it (the server reads the ledger).
import { api } from '../api.js';
import { h, put, facts, notice, throttle, formatMoney as money, sumMoney, moneyUnits, isNegativeMoney } from '../dom.js';
import { forecastChart } from '../charts.js';
import { AR_WORKFLOWS, touchesWorkflows } from './collections.js';

const WEEKS = 13;

// Exact sums of the weeks' decimal-string amounts.
function totals(weeks) {
  const sum = (k) => sumMoney(weeks.map((w) => w[k]));
  return { inflow: sum('inflow'), naive_inflow: sum('naive_inflow'), outflow: sum('outflow'), net: sum('net') };
}

function compareMoney(a, b) {
  const x = moneyUnits(a) ?? 0n;
  const y = moneyUnits(b) ?? 0n;
  return x < y ? -1 : x > y ? 1 : 0;
}

function weekEnd(start) {
  const d = new Date(`${start}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 6);
  return d.toISOString().slice(0, 10);
}

function table(c) {
  const t = totals(c.weeks);
  const num = (v, cls) => h('td', { class: ['num', cls, isNegativeMoney(v) && 'negative'] }, money(v));
  return h('table', { class: 'data compact forecast-table' },
    h('caption', {}, `Week by week, ${c.currency}`),
    h('thead', {}, h('tr', {}, [['week', ''], ['from', ''], ['expected inflow', 'num'], ['P10', 'num'], ['P90', 'num'],
      ['naive inflow', 'num'], ['outflow', 'num'], ['net', 'num']].map(([x, cls]) => h('th', { scope: 'col', class: cls || null }, x)))),
    h('tbody', {}, c.weeks.map((w, i) => h('tr', { 'data-week': i + 1 },
      h('th', { scope: 'row' }, String(i + 1)),
      h('td', {}, h('time', { datetime: w.week_start, title: `${w.week_start} to ${weekEnd(w.week_start)}` }, w.week_start)),
      num(w.inflow), num(w.inflow_p10, 'muted'), num(w.inflow_p90, 'muted'), num(w.naive_inflow), num(w.outflow), num(w.net)))),
    h('tfoot', {}, h('tr', {},
      h('th', { scope: 'row', colspan: 2 }, `${c.weeks.length} weeks`),
      num(t.inflow), h('td', {}), h('td', {}), num(t.naive_inflow), num(t.outflow), num(t.net))));
}

export async function renderForecast(main, _params, app, query, current) {
  const f = await api('/v1/forecast/cash', { query: { weeks: WEEKS } });
  if (!current()) return;
  const fresh = h('p', { class: 'muted small', role: 'status' });
  const refresh = h('button', { type: 'button', onclick: () => app.navigate(window.location.hash) }, 'Refresh');
  const head = h('div', { class: 'page-head' }, h('h1', {}, 'Cash forecast'), h('div', { class: 'toolbar' }, fresh, refresh));

  if (!f.currencies.length) {
    put(main, head, h('div', { class: 'empty no-ar-data', role: 'status' },
      h('p', {}, h('strong', {}, 'Nothing to forecast.'), ' There are no open AR invoices and no approved AP invoices due in the next 13 weeks.'),
      h('p', { class: 'muted small' }, 'Inflows come from open AR invoices (POST /v1/records/ar_invoices, or scripts/demo-feed), outflows from AP invoices posted to the journal.')));
    return;
  }
  // The selected currency, else the one with the most expected inflow.
  const ranked = [...f.currencies].sort((a, b) => compareMoney(totals(b.weeks).inflow, totals(a.weeks).inflow) || a.currency.localeCompare(b.currency));
  const c = f.currencies.find((x) => x.currency === query.currency) || ranked[0];
  const t = totals(c.weeks);

  const picker = h('form', { class: 'filters', role: 'search', 'aria-label': 'Forecast options' },
    h('div', { class: 'field' }, h('label', { for: 'f-currency' }, 'Currency'),
      h('select', {
        id: 'f-currency', name: 'currency',
        onchange: (e) => app.navigate(`#/forecast?currency=${encodeURIComponent(e.target.value)}`),
      }, f.currencies.map((x) => h('option', { value: x.currency, selected: x === c }, x.currency)))));

  const chartLabel = `Expected weekly cash in ${c.currency} over ${c.weeks.length} weeks from ${f.as_of}: inflows with their ${f.band} band, the naive forecast, outflows and the net`;
  put(main, head,
    picker,
    facts([
      ['as of', f.as_of],
      ['open AR invoices', String(c.open_ar_invoices)],
      ['AP invoices due', String(c.ap_invoices)],
      [`expected inflow, ${c.weeks.length} weeks`, `${money(t.inflow)} ${c.currency}`],
      ['naive forecast', `${money(t.naive_inflow)} ${c.currency}`],
      ['outflow', `${money(t.outflow)} ${c.currency}`],
      ['expected later', `${money(c.beyond_horizon)} ${c.currency}`],
    ]),
    f.truncated ? notice('warn', 'The ledger holds more open invoices than the forecast reads; the rest are left out.') : null,
    h('section', { class: 'panel', 'aria-labelledby': 'fc-h' },
      h('h2', { id: 'fc-h' }, `${c.currency}: the next ${c.weeks.length} weeks`),
      forecastChart(c.weeks, { label: chartLabel, band: f.band }),
      h('p', { class: 'muted small' }, `Each open invoice pays around its due date plus its expected days late (ar_days_late), spread by the customer's variability; the band is ${f.band.replace('-', '–')} of each week's total. The naive forecast has every invoice paid on its due date (overdue ones in week 1). Outflows: approved AP invoices on their due dates.`)),
    h('section', { class: 'panel' }, table(c)));
  // AR workflows move inflows; AP approvals post invoices (outflows).
  const changed = throttle(() => {
    fresh.textContent = 'The ledger may have changed since this forecast was computed.';
  }, 1000);
  app.onEvent((ev) => {
    if (touchesWorkflows(ev, [...AR_WORKFLOWS, 'ap_invoice_approval'])) changed();
  });
}

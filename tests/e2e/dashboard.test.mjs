// Browser tests of the dashboard: Debian's chromium driven by playwright-core against the
// real ledgerflowd (tests/e2e/run starts them through ctest `dashboard_e2e`).
//
// bob (ap_manager) signs in, finds alice's invoice in his inbox, opens it, sees the
// decision explanation (contribution bars, shadow score, duplicate and match panels),
// approves it and watches the instance complete, records the real outcome of its risk
// decision and finds it in the model's realised accuracy; alice gets the
// segregation-of-duties refusal on her own invoice; ivan (auditor) sees no actions and no
// outcome buttons. The vendor IBAN is
// sensitive: it must never reach a page (DOM) or any API response the page receives.
// Collections and cash forecast: with no AR data both pages say so; then customers and
// AR invoices are imported over REST (as the ERP, user erp) and erin (collector) finds
// her worklist sorted by priority, filters it by currency, and reads a 13-week forecast
// with its P10–P90 band per currency.
// Screenshots of every page go to build/e2e-screenshots/ (or $LF_SCREENSHOTS).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { rest, startDaemon } from './daemon.mjs';
import { formatMoney, sumMoney } from '../../api/dashboard/src/dom.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const binary = process.env.LF_DAEMON || join(root, 'build/bin/ledgerflowd');
const shots = process.env.LF_SCREENSHOTS || join(root, 'build/e2e-screenshots');
const chromiumPath = process.env.LF_CHROMIUM || '/usr/bin/chromium';
const IBAN = 'DE44500105175407324931';
const TIMEOUT_MS = 15000;

let daemon;
let browser;
const leaks = [];

before(async () => {
  mkdirSync(shots, { recursive: true });
  daemon = await startDaemon({ root, binary });
  const invoice = (id, amount) => ({
    invoice: { id, amount, weekend: true, submitted_by: 'alice' },
    vendor: { name: 'Acme Supplies GmbH', iban: IBAN, new: true },
    dup: { candidates: [{ invoice_id: 'INV-0999', vendor: 'Acme Supplies GmbH', amount, similarity: 0.93 }] },
    match: { status: 'matched', purchase_order: 'PO-7731', goods_receipt: 'GR-1204', price_variance: 0, quantity_variance: 0 },
  });
  await rest(daemon.base, 'alice', 'POST', '/v1/workflows/e2e_invoice/instances?business_key=INV-E2E-1', invoice('INV-E2E-1', 12000));
  await rest(daemon.base, 'alice', 'POST', '/v1/workflows/e2e_invoice/instances?business_key=INV-E2E-2', invoice('INV-E2E-2', 800));
  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
});

after(async () => {
  if (browser) await browser.close();
  if (daemon) await daemon.stop();
});

// A signed-in page for `user`; every API response it receives is checked for the IBAN.
async function signIn(user) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, locale: 'en-US' });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT_MS);
  page.on('response', async (res) => {
    const type = res.headers()['content-type'] || '';
    if (!res.url().includes('/v1/') || type.includes('event-stream')) return;
    try {
      if ((await res.text()).includes(IBAN)) leaks.push(`${user}: ${res.url()}`);
    } catch {
      /* body gone (navigation) */
    }
  });
  await page.goto(daemon.base + '/');
  await page.getByLabel('API key').fill(`lf-demo-${user}`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
  await page.locator('#live-status.is-live').waitFor(); // the event stream is connected
  return { context, page };
}

// Receivables for the collections tests, dated from today (the daemon's clock): three
// customers, seven open invoices in EUR and USD, one disputed.
const DAY_MS = 24 * 3600 * 1000;
const dateIn = (days) => new Date(Date.now() + days * DAY_MS).toISOString().slice(0, 10);
const AR_CUSTOMERS = [
  ['C-E2E-1', 'Nordlicht Maschinen GmbH', 'DE', 'EUR'],
  ['C-E2E-2', 'Atelier Rive Gauche SARL', 'FR', 'EUR'],
  ['C-E2E-3', 'Blue Ridge Tools Inc', 'US', 'USD'],
].map(([id, name, country, currency]) => ({
  customer_id: id, name, country, credit_limit: 50000, currency, payment_terms_days: 30, created_at: '2023-03-01T09:00:00Z',
}));
// [customer, amount, days to due (negative: overdue), disputed]
const AR_INVOICES = [
  ['C-E2E-1', 12000, -50, false], ['C-E2E-1', 3000, -10, false], ['C-E2E-2', 20000, 20, false],
  ['C-E2E-2', 500, -90, false], ['C-E2E-3', 8000, -5, false], ['C-E2E-3', 1500, 3, false],
  ['C-E2E-1', 4000, -30, true],
].map(([customer, amount, due, disputed], i) => ({
  invoice_id: `ARI-E2E-${i + 1}`, customer_id: customer, invoice_number: `SI-E2E-${String(i + 1).padStart(4, '0')}`,
  invoice_date: dateIn(due - 30), due_date: dateIn(due), currency: customer === 'C-E2E-3' ? 'USD' : 'EUR', amount, disputed,
}));

async function seedReceivables() {
  const customers = await rest(daemon.base, 'erp', 'POST', '/v1/records/customers', AR_CUSTOMERS);
  assert.equal(customers.accepted, AR_CUSTOMERS.length, JSON.stringify(customers.errors));
  const invoices = await rest(daemon.base, 'erp', 'POST', '/v1/records/ar_invoices', AR_INVOICES);
  assert.equal(invoices.accepted, AR_INVOICES.length, JSON.stringify(invoices.errors));
}

// A link of the main navigation.
function nav(page, name) {
  return page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name });
}

async function snap(page, name) {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  const html = await page.content();
  assert.ok(!html.includes(IBAN), `the IBAN reached the DOM of ${name}`);
  const text = await page.locator('body').innerText();
  assert.doesNotMatch(text, /\bundefined\b|\[object Object\]|\bNaN\b|^null$/m, `stray values on ${name}`);
}

// Amounts arrive as decimal strings: shown digit for digit and added exactly (no floats).
test('money is formatted and summed from its decimal text', () => {
  assert.equal(sumMoney(['0.10', '0.20']), '0.30');
  assert.equal(sumMoney(['1000000000000000', '0.01']), '1000000000000000.01');
  assert.equal(formatMoney('1000000000000000.01').replace(/[^0-9.]/g, ''), '1000000000000000.01');
  assert.equal(formatMoney('12.5').replace(/[^0-9.]/g, ''), '12.50');
  assert.equal(formatMoney('-0.50').startsWith('-'), true);
  assert.equal(formatMoney('not money'), '—');
});

describe('dashboard', () => {
  test('sign-in refuses a wrong key', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT_MS);
    await page.goto(daemon.base + '/');
    await snap(page, '00-sign-in');
    await page.getByLabel('API key').fill('not-a-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('That API key was not accepted.').waitFor();
    await context.close();
  });

  test('bob approves alice\'s invoice and watches it complete', async () => {
    const { context, page } = await signIn('bob');
    assert.equal(await page.locator('.who strong').textContent(), 'bob');
    await page.locator('.card', { hasText: 'open tasks' }).locator('.card-value').filter({ hasText: '2' }).waitFor();
    await snap(page, '01-overview');

    await nav(page, 'Inbox').click();
    const row = page.getByRole('link', { name: 'Approve invoice INV-E2E-1' });
    await row.waitFor();
    await page.locator('tr', { has: row }).getByText('on time').waitFor(); // due in 4 h: SLA colour
    await snap(page, '02-inbox');

    await row.click();
    await page.getByRole('heading', { name: 'Approve invoice INV-E2E-1', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'Risk score and why' }).waitFor();
    const bars = page.locator('svg.contributions .bar');
    assert.equal(await bars.count(), 3, 'one bar per feature contribution');
    assert.deepEqual(await bars.evaluateAll((els) => els.map((e) => e.dataset.feature)), ['amount', 'weekend', 'new_vendor']);
    await page.getByRole('heading', { name: 'Shadow scores' }).waitFor();
    await page.getByRole('heading', { name: 'Duplicate candidates' }).waitFor();
    await page.getByRole('cell', { name: 'INV-0999' }).waitFor();
    await page.getByRole('heading', { name: '3-way match' }).waitFor();
    await page.locator('#ctx-match').locator('xpath=..').getByText('PO-7731').waitFor();
    assert.ok((await page.content()).includes('****'), 'the masked IBAN is shown as ****');
    await snap(page, '03-task');

    await page.getByLabel('Comment (optional)').fill('Checked against PO-7731.');
    await page.getByRole('button', { name: 'Approved' }).click();
    await page.getByText('Recorded “approved”.').waitFor();
    await page.locator('.badge.task-completed').first().waitFor();

    await page.getByRole('link', { name: 'INV-E2E-1' }).first().click();
    await page.locator('h1 .badge.status-succeeded').waitFor();
    const visited = await page.locator('svg.graph .node.visited').evaluateAll((els) => els.map((e) => e.dataset.state));
    assert.deepEqual(visited.sort(), ['done', 'review', 'risk']);
    await page.getByText('task approved by bob — “Checked against PO-7731.”').waitFor();
    await snap(page, '04-instance');

    // bob (ap_manager) records what really happened to the risk decision: 201 recorded,
    // the same value again 200 unchanged, a different value 409 (write-once).
    const outcome = page.locator('fieldset.outcome-form');
    await outcome.getByLabel('Outcome note (optional)').fill('Vendor confirmed: the invoice was risky.');
    await outcome.getByRole('button', { name: 'Actual 1' }).click();
    await outcome.getByText('Recorded (201): outcome 1 for e2e_invoice_risk v1.').waitFor();
    await outcome.getByRole('button', { name: 'Actual 1' }).click();
    await outcome.getByText('Unchanged (200)').waitFor();
    await outcome.getByRole('button', { name: 'Actual 0' }).click();
    await outcome.locator('.notice-warn').getByText(/Conflict \(409\): .*already has the outcome 1.*write-once/).waitFor();
    await snap(page, '04a-outcome');

    await nav(page, 'Overview').click();
    await page.locator('.card', { hasText: 'succeeded' }).locator('.card-value').filter({ hasText: '1' }).waitFor();

    await nav(page, 'Workflows').click();
    await page.getByRole('link', { name: 'e2e_invoice' }).click();
    await page.locator('svg.graph .node[data-state="review"] .count[data-count="1"]').waitFor(); // INV-E2E-2 waits there
    await snap(page, '05-workflow');

    await nav(page, 'Instances').click();
    await page.getByRole('link', { name: 'INV-E2E-2' }).waitFor();
    await page.getByLabel('Status').selectOption('succeeded');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByRole('link', { name: 'INV-E2E-1' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'INV-E2E-2' }).count(), 0);
    await snap(page, '06-instances');

    await nav(page, 'Models').click();
    await page.getByRole('link', { name: 'e2e_invoice_risk' }).click();
    await page.getByRole('heading', { name: 'v1' }).waitFor(); // the champion's score histogram
    await page.getByRole('heading', { name: 'v2 (shadow)' }).waitFor();
    assert.equal(await page.getByText('Point an alias (admin)').count(), 0, 'only admins see the alias form');
    // Realised accuracy: the one outcome bob recorded, for the champion v1 that decided.
    const perf = page.getByRole('table', { name: 'Realised accuracy per version' });
    await perf.waitFor();
    const v1 = perf.locator('tbody tr[data-version="1"]');
    assert.deepEqual(await v1.locator('td').allTextContents(), ['1', '1', '100.0%', 'n/a (one class)', '0.0040', '0.937'],
      'outcomes, positives, accuracy, AUC (one class only), Brier, mean score');
    assert.equal(await perf.locator('tbody tr').count(), 1, 'shadow v2 made no decision of its own');
    // The score over time: a mean per hour (the sample spans less than two days).
    await page.getByRole('heading', { name: 'Mean score per hour' }).waitFor();
    assert.ok(await page.locator('svg.meanline circle').count() >= 2, 'a point for v1 and for v2 (shadow)');
    await snap(page, '07-model');
    await context.close();
  });

  test('alice gets the segregation-of-duties refusal on her own invoice', async () => {
    const { context, page } = await signIn('alice');
    // Not a candidate, so not in her inbox: she follows her invoice from its instance.
    await nav(page, 'Instances').click();
    await page.getByRole('link', { name: 'INV-E2E-2' }).click();
    await page.getByRole('link', { name: 'Approve invoice INV-E2E-2' }).click();
    await page.getByText('Segregation of duties: you are excluded').waitFor();
    await page.getByRole('button', { name: 'Approved' }).click();
    const refusal = page.locator('.refusal.sod[role="alert"]');
    await refusal.waitFor();
    assert.match(await refusal.textContent(), /Refused — segregation of duties\. .*submitter/);
    await snap(page, '08-sod-refusal');
    const task = await rest(daemon.base, 'bob', 'GET', '/v1/tasks?status=open');
    assert.equal(task.items.length, 1, 'the refused action changed nothing');
    await context.close();
  });

  test('ivan (auditor) follows tasks but is offered no actions and no outcome buttons', async () => {
    const { context, page } = await signIn('ivan');
    await nav(page, 'Inbox').click();
    await page.getByRole('link', { name: 'Show every user\'s tasks' }).click();
    await page.getByRole('link', { name: 'Approve invoice INV-E2E-2' }).click();
    await page.getByText('Read-only access').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Approved' }).count(), 0);
    await snap(page, '09-auditor');

    // The decided invoice: its decision is shown, but an auditor may not record outcomes.
    await nav(page, 'Instances').click();
    await page.getByRole('link', { name: 'INV-E2E-1' }).click();
    await page.getByRole('heading', { name: 'Decisions' }).waitFor();
    await page.locator('article.decision').first().waitFor();
    assert.equal(await page.locator('fieldset.outcome-form').count(), 0, 'no outcome form for an auditor');
    assert.equal(await page.getByRole('button', { name: /^Actual / }).count(), 0, 'no outcome buttons for an auditor');
    await snap(page, '10-auditor-instance');
    await context.close();
  });

  test('without AR data the Collections and Cash forecast pages say so', async () => {
    const { context, page } = await signIn('erin');
    await nav(page, 'Collections').click();
    await page.getByRole('heading', { name: 'Collections', level: 1 }).waitFor();
    await page.locator('.no-ar-data').getByText('No open AR invoices.').waitFor();
    assert.equal(await page.locator('table.worklist').count(), 0);
    await snap(page, '11-collections-empty');
    await nav(page, 'Cash forecast').click();
    await page.getByRole('heading', { name: 'Cash forecast', level: 1 }).waitFor();
    await page.locator('.no-ar-data').getByText('Nothing to forecast.').waitFor();
    assert.equal(await page.locator('svg.forecast').count(), 0);
    await snap(page, '12-forecast-empty');
    await context.close();
  });

  test('erin works her collections worklist, highest priority first', async () => {
    await seedReceivables();
    const { context, page } = await signIn('erin');
    await nav(page, 'Collections').click();
    const rows = page.locator('table.worklist tbody tr');
    await rows.first().waitFor();
    // Defaults to the signed-in collector; disputed invoices are left out.
    assert.equal(await page.getByLabel('Collector').inputValue(), 'erin');
    const api = await rest(daemon.base, 'erin', 'GET', '/v1/collections/worklist?collector=erin');
    assert.equal(api.total, AR_INVOICES.length - 1, 'every open undisputed invoice');
    const shown = await rows.evaluateAll((trs) => trs.map((tr) => ({ id: tr.dataset.invoice, priority: Number(tr.dataset.priority) })));
    assert.deepEqual(shown.map((r) => r.id), api.items.map((i) => i.invoice_id), 'the API\'s order');
    for (let i = 1; i < shown.length; i++) {
      assert.ok(shown[i - 1].priority >= shown[i].priority, `row ${i} (${shown[i - 1].priority}) before row ${i + 1} (${shown[i].priority})`);
    }
    assert.ok(!shown.some((r) => r.id === 'ARI-E2E-7'), 'the disputed invoice is not in the list');
    // The most overdue big invoice leads; a row reads as the collector needs it.
    assert.equal(shown[0].id, 'ARI-E2E-1');
    const first = rows.first();
    assert.equal(await first.locator('th').textContent(), 'SI-E2E-0001');
    await first.getByText('12,000.00').waitFor();
    await first.getByText('50%').waitFor();
    await first.getByText('not scored').waitFor();
    assert.equal(await first.locator('td[data-days-overdue]').textContent(), '50');
    const notDue = page.locator('tr[data-invoice="ARI-E2E-3"]');
    await notDue.getByText('due in 20 days').waitFor();
    await snap(page, '13-collections');

    // Only USD: the two USD invoices, still by priority.
    await page.getByLabel('Currency').selectOption('USD');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.locator('.worklist-summary', { hasText: 'in USD' }).waitFor(); // the new list is drawn
    assert.deepEqual(await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.currency)), ['USD', 'USD']);
    assert.deepEqual(await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.invoice)), ['ARI-E2E-5', 'ARI-E2E-6']);
    // With the disputed one.
    await page.getByLabel('Currency').selectOption('');
    await page.getByLabel('Include disputed').check();
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.locator('tr[data-invoice="ARI-E2E-7"]').getByText('disputed').waitFor();
    await context.close();
  });

  test('the cash forecast shows 13 weeks with the P10–P90 band per currency', async () => {
    const { context, page } = await signIn('erin');
    await nav(page, 'Cash forecast').click();
    const chart = page.locator('svg.chart.forecast');
    await chart.waitFor();
    // EUR has the most expected inflow, so it comes first.
    assert.equal(await page.getByLabel('Currency').inputValue(), 'EUR');
    assert.equal(await chart.locator('g.week').count(), 13);
    assert.equal(await page.locator('table.forecast-table tbody tr').count(), 13);
    await page.locator('.forecast-figure .legend').getByText('P10–P90 band').waitFor();
    // The band: P90 across 13 weeks and P10 back, around the expected inflow.
    const band = await chart.locator('path.band').getAttribute('d');
    assert.equal((band.match(/[ML]/g) || []).length, 26);
    const api = await rest(daemon.base, 'erin', 'GET', '/v1/forecast/cash?weeks=13');
    const eur = api.currencies.find((c) => c.currency === 'EUR');
    assert.equal(eur.weeks.length, 13);
    assert.equal(eur.open_ar_invoices, 5, 'the disputed invoice is still expected to pay');
    // Amounts are decimal strings ("1234.50"); the test compares them as numbers.
    for (const w of eur.weeks) {
      for (const k of ['inflow', 'inflow_p10', 'inflow_p90', 'naive_inflow', 'outflow', 'net']) assert.match(w[k], /^-?\d+\.\d{2}$/, k);
      assert.ok(Number(w.inflow_p10) <= Number(w.inflow) && Number(w.inflow) <= Number(w.inflow_p90), JSON.stringify(w));
    }
    assert.ok(eur.weeks.some((w) => Number(w.inflow_p90) > Number(w.inflow_p10)), 'a band of some width');
    assert.equal(await chart.locator('path.line.naive').count(), 1);
    assert.equal(await chart.locator('path.line.net').count(), 1);
    assert.equal(await page.locator('table.forecast-table caption').textContent(), 'Week by week, EUR');
    await snap(page, '14-forecast');
    await page.getByLabel('Currency').selectOption('USD');
    await page.locator('table.forecast-table caption', { hasText: 'Week by week, USD' }).waitFor();
    assert.equal(await page.locator('svg.chart.forecast g.week').count(), 13);
    await context.close();
  });

  test('the sensitive IBAN reached no page and no API response', () => {
    assert.deepEqual(leaks, []);
  });
});

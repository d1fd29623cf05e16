// One decision record: model, version, score, the top feature contributions as bars,
// and the shadow models' scores. Shared by the instance page and the task page. On the
// instance page a user with an outcomes role may also record what really happened
// (POST /v1/outcomes), which feeds the model page's realised accuracy.
import { api } from '../api.js';
import { h, put, facts, formatNumber, notice, timeEl } from '../dom.js';
import { contributionChart } from '../charts.js';

// The server's answer to an outcome, as a notice: 201 recorded, 200 unchanged (the same
// value was there already), 409 a different value is recorded (outcomes are write-once).
function outcomeAnswer(a) {
  if (a.error) {
    const { status, message } = a.error;
    if (status === 409) return notice('warn', h('strong', {}, 'Conflict (409): '), message);
    return notice('error', h('strong', {}, `Refused (${status}): `), message);
  }
  const item = (a.body && a.body.items && a.body.items[0]) || {};
  const actual = formatNumber(item.actual ?? a.actual, 4);
  if (a.status === 201) {
    return notice('ok', h('strong', {}, 'Recorded (201): '),
      `outcome ${actual} for ${item.model || 'the model'} v${item.version || '?'}.`);
  }
  return notice('info', h('strong', {}, `Unchanged (${a.status}): `),
    `the outcome ${actual} was already recorded; nothing was written.`);
}

// memo (a Map kept by the page across live redraws): decision id -> {note, value, answer}.
function outcomeForm(d, memo) {
  const id = d.decision_id;
  const state = memo.get(id) || {};
  memo.set(id, state);
  const slug = String(id).replace(/[^A-Za-z0-9_-]/g, '_');
  const binary = typeof d.probability === 'number'; // the server sets it for binary models only
  const note = h('input', {
    id: `outcome-note-${slug}`, name: 'note', maxlength: 1000, value: state.note || '',
    oninput: () => { state.note = note.value; },
  });
  const result = h('div', { class: 'outcome-result', 'aria-live': 'polite' }, state.answer ? outcomeAnswer(state.answer) : null);
  const buttons = [];
  const record = async (actual) => {
    for (const b of buttons) b.disabled = true;
    const body = { decision_id: id, actual };
    if (note.value.trim()) body.note = note.value.trim();
    try {
      const res = await api('/v1/outcomes', { method: 'POST', body, full: true });
      state.answer = { status: res.status, body: res.body, actual };
    } catch (err) {
      state.answer = { error: { status: err.status || 0, message: err.message }, actual };
    }
    for (const b of buttons) b.disabled = false;
    put(result, outcomeAnswer(state.answer));
  };
  let controls;
  if (binary) {
    buttons.push(
      h('button', { type: 'button', 'data-actual': '1', onclick: () => record(1) }, 'Actual 1 (positive)'),
      h('button', { type: 'button', 'data-actual': '0', onclick: () => record(0) }, 'Actual 0 (negative)'));
    controls = h('div', { class: 'button-row' }, buttons);
  } else {
    const value = h('input', {
      id: `outcome-value-${slug}`, type: 'number', step: 'any', required: true, value: state.value ?? '',
      oninput: () => { state.value = value.value; },
    });
    buttons.push(h('button', {
      type: 'button',
      onclick: () => {
        const v = Number(value.value);
        if (value.value.trim() === '' || !Number.isFinite(v)) {
          put(result, notice('error', 'Enter the actual value (a number).'));
          value.focus();
          return;
        }
        record(v);
      },
    }, 'Record outcome'));
    controls = h('div', { class: 'field inline' }, h('label', { for: `outcome-value-${slug}` }, 'Actual value'), value, buttons);
  }
  return h('fieldset', { class: 'outcome-form' },
    h('legend', {}, 'Record the real outcome'),
    h('p', { class: 'muted small' }, binary
      ? 'What really happened to this item: 1 if it turned out positive (what a high score predicts), 0 if not. Write-once; it feeds the model\'s realised accuracy.'
      : 'The value that really occurred. Write-once; it feeds the model\'s realised accuracy.'),
    h('div', { class: 'field inline' }, h('label', { for: `outcome-note-${slug}` }, 'Outcome note (optional)'), note),
    controls,
    result);
}

// outcomes: a Map to remember outcome answers across redraws, or null for no outcome form.
export function decisionView(d, { heading = 'h3', outcomes = null } = {}) {
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
      : null,
    outcomes && d.decision_id ? outcomeForm(d, outcomes) : null);
}
